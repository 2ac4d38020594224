"""Previews: small, bounded, made once per content hash; a clear reason when there is none."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib

from PIL import Image

from openinno.derivatives.previews import MAX_PIXELS, PREVIEW_SIDE, make_preview
from openinno.derivatives.store import DerivedFiles
from openinno.files import FileStore, Upload
from tests.support.files import AUTHOR, jpeg_naming, mp4_naming, pdf_naming, png_naming


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP"
        return image.size


def png_header(width: int, height: int) -> bytes:
    """A PNG's signature and header, claiming its size, and an empty image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_an_image_preview_is_at_most_480_pixels_on_its_longest_side():
    preview = make_preview("image/png", png_naming())  # 300 x 200: not enlarged
    assert preview.data is not None and size_of(preview.data) == (300, 200)
    big = io.BytesIO()
    Image.new("RGB", (2400, 1200), "white").save(big, "JPEG")
    preview = make_preview("image/jpeg", big.getvalue())
    assert preview.data is not None and size_of(preview.data) == (PREVIEW_SIDE, PREVIEW_SIDE // 2)


def test_a_photo_taken_sideways_is_previewed_upright():
    preview = make_preview("image/jpeg", jpeg_naming(orientation=6))  # 640 x 400, turned
    assert preview.data is not None and size_of(preview.data) == (300, 480)


def test_a_pdf_preview_is_its_first_page():
    preview = make_preview("application/pdf", pdf_naming(pages=3, size=(842, 595)))
    assert preview.data is not None
    width, height = size_of(preview.data)  # landscape: the first page's shape
    assert width == PREVIEW_SIDE and abs(height - 595 * PREVIEW_SIDE / 842) < 1


def test_an_image_bomb_is_not_decoded():
    # A few bytes claiming 20,000 x 20,000 pixels (the header is all that is read).
    bomb = png_header(20_000, 20_000)
    assert MAX_PIXELS < 20_000**2
    preview = make_preview("image/png", bomb)
    assert preview.data is None and "too large" in preview.reason


def test_an_image_just_over_our_limit_is_refused_by_its_header():
    preview = make_preview("image/png", png_header(8_000, 5_001))
    assert preview.data is None and "over the 40,000,000-pixel limit" in preview.reason


def test_a_huge_pdf_page_is_not_rendered():
    preview = make_preview("application/pdf", pdf_naming(size=(14_400, 20_000)))
    assert preview.data is None and "over the 14,400-point limit" in preview.reason


def test_kinds_without_previews_and_broken_files_give_a_reason():
    assert make_preview("video/mp4", b"....ftyp").reason == "no preview for video/mp4 files"
    assert "could not be read" in make_preview("image/png", b"\x89PNG\r\n\x1a\nbroken").reason
    assert "could not be opened" in make_preview("application/pdf", b"%PDF-1.7 nope").reason


def test_derivatives_are_made_once_per_hash_from_the_blind_copy(tmp_path):
    originals = FileStore(tmp_path / "files")
    derived = DerivedFiles(originals, tmp_path / "files" / "derived")
    sha = originals.put(Upload.of_bytes("f", jpeg_naming()))
    assert derived.preview(sha).state == "pending"
    status = derived.derive(sha, "image/jpeg")
    assert status.state == "ready" and status.path is not None
    blind = derived.blind_copy(sha)
    assert blind is not None and blind.state == "stripped" and blind.path is not None
    assert AUTHOR.encode() not in blind.path.read_bytes()
    assert blind.sha256 == hashlib.sha256(blind.path.read_bytes()).hexdigest()
    made = status.path.stat().st_mtime_ns, blind.path.stat().st_mtime_ns
    derived.derive(sha, "image/jpeg")  # again: nothing is remade
    assert (status.path.stat().st_mtime_ns, blind.path.stat().st_mtime_ns) == made
    assert not list((tmp_path / "files" / "derived").rglob(".incoming-*"))


def test_no_preview_is_recorded_with_its_reason(tmp_path):
    originals = FileStore(tmp_path / "files")
    derived = DerivedFiles(originals, tmp_path / "derived")
    sha = originals.put(Upload.of_bytes("f", mp4_naming()))
    status = derived.derive(sha, "video/mp4")
    assert status.state == "none" and status.reason == "no preview for video/mp4 files"
    assert derived.preview(sha) == status
    blind = derived.blind_copy(sha)
    assert blind is not None and blind.state == "stripped"
    text = originals.put(Upload.of_bytes("f", b"our idea, in words"))
    derived.derive(text, "text/plain")
    unchanged = derived.blind_copy(text)
    assert unchanged is not None and unchanged.state == "unchanged"
    assert unchanged.path == originals.path_for(text)
    broken = originals.put(Upload.of_bytes("f", b"%PDF-1.7 not really"))
    assert derived.derive(broken, "application/pdf").state == "none"
    withheld = derived.blind_copy(broken)
    assert withheld is not None and withheld.state == "withheld" and withheld.path is None


def test_an_unchanged_record_of_a_kind_now_stripped_is_made_again(tmp_path):
    # Before MP4s were stripped, their record said "unchanged" and blind viewers got the
    # original, tags and all.  Such a record must not keep serving the original.
    originals = FileStore(tmp_path / "files")
    derived = DerivedFiles(originals, tmp_path / "derived")
    sha = originals.put(Upload.of_bytes("clip.mp4", mp4_naming()))
    record = derived.directory(sha) / "blind.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"state": "unchanged", "sha256": sha, "size": 1, "note": "old"}))

    blind = derived.make_blind_copy(sha, "video/mp4")

    assert blind.state == "stripped" and blind.path is not None
    assert AUTHOR.encode() not in blind.path.read_bytes()
