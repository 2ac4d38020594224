"""Where derived files live: one directory per original's SHA-256, beside the originals.

    <derived>/ab/cd/<sha256>/blind           the blind copy (only when bytes were removed)
    <derived>/ab/cd/<sha256>/blind.json      what was removed, the copy's own SHA-256,
                                             or why the original is served unchanged
                                             or withheld
    <derived>/ab/cd/<sha256>/preview.webp    the preview (made from the blind copy)
    <derived>/ab/cd/<sha256>/no-preview.txt  why there is no preview

Everything here can be made again from the originals (``openinno files derive``
after deleting the directory): nothing in it is evidence.  Each file is written
to a temporary name and renamed, so a reader sees a whole file or none, and two
makers of the same derivative (the follower and a request) both write the same
bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from openinno.derivatives.blind import CannotStrip, can_strip, strip_metadata
from openinno.derivatives.previews import make_preview
from openinno.files import FileStore

BlindState = Literal["stripped", "unchanged", "withheld"]


@dataclass(frozen=True)
class BlindCopy:
    """What a blind viewer gets for one original.

    ``stripped``: ``path`` holds the copy (``sha256`` and ``size`` are its own);
    ``unchanged``: the original is served (a kind not stripped, ``note`` says what stays);
    ``withheld``: the file could not be checked (malformed), so blind viewers do not get it.
    """

    state: BlindState
    path: Path | None
    sha256: str
    size: int
    removed: tuple[str, ...] = ()
    note: str = ""


PreviewState = Literal["ready", "none", "pending"]


@dataclass(frozen=True)
class PreviewStatus:
    state: PreviewState
    path: Path | None = None
    reason: str = ""


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class DerivedFiles:
    def __init__(self, originals: FileStore, root: Path) -> None:
        self.originals = originals
        self.root = root

    def directory(self, sha256: str) -> Path:
        original = self.originals.path_for(sha256)  # checks the digest's form
        return self.root / sha256[:2] / sha256[2:4] / original.name

    # --- blind copies ---------------------------------------------------------------------

    def blind_copy(self, sha256: str) -> BlindCopy | None:
        """The blind copy if it was made, else None."""
        record = self.directory(sha256) / "blind.json"
        try:
            made = json.loads(record.read_text())
        except FileNotFoundError:
            return None
        state: BlindState = made["state"]
        path = None
        if state == "stripped":
            path = self.directory(sha256) / "blind"
        elif state == "unchanged":
            path = self.originals.path_for(sha256)
        return BlindCopy(
            state,
            path,
            made.get("sha256", ""),
            int(made.get("size", 0)),
            tuple(made.get("removed", ())),
            made.get("note", ""),
        )

    def make_blind_copy(self, sha256: str, media_type: str) -> BlindCopy:
        """Make (once) and return the blind copy of a stored original."""
        made = self.blind_copy(sha256)
        if made is not None and not (made.state == "unchanged" and can_strip(media_type)):
            return made
        # (an "unchanged" record of a kind the platform has since learnt to strip, MP4 and
        # ZIP before they were, is made again: an old record must not keep a leak open)
        original = self.originals.get(sha256)
        directory = self.directory(sha256)
        record: dict[str, object]
        try:
            stripping = strip_metadata(media_type, original)
        except CannotStrip as e:
            record = {"state": "withheld", "note": f"its metadata could not be checked: {e}"}
        else:
            if stripping.data is None:
                record = {
                    "state": "unchanged",
                    "sha256": sha256,
                    "size": len(original),
                    "note": stripping.note,
                }
            else:
                # The copy first, its record second: a record never names a missing copy.
                write_atomically(directory / "blind", stripping.data)
                record = {
                    "state": "stripped",
                    "sha256": hashlib.sha256(stripping.data).hexdigest(),
                    "size": len(stripping.data),
                    "removed": list(stripping.removed),
                }
        write_atomically(directory / "blind.json", json.dumps(record, indent=1).encode())
        made = self.blind_copy(sha256)
        assert made is not None
        return made

    # --- previews -------------------------------------------------------------------------

    def preview(self, sha256: str) -> PreviewStatus:
        directory = self.directory(sha256)
        path = directory / "preview.webp"
        if path.exists():
            return PreviewStatus("ready", path)
        try:
            return PreviewStatus("none", reason=(directory / "no-preview.txt").read_text())
        except FileNotFoundError:
            return PreviewStatus("pending")

    def make_preview(self, sha256: str, media_type: str) -> PreviewStatus:
        """Make (once) the preview, from the blind copy; or record why there is none."""
        status = self.preview(sha256)
        if status.state != "pending":
            return status
        blind = self.make_blind_copy(sha256, media_type)
        directory = self.directory(sha256)
        if blind.path is None:
            reason = "no preview: " + blind.note
            write_atomically(directory / "no-preview.txt", reason.encode())
            return PreviewStatus("none", reason=reason)
        preview = make_preview(media_type, blind.path.read_bytes())
        if preview.data is None:
            write_atomically(directory / "no-preview.txt", preview.reason.encode())
        else:
            write_atomically(directory / "preview.webp", preview.data)
        return self.preview(sha256)

    def derive(self, sha256: str, media_type: str) -> PreviewStatus:
        """Every derivative of one original (idempotent: what exists is kept)."""
        if not self.originals.exists(sha256):
            # An event never names a file that was not stored first (application.submit);
            # a missing one was lost on disk.  Recorded, so the pages say so.
            reason = "the stored file is missing"
            write_atomically(self.directory(sha256) / "no-preview.txt", reason.encode())
            return PreviewStatus("none", reason=reason)
        return self.make_preview(sha256, media_type)
