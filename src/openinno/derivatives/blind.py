"""Blind copies: an uploaded file without the metadata that can name its author.

Until a challenge's identities are revealed, reviewers, the sponsor and the public
get these copies, never the original bytes (which stay what the receipt hashed and
what the authors download).  Images are edited at the level of their containers
(JPEG segments, PNG and WebP chunks, GIF blocks): the pixels are copied byte for byte,
never decoded and re-encoded.
PDFs are rewritten by qpdf (pikepdf) without their document information dictionary
and XMP streams.  An MP4 keeps every byte offset: its ``udta``, ``meta`` and XMP
boxes become ``free`` boxes of the same size (a player skips them), so the chunk
offsets in ``stco``/``co64`` stay right without rewriting the file.  A ZIP is rebuilt
member by member with the same names and bytes, without comments, extra fields
(owner ids, NTFS and Unix times) or timestamps (all 1980-01-01).

What is *not* stripped, and why:
  - Plain text is served as uploaded: it has no metadata apart from its words.
  - A ZIP's member names (a folder named after its author is the work's own
    structure) and the files inside it (a document inside an archive keeps its own
    metadata); the pages and the API say so (``Stripping.note``).
  - Anything drawn in the pixels or written in a PDF's pages (a signature in the
    corner, a name on the title page): that is the work itself.
  - PDF attachments (embedded files) keep their own bytes.

Files are at most ``Settings.max_file_bytes``, so a copy is made in memory; what the
web serves is streamed from disk.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

JPEG_SOI = b"\xff\xd8"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# JPEG markers dropped whole: APP1 (EXIF, XMP), APP12 ("Ducky", picture info),
# APP13 (Photoshop IRB with IPTC: by-line, credit, copyright), COM (comments).
# APP0 (JFIF), APP2 (ICC profile) and APP14 (Adobe colour transform) are kept:
# the image needs them to look the same.
_JPEG_DROPPED = {0xE1: "EXIF/XMP (APP1)", 0xEC: "APP12", 0xED: "IPTC (APP13)", 0xFE: "comment"}
_PNG_DROPPED = {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"}
_WEBP_DROPPED = {b"EXIF", b"XMP "}
_VP8X_EXIF_FLAG = 0x08
_VP8X_XMP_FLAG = 0x04
_EXIF_ORIENTATION = 0x0112


class CannotStrip(ValueError):
    """The bytes are not a well-formed file of their kind: no blind copy can be vouched for."""


@dataclass(frozen=True)
class Stripping:
    """A blind copy, or why the original is served as it is (``data`` None)."""

    data: bytes | None
    removed: tuple[str, ...] = ()
    note: str = ""


@dataclass
class _Removed:
    names: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)


def can_strip(media_type: str) -> bool:
    return media_type in _STRIPPERS


def strip_metadata(media_type: str, data: bytes) -> Stripping:
    """The blind copy of ``data`` (sniffed as ``media_type`` at upload).
    Raises CannotStrip for a malformed file of a kind that is stripped."""
    stripper = _STRIPPERS.get(media_type)
    if stripper is None:
        return Stripping(None, note=UNCHANGED_NOTES.get(media_type, "served as uploaded"))
    removed = _Removed()
    copy = stripper(data, removed)
    return Stripping(copy, tuple(removed.names))


UNCHANGED_NOTES = {
    "text/plain": "served as uploaded: plain text has no metadata apart from its words",
}


# --- JPEG ---------------------------------------------------------------------------------


def _strip_jpeg(data: bytes, removed: _Removed) -> bytes:
    if not data.startswith(JPEG_SOI):
        raise CannotStrip("not a JPEG")
    out = io.BytesIO()
    out.write(JPEG_SOI)
    orientation: int | None = None
    i, end = 2, len(data)
    while i < end:
        if data[i] != 0xFF:
            raise CannotStrip(f"JPEG: expected a marker at byte {i}")
        while i + 1 < end and data[i + 1] == 0xFF:  # fill bytes
            i += 1
        if i + 1 >= end:
            raise CannotStrip("JPEG: truncated")
        marker = data[i + 1]
        if marker == 0xD9:  # EOI: anything after it (appended archives, notes) is dropped
            out.write(b"\xff\xd9")
            if i + 2 < end:
                removed.add("data after the end of the image")
            return _with_orientation(out.getvalue(), orientation)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out.write(data[i : i + 2])
            i += 2
            continue
        if i + 4 > end:
            raise CannotStrip("JPEG: truncated segment")
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if length < 2 or i + 2 + length > end:
            raise CannotStrip("JPEG: segment runs past the end")
        segment = data[i : i + 2 + length]
        if marker in _JPEG_DROPPED:
            removed.add(_JPEG_DROPPED[marker])
            if marker == 0xE1 and orientation is None:
                orientation = _exif_orientation(segment[4:])
        else:
            out.write(segment)
        i += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            j = i
            while True:
                j = data.find(b"\xff", j)
                if j == -1 or j + 1 >= end:
                    raise CannotStrip("JPEG: scan data has no end")
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    j += 1
                    continue
                break
            out.write(data[i:j])
            i = j
    raise CannotStrip("JPEG: no end of image")


def _exif_orientation(payload: bytes) -> int | None:
    """The EXIF orientation tag, which says how to turn the picture upright: kept (alone)
    so that dropping the EXIF segment does not leave a photo lying on its side."""
    if not payload.startswith(b"Exif\x00\x00"):
        return None
    from PIL import Image

    try:
        exif = Image.Exif()
        exif.load(payload[6:])
        value = exif.get(_EXIF_ORIENTATION)
    except Exception:  # a malformed EXIF block: it is dropped anyway
        return None
    return value if isinstance(value, int) and 2 <= value <= 8 else None


def _with_orientation(jpeg: bytes, orientation: int | None) -> bytes:
    if orientation is None:
        return jpeg
    from PIL import Image

    exif = Image.Exif()
    exif[_EXIF_ORIENTATION] = orientation
    payload = b"Exif\x00\x00" + exif.tobytes()
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


# --- PNG ----------------------------------------------------------------------------------


def _strip_png(data: bytes, removed: _Removed) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        raise CannotStrip("not a PNG")
    out = io.BytesIO()
    out.write(PNG_SIGNATURE)
    i, end = len(PNG_SIGNATURE), len(data)
    while i + 12 <= end:
        length = struct.unpack(">I", data[i : i + 4])[0]
        kind = data[i + 4 : i + 8]
        chunk_end = i + 12 + length
        if chunk_end > end:
            raise CannotStrip("PNG: chunk runs past the end")
        if kind in _PNG_DROPPED:
            removed.add(f"{kind.decode('latin-1')} chunk")
        else:
            out.write(data[i:chunk_end])
        i = chunk_end
        if kind == b"IEND":
            if i < end:
                removed.add("data after the end of the image")
            return out.getvalue()
    raise CannotStrip("PNG: no IEND chunk")


# --- WebP ---------------------------------------------------------------------------------


def _strip_webp(data: bytes, removed: _Removed) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise CannotStrip("not a WebP")
    riff_end = min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    if riff_end < len(data):
        removed.add("data after the end of the image")
    chunks = bytearray()
    i = 12
    while i + 8 <= riff_end:
        kind = data[i : i + 4]
        size = struct.unpack("<I", data[i + 4 : i + 8])[0]
        chunk_end = i + 8 + size + (size & 1)
        if i + 8 + size > riff_end:
            raise CannotStrip("WebP: chunk runs past the end")
        chunk = bytearray(data[i : min(chunk_end, riff_end)])
        if len(chunk) < 8 + size + (size & 1):
            chunk += b"\x00"  # a missing final pad byte
        if kind in _WEBP_DROPPED:
            removed.add(f"{kind.decode('latin-1').strip()} chunk")
        else:
            if kind == b"VP8X" and size >= 1:
                # The header announces the chunks: it must not promise the dropped ones.
                chunk[8] &= ~(_VP8X_EXIF_FLAG | _VP8X_XMP_FLAG) & 0xFF
            chunks += chunk
        i = chunk_end
    if not chunks:
        raise CannotStrip("WebP: no image chunk")
    # RIFF's size counts what follows it: "WEBP" and the chunks that are left.
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


# --- GIF ----------------------------------------------------------------------------------


def _strip_gif(data: bytes, removed: _Removed) -> bytes:
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise CannotStrip("not a GIF")
    out = io.BytesIO()
    flags = data[10]
    i = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    out.write(data[:i])
    end = len(data)

    def sub_blocks(j: int) -> int:
        """The index just past a chain of data sub-blocks starting at ``j``."""
        while True:
            if j >= end:
                raise CannotStrip("GIF: truncated data")
            size = data[j]
            j += 1 + size
            if size == 0:
                return j

    while i < end:
        introducer = data[i]
        if introducer == 0x3B:  # trailer
            out.write(b"\x3b")
            if i + 1 < end:
                removed.add("data after the end of the image")
            return out.getvalue()
        if introducer == 0x21:
            if i + 2 > end:
                raise CannotStrip("GIF: truncated extension")
            label = data[i + 1]
            block_end = sub_blocks(i + 2)
            block = data[i:block_end]
            if label == 0xFE:
                removed.add("comment")
            elif label == 0xFF and block[3:14] == b"XMP DataXMP":
                removed.add("XMP")
            else:
                out.write(block)
            i = block_end
        elif introducer == 0x2C:
            if i + 10 > end:
                raise CannotStrip("GIF: truncated image descriptor")
            local = data[i + 9]
            j = i + 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            block_end = sub_blocks(j + 1)  # after the LZW minimum code size
            out.write(data[i:block_end])
            i = block_end
        else:
            raise CannotStrip(f"GIF: unknown block {introducer:#x}")
    raise CannotStrip("GIF: no trailer")


# --- PDF ----------------------------------------------------------------------------------


def _strip_pdf(data: bytes, removed: _Removed) -> bytes:
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as e:
        raise CannotStrip(f"PDF: {e}") from None
    with pdf:
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
            removed.add("document information")
        # XMP can hang off the catalogue, pages, images, fonts: every /Metadata goes.
        # /PieceInfo is private data of the application that wrote the file (it can
        # carry the author's name and paths on their disk).
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                for key, what in (("/Metadata", "XMP metadata"), ("/PieceInfo", "PieceInfo")):
                    if key in obj:
                        del obj[key]
                        removed.add(what)
        out = io.BytesIO()
        # A full rewrite: only objects still reachable are written, so an earlier
        # revision's information dictionary (incremental updates) goes too.
        pdf.save(out, fix_metadata_version=False, deterministic_id=True)
    return out.getvalue()


# --- MP4 (ISO base media file format) -----------------------------------------------------

# Boxes that hold tags (©ART artist, ©too encoder, XMP, Apple's and Android's
# location and author keys): user data, metadata, and the XMP uuid box.
_MP4_DROPPED = {b"udta": "user data (udta)", b"meta": "metadata (meta)"}
_MP4_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
# Containers whose children may hold them: the movie and each track.
_MP4_CONTAINERS = {b"moov", b"trak"}


def _strip_mp4(data: bytes, removed: _Removed) -> bytes:
    out = bytearray(data)
    _blank_mp4_boxes(out, 0, len(out), removed)
    if not removed.names:
        return data
    return bytes(out)


def _blank_mp4_boxes(out: bytearray, start: int, end: int, removed: _Removed) -> None:
    i = start
    while i < end:
        if i + 8 > end:
            raise CannotStrip(f"MP4: truncated box header at byte {i}")
        size, kind = struct.unpack(">I4s", out[i : i + 8])
        header = 8
        if size == 1:  # a 64-bit size follows the type
            if i + 16 > end:
                raise CannotStrip(f"MP4: truncated box header at byte {i}")
            (size,) = struct.unpack(">Q", out[i + 8 : i + 16])
            header = 16
        elif size == 0:  # the last box runs to the end of its container
            size = end - i
        if size < header or i + size > end:
            raise CannotStrip(f"MP4: box {kind!r} at byte {i} runs past its container")
        what = _MP4_DROPPED.get(kind)
        if kind == b"uuid" and out[i + header : i + header + 16] == _MP4_XMP_UUID:
            what = "XMP metadata (uuid)"
        if what is not None:
            # Same size, new type, zeroed payload: every later offset stays where it was.
            out[i + 4 : i + 8] = b"free"
            out[i + header : i + size] = bytes(size - header)
            removed.add(what)
        elif kind in _MP4_CONTAINERS:
            _blank_mp4_boxes(out, i + header, i + size, removed)
        i += size


# --- ZIP ----------------------------------------------------------------------------------

# A member may expand at most this much over the whole archive's size: beyond it the
# archive is a decompression bomb, not an entry.
ZIP_MAX_EXPANSION = 200
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _strip_zip(data: bytes, removed: _Removed) -> bytes:
    import zipfile
    import zlib

    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        members = source.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as e:
        raise CannotStrip(f"ZIP: {e}") from None
    budget = ZIP_MAX_EXPANSION * max(len(data), 1)
    if sum(m.file_size for m in members) > budget:
        raise CannotStrip("ZIP: it expands to more than the platform unpacks")
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as copy:
        if source.comment:
            removed.add("archive comment")
        for member in members:
            if member.comment:
                removed.add("member comments")
            if member.extra:
                removed.add("extra fields (owners, times)")
            if member.date_time != _ZIP_EPOCH:
                removed.add("timestamps")
            neutral = zipfile.ZipInfo(member.filename, date_time=_ZIP_EPOCH)
            neutral.compress_type = member.compress_type
            neutral.external_attr = member.external_attr & 0xFFFF0000  # Unix mode only
            try:
                with source.open(member) as reader, copy.open(neutral, "w") as writer:
                    written = 0
                    while chunk := reader.read(1 << 16):
                        written += len(chunk)
                        if written > budget:
                            raise CannotStrip("ZIP: it expands to more than the platform unpacks")
                        writer.write(chunk)
            except (
                zipfile.BadZipFile,
                zlib.error,
                NotImplementedError,
                RuntimeError,
                EOFError,
            ) as e:
                # bad CRC, an unsupported method, an encrypted member
                raise CannotStrip(f"ZIP: {member.filename}: {e}") from None
    return out.getvalue()


_STRIPPERS: dict[str, Callable[[bytes, _Removed], bytes]] = {
    "image/jpeg": _strip_jpeg,
    "image/png": _strip_png,
    "image/webp": _strip_webp,
    "image/gif": _strip_gif,
    "application/pdf": _strip_pdf,
    "video/mp4": _strip_mp4,
    "application/zip": _strip_zip,
}
