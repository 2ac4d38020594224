"""Uploaded files: checked by content (never by name), stored content-addressed by SHA-256.

Files never sit whole in memory: a web request streams each file into a temp file in
the store's directory (``FileStore.receive``), measuring it on the way (size, SHA-256,
the first bytes for the kind, whether it is UTF-8 text), and ``FileStore.put`` renames
it into place once the command has accepted it.  Reading back is in chunks too
(``FileStore.chunks``)."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from openinno.domain.errors import InvalidInput
from openinno.domain.values import FileRef

# How many leading bytes the kind is told from (sniff_media_type).
HEAD_BYTES = 8192
# Reading stored files back (evidence bundles): one chunk at a time.
READ_CHUNK_BYTES = 1024 * 1024
# Staged uploads live here, inside the store's root: the same file system, so that
# putting one into place is a rename.
INCOMING = ".incoming"
# A staged file untouched this long belongs to no request (one that is arriving is
# written to all the time): a worker killed mid-upload left it (FileStore.sweep_incoming).
ABANDONED_AFTER_SECONDS = 3600.0


class TooLarge(Exception):
    """A file or a request grew past its limit while it was being received."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"over the limit of {limit:,} bytes")
        self.limit = limit


@dataclass(frozen=True)
class Content:
    """What a file's bytes are, measured once: where they are is ``Upload``'s business."""

    size: int
    sha256: str
    head: bytes  # the first HEAD_BYTES
    utf8: bool  # the whole file decodes as UTF-8

    @classmethod
    def of(cls, data: bytes) -> Content:
        meter = Meter()
        meter.update(data)
        return meter.content()


class Meter:
    """Measures a file chunk by chunk: its size, SHA-256, head and whether it is UTF-8."""

    def __init__(self) -> None:
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._head = bytearray()
        self._utf8: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")()

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._sha256.update(chunk)
        if len(self._head) < HEAD_BYTES:
            self._head += chunk[: HEAD_BYTES - len(self._head)]
        if self._utf8 is not None:
            try:
                self._utf8.decode(chunk)
            except UnicodeDecodeError:
                self._utf8 = None  # not text; stop decoding

    def content(self) -> Content:
        utf8 = self._utf8 is not None
        if self._utf8 is not None:
            try:
                self._utf8.decode(b"", final=True)  # a sequence cut short at the end
            except UnicodeDecodeError:
                utf8 = False
        return Content(self.size, self._sha256.hexdigest(), bytes(self._head), utf8)


@dataclass(frozen=True)
class Upload:
    """A file offered with an entry: its name as sent and its measured content, whose
    bytes are either here (``data``: small files, tests, the demo) or staged on disk
    by ``FileStore.receive`` (``staged``), or already in the store (neither)."""

    name: str
    content: Content
    declared_media_type: str = "application/octet-stream"
    data: bytes | None = field(default=None, repr=False)
    staged: Path | None = None

    @classmethod
    def of_bytes(
        cls, name: str, data: bytes, declared_media_type: str = "application/octet-stream"
    ) -> Upload:
        return cls(name, Content.of(data), declared_media_type, data=data)


_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"ftyp", 4, "video/mp4"),
)


def sniff_media_type(content: Content) -> str | None:
    """The media type the bytes themselves show, or None if not an accepted kind."""
    head = content.head
    for magic, offset, media_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"\x00" not in head and content.utf8:
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
    size = upload.content.size
    if not size:
        raise InvalidInput("%(name)s is empty.", field="files", name=name)
    if size > max_bytes:
        raise InvalidInput(
            "%(name)s is %(size)s bytes; the limit is %(max)s.",
            field="files",
            name=name,
            size=size,
            max=max_bytes,
        )
    media_type = sniff_media_type(upload.content)
    if media_type is None:
        raise InvalidInput(
            "%(name)s: accepted kinds are PDF, PNG, JPEG, GIF, WebP, ZIP, MP4 and plain text.",
            field="files",
            name=name,
        )
    return FileRef(name=name, size=size, media_type=media_type, sha256=upload.content.sha256)


class Receiving:
    """One file being received into the store's incoming directory: ``write`` each
    chunk (measured on the way, refused past ``max_bytes``), then ``finish``, or
    ``discard`` on any failure."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix="upload-")
        self.path = Path(name)
        self._file: BinaryIO = os.fdopen(fd, "wb")
        self._meter = Meter()
        self.max_bytes = max_bytes

    @property
    def size(self) -> int:
        return self._meter.size

    def write(self, chunk: bytes) -> None:
        if self._meter.size + len(chunk) > self.max_bytes:
            raise TooLarge(self.max_bytes)
        self._meter.update(chunk)
        self._file.write(chunk)

    def finish(self, name: str, declared_media_type: str) -> Upload:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return Upload(name, self._meter.content(), declared_media_type, staged=self.path)

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


class FileStore:
    """Content-addressed files on disk: <root>/ab/cd/<sha256>.  Writes are atomic
    (temp file + rename), so a crash never leaves a half file under a real name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def receive(self, max_bytes: int) -> Receiving:
        """A file to stream in chunks into the incoming directory (see ``put``)."""
        return Receiving(self.root / INCOMING, max_bytes)

    def put(self, upload: Upload) -> str:
        """Put the upload's bytes under their SHA-256 (a staged file is moved there)."""
        digest = upload.content.sha256
        path = self.path_for(digest)
        if path.exists():
            if upload.staged is not None:
                upload.staged.unlink(missing_ok=True)
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        if upload.staged is not None:
            os.replace(upload.staged, path)
            return digest
        if upload.data is None:
            raise FileNotFoundError(f"no bytes for {upload.name} ({digest})")
        self._write(path, upload.data)
        return digest

    def _write(self, path: Path, data: bytes) -> None:
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

    def stored(self, name: str, sha256: str, size: int, media_type: str) -> Upload:
        """A file already in the store, offered again (a revision keeping its files):
        measured from its head only, its bytes never read whole."""
        path = self.path_for(sha256)
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
        # It passed check_upload when first stored, so it is text if it was text then.
        utf8 = media_type == "text/plain"
        return Upload(name, Content(size, sha256, head, utf8), media_type)

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def chunks(self, sha256: str, size: int = READ_CHUNK_BYTES) -> Iterator[bytes]:
        with self.path_for(sha256).open("rb") as f:
            while chunk := f.read(size):
                yield chunk

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def sweep_incoming(self, now: float, older_than: float = ABANDONED_AFTER_SECONDS) -> int:
        """Delete staged files last written before ``now - older_than`` (a request
        cleans up after itself; only a killed worker leaves any).  How many went."""
        directory = self.root / INCOMING
        if not directory.is_dir():
            return 0
        swept = 0
        for path in directory.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < now - older_than:
                    path.unlink()
                    swept += 1
            except FileNotFoundError:
                continue  # taken meanwhile
        return swept
