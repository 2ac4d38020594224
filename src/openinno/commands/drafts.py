"""Entry drafts (issue 21): save an entry before submitting it, edit it, submit it
later or discard it.  A draft counts against nobody, is no entry of the challenge,
and is seen only by its author (a team's draft: by the team's members); to anyone
else every command here answers NotFound, as for a draft that does not exist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from openinno.commands.base import CommandBase
from openinno.commands.retry import retry_on_conflict
from openinno.domain import EntryDraft, Organisation, Team
from openinno.domain.entry_draft import check_draft_content
from openinno.domain.errors import NOT_FOUND, InvalidInput, NotFound
from openinno.domain.values import SubmissionContent
from openinno.files import Upload, check_upload

if TYPE_CHECKING:
    from openinno.application import Recorded, SubmissionRecorded
    from openinno.domain import Challenge


class EntryDrafts(CommandBase):
    if TYPE_CHECKING:
        # What this mixin uses of OpenInno (application.py) and TeamCommands.
        def _store_files(self, files: Sequence[Upload]) -> None: ...
        def _require_may_enter(
            self, person_id: UUID, challenge: Challenge, organisation: Organisation
        ) -> None: ...
        def _submit_once(
            self,
            actor_id: UUID,
            challenge_id: UUID,
            title: str,
            summary: str,
            accepted_terms_sha256: str,
            files: Sequence[Upload] = (),
            team_ids: Sequence[UUID] = (),
            team_id: UUID | None = None,
            draft: EntryDraft | None = None,
        ) -> SubmissionRecorded: ...

    def _draft_content(
        self, title: str, summary: str, files: Sequence[Upload]
    ) -> SubmissionContent:
        refs = tuple(check_upload(f, max_bytes=self.settings.max_file_bytes) for f in files)
        content = SubmissionContent(title=title, summary=summary, files=refs)
        return check_draft_content(content, max_files=self.settings.max_files_per_submission)

    def _may_use_draft(self, actor_id: UUID, draft: EntryDraft) -> bool:
        """The author; for a team's draft, the team's members now."""
        if actor_id == draft.author_id:
            return True
        if draft.team_id is None:
            return False
        team = self._maybe_load(draft.team_id, Team, readonly=True)
        return team is not None and actor_id in team.member_ids

    def _own_draft(self, actor_id: UUID, draft_id: UUID, *, readonly: bool) -> EntryDraft:
        self._actor(actor_id)
        draft = self._maybe_load(draft_id, EntryDraft, readonly=readonly)
        if draft is None or not self._may_use_draft(actor_id, draft):
            raise NotFound(NOT_FOUND["draft"], id=str(draft_id))
        return draft

    def get_draft(self, actor_id: UUID, draft_id: UUID) -> EntryDraft:
        return self._own_draft(actor_id, draft_id, readonly=False)

    def save_draft(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        title: str,
        summary: str,
        files: Sequence[Upload] = (),
        team_id: UUID | None = None,
    ) -> Recorded:
        """A new draft for a published challenge still taking entries (``team_id``: for
        a team the actor is on).  Its files are stored now; nothing is counted."""
        from openinno.application import Recorded

        self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        at = self._now()
        challenge.require_accepting_submissions(at)
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        self._require_may_enter(actor_id, challenge, organisation)
        if team_id is not None:
            team = self._maybe_load(team_id, Team, readonly=True)
            if team is None or actor_id not in team.member_ids:
                raise InvalidInput("You are not on a team with that id.", field="team_id")
            if team.challenge_id != challenge_id:
                raise InvalidInput("That team is for another challenge.", field="team_id")
        content = self._draft_content(title, summary, files)
        draft = EntryDraft(
            id=uuid4(),
            actor_id=actor_id,
            challenge_id=challenge_id,
            content=content,
            timestamp=at,
            team_id=team_id,
        )
        self._store_files(files)
        return Recorded(draft.id, self._commit(draft))

    @retry_on_conflict
    def edit_entry_draft(
        self,
        actor_id: UUID,
        draft_id: UUID,
        title: str,
        summary: str,
        files: Sequence[Upload] | None = None,
    ) -> Recorded:
        """New text, and with ``files`` new files (None: the draft keeps its files)."""
        from openinno.application import Recorded

        draft = self._own_draft(actor_id, draft_id, readonly=False)
        draft.require_open()
        if files is None:
            content = check_draft_content(
                SubmissionContent(title=title, summary=summary, files=draft.content.files),
                max_files=self.settings.max_files_per_submission,
            )
        else:
            content = self._draft_content(title, summary, files)
        draft.edit(actor_id, content, self._now())
        self._store_files(files or ())
        return Recorded(draft_id, self._commit(draft))

    @retry_on_conflict
    def submit_draft(
        self, actor_id: UUID, draft_id: UUID, accepted_terms_sha256: str
    ) -> SubmissionRecorded:
        """The draft becomes an entry, with every check, count and receipt of
        ``submit`` (for its team, if it is a team's), in one transaction with
        ``EntryDraft.Submitted``."""
        draft = self._own_draft(actor_id, draft_id, readonly=False)
        draft.require_open()
        content = draft.content
        # Its files are in the store already: offered again by their hashes.
        files = [self.files.stored(f.name, f.sha256, f.size, f.media_type) for f in content.files]
        return self._submit_once(
            actor_id,
            draft.challenge_id,
            content.title,
            content.summary,
            accepted_terms_sha256,
            files,
            team_id=draft.team_id,
            draft=draft,
        )

    @retry_on_conflict
    def discard_draft(self, actor_id: UUID, draft_id: UUID) -> Recorded:
        from openinno.application import Recorded

        draft = self._own_draft(actor_id, draft_id, readonly=False)
        draft.discard(actor_id, self._now())
        return Recorded(draft_id, self._commit(draft))


__all__ = ["EntryDrafts"]
