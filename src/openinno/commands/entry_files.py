"""An entry's files: who may download them, and which bytes (originals or blind
copies), for the API and the pages alike (web/files_http.py serves what these
return)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.derivatives import PreviewStatus
from openinno.domain import (
    Account,
    Challenge,
    Organisation,
    Review,
    Submission,
    ids,
)
from openinno.domain.errors import (
    DomainError,
    NotFound,
)
from openinno.domain.values import FileRef, sha256_hex

# Extensions of the neutral names blind viewers see ("File 1.pdf"), by sniffed type.
NEUTRAL_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/zip": "zip",
    "video/mp4": "mp4",
    "text/plain": "txt",
}


@dataclass(frozen=True)
class ServedFile:
    """Bytes on disk to send for one file of an entry: the original or its blind copy
    (or a preview).  ``sha256`` is of these bytes (the ETag); ``name`` is the one this
    viewer may see."""

    path: Path
    size: int
    sha256: str
    media_type: str
    name: str
    blind: bool


@dataclass(frozen=True)
class ShownFile:
    """One file of an entry's current version as a viewer sees it listed.  ``sha256``
    is the original's: the address of the file and preview routes."""

    sha256: str
    name: str
    media_type: str
    size: int
    blind: bool
    preview: PreviewStatus


class EntryFiles(CommandBase):
    # --- an entry's files: who may download them, and which bytes -------------------------
    #
    # One rule for the API and the pages (web/files_http.py serves what these return):
    #   - the authors: the original bytes, always;
    #   - reviewers who accepted, while they review the challenge (its review period)
    #     and unless they declared a conflict on this entry;
    #   - members of the sponsor organisation (owners, managers, legal);
    #   - everyone, when the challenge's gallery is public and the entry is visible there;
    #   - nobody else: the same NotFound as for a hash that is not one of the entry's
    #     files (of any version), so a 404 never says the file exists.
    # Everyone but the authors gets the blind copy (derivatives/blind.py) under a neutral
    # name ("File 1.pdf") until the challenge's identities are revealed.

    def _file_viewer(
        self, actor_id: UUID | None, submission: Submission, challenge: Challenge
    ) -> str | None:
        """Why this actor may download the entry's files ("author", "reviewer",
        "sponsor", "public"), or None."""
        if actor_id is not None:
            account = self._maybe_load(actor_id, Account, readonly=True)
            if account is None or not account.active:
                actor_id = None
        if actor_id is not None:
            if actor_id in submission.author_ids:
                return "author"
            if actor_id in challenge.reviewers and self._reviews_entry(
                actor_id, submission, challenge
            ):
                return "reviewer"
            organisation = self._load(
                challenge.organisation_id, Organisation, "organisation", readonly=True
            )
            if organisation.role_of(actor_id) is not None:
                return "sponsor"
        if (
            challenge.status != "draft"
            and challenge.spec.visibility == "public"
            and submission.status not in ("withdrawn", "disqualified")
        ):
            return "public"
        return None

    def _reviews_entry(self, actor_id: UUID, submission: Submission, challenge: Challenge) -> bool:
        try:
            # The challenge's own rule for "reviewing now": accepted, running, in the
            # period; from acceptance on, also before scoring starts (after_close review):
            # a reviewer reads the entries to declare conflicts early (issue 20).
            challenge.require_reviewing(actor_id, self._now(), scoring=False)
        except DomainError:
            return False
        review = self._maybe_load(ids.review_id(submission.id, actor_id), Review, readonly=True)
        return review is None or not review.conflict

    def _entry_file(
        self, actor_id: UUID | None, submission_id: UUID, sha256: str
    ) -> tuple[FileRef, str, bool]:
        """The file's reference, the name this actor sees, and whether they get the
        blind copy; NotFound for anyone who may not have it."""
        submission = self._maybe_load(submission_id, Submission, readonly=True)
        if submission is not None:
            challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
            viewer = self._file_viewer(actor_id, submission, challenge)
            found = _files_by_hash(submission).get(sha256)
            if viewer is not None and found is not None:
                number, ref = found
                blind = viewer != "author" and not challenge.identities_revealed
                return ref, neutral_file_name(number, ref) if blind else ref.name, blind
        raise NotFound("No such file in this submission.")

    def file_for(self, actor_id: UUID | None, submission_id: UUID, sha256: str) -> ServedFile:
        """What to send for ``GET .../submissions/{id}/files/{sha256}``.  A blind copy is
        made by the background follower; if asked for first, it is made here, once."""
        ref, name, blind = self._entry_file(actor_id, submission_id, sha256)
        if not blind:
            path = self.files.path_for(ref.sha256)
            if not path.exists():  # lost on disk: nothing to stream (operations.md, Files)
                raise NotFound("No such file in this submission.")
            return ServedFile(path, ref.size, ref.sha256, ref.media_type, name, blind=False)
        try:
            copy = self.derived.make_blind_copy(ref.sha256, ref.media_type)
        except FileNotFoundError:
            raise NotFound("No such file in this submission.") from None
        if copy.path is None:  # withheld: its metadata could not be checked
            raise NotFound("No such file in this submission.")
        return ServedFile(copy.path, copy.size, copy.sha256, ref.media_type, name, blind=True)

    def preview_for(self, actor_id: UUID | None, submission_id: UUID, sha256: str) -> ServedFile:
        """The file's preview (made from the blind copy), under the file's own access rule."""
        ref, name, blind = self._entry_file(actor_id, submission_id, sha256)
        status = self.derived.preview(ref.sha256)
        if status.path is None:
            raise NotFound("No preview of this file.")
        data = status.path.read_bytes()  # a few kilobytes: hashed for its ETag
        stem = name.rsplit(".", 1)[0]
        return ServedFile(
            status.path, len(data), sha256_hex(data), "image/webp", f"{stem} (preview).webp", blind
        )

    def files_shown(self, actor_id: UUID | None, submission: Submission) -> list[ShownFile]:
        """The current version's files as this actor sees them listed; none if they may
        not download them."""
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        viewer = self._file_viewer(actor_id, submission, challenge)
        if viewer is None:
            return []
        blind = viewer != "author" and not challenge.identities_revealed
        return [
            ShownFile(
                ref.sha256,
                neutral_file_name(number, ref) if blind else ref.name,
                ref.media_type,
                ref.size,
                blind,
                self.derived.preview(ref.sha256),
            )
            for number, ref in enumerate(submission.content.files, start=1)
        ]

    def entry_files(
        self, actor_id: UUID | None, submission_ids: Sequence[UUID]
    ) -> dict[UUID, list[ShownFile]]:
        """``files_shown`` for a page of entries, their streams read in one query."""
        shown: dict[UUID, list[ShownFile]] = {}
        with self._streams.fresh_reads():
            reviews = (
                [ids.review_id(s, actor_id) for s in submission_ids] if actor_id is not None else []
            )
            self._streams.read_ahead([*submission_ids, *reviews])
            for submission_id in submission_ids:
                submission = self._maybe_load(submission_id, Submission, readonly=True)
                shown[submission_id] = (
                    self.files_shown(actor_id, submission) if submission is not None else []
                )
        return shown


def _files_by_hash(submission: Submission) -> dict[str, tuple[int, FileRef]]:
    """Every file of every version by its SHA-256, with its number (from 1) in the latest
    version that has it."""
    found: dict[str, tuple[int, FileRef]] = {}
    for content, _digest in submission.versions:
        for number, ref in enumerate(content.files, start=1):
            found[ref.sha256] = (number, ref)
    return found


def neutral_file_name(number: int, ref: FileRef) -> str:
    return f"File {number}.{NEUTRAL_EXTENSIONS.get(ref.media_type, 'bin')}"
