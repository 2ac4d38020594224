"""Uploaded files: checked by content (never by name), stored content-addressed by SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from openinno.domain.errors import InvalidInput
from openinno.domain.values import FileRef


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    declared_media_type: str = "application/octet-stream"


_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"ftyp", 4, "video/mp4"),
)


def sniff_media_type(data: bytes) -> str | None:
    """The media type the bytes themselves show, or None if not an accepted kind."""
    for magic, offset, media_type in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if b"\x00" not in data[:8192]:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


# Characters a file name never keeps: controls, lone surrogates, and the
# bidirectional controls that reorder what follows them ("invoice\u202eFDP.exe" shows
# as "invoiceexe.PDF").  Removed on upload and again when a stored name is shown.
_UNSAFE_IN_NAMES = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def clean_file_name(name: str) -> str:
    """``name`` without the characters that could hide what a file is."""
    return _UNSAFE_IN_NAMES.sub("", name)


def check_upload(upload: Upload, *, max_bytes: int) -> FileRef:
    name = clean_file_name(os.path.basename(upload.name.replace("\\", "/"))).strip()
    if not name or len(name) > 255:
        raise InvalidInput("Each file needs a name of at most 255 characters.", field="files")
    if not upload.data:
        raise InvalidInput(f"{name} is empty.", field="files")
    if len(upload.data) > max_bytes:
        raise InvalidInput(
            f"{name} is {len(upload.data):,} bytes; the limit is {max_bytes:,}.", field="files"
        )
    media_type = sniff_media_type(upload.data)
    if media_type is None:
        raise InvalidInput(
            f"{name}: accepted kinds are PDF, PNG, JPEG, GIF, WebP, ZIP, MP4 and plain text.",
            field="files",
        )
    return FileRef(
        name=name,
        size=len(upload.data),
        media_type=media_type,
        sha256=hashlib.sha256(upload.data).hexdigest(),
    )


class FileStore:
    """Content-addressed files on disk: <root>/ab/cd/<sha256>.  Writes are atomic
    (temp file + rename), so a crash never leaves a half file under a real name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if path.exists():
            return digest
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
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()
