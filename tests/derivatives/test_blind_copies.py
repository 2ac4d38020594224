"""Blind copies keep the picture and the pages, and lose what names the author."""

from __future__ import annotations

import io
import struct
import zipfile

import pikepdf
import pytest
from PIL import Image

from openinno.derivatives.blind import CannotStrip, strip_metadata
from tests.support.files import (
    AUTHOR,
    MP4_MEDIA,
    MP4_XMP_UUID,
    ZIP_MEMBERS,
    gif_naming,
    jpeg_naming,
    mp4_naming,
    pdf_naming,
    png_naming,
    webp_naming,
    zip_naming,
)

NAME = AUTHOR.encode()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGBA").tobytes()


@pytest.mark.parametrize(
    ("media_type", "make", "expected"),
    [
        ("image/jpeg", jpeg_naming, {"EXIF/XMP (APP1)", "IPTC (APP13)", "comment"}),
        ("image/png", png_naming, {"tEXt chunk", "iTXt chunk", "zTXt chunk", "eXIf chunk"}),
        ("image/webp", webp_naming, {"EXIF chunk", "XMP chunk"}),
        ("image/gif", gif_naming, {"comment"}),
    ],
)
def test_images_lose_the_name_and_keep_every_pixel(media_type, make, expected):
    original = make()
    assert NAME in original
    blind = strip_metadata(media_type, original)
    assert blind.data is not None
    assert NAME not in blind.data
    assert set(blind.removed) == expected
    # Edited at the container level: the decoded image is identical.
    assert pixels(blind.data) == pixels(original)


def test_a_webp_header_no_longer_announces_the_dropped_chunks():
    blind = strip_metadata("image/webp", webp_naming()).data
    assert blind is not None
    assert int.from_bytes(blind[4:8], "little") == len(blind) - 8  # the RIFF size fixed
    vp8x_flags = blind[20]
    assert vp8x_flags & 0x0C == 0
    with Image.open(io.BytesIO(blind)) as image:
        assert "exif" not in image.info and "xmp" not in image.info


def test_a_jpeg_keeps_its_orientation_alone():
    blind = strip_metadata("image/jpeg", jpeg_naming(orientation=6)).data
    assert blind is not None and NAME not in blind
    with Image.open(io.BytesIO(blind)) as image:
        exif = image.getexif()
    assert dict(exif) == {0x0112: 6}


def test_a_pdf_loses_its_document_information_and_xmp():
    original = pdf_naming(pages=2)
    blind = strip_metadata("application/pdf", original)
    assert blind.data is not None
    assert NAME not in blind.data
    assert set(blind.removed) == {"document information", "XMP metadata"}
    with pikepdf.open(io.BytesIO(blind.data)) as pdf:
        assert len(pdf.pages) == 2
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root


def test_data_hidden_after_the_end_of_an_image_is_dropped():
    original = png_naming() + b"PK\x03\x04 appended archive by " + NAME
    blind = strip_metadata("image/png", original)
    assert blind.data is not None and NAME not in blind.data
    assert "data after the end of the image" in blind.removed


def test_plain_text_is_not_stripped_and_says_so():
    blind = strip_metadata("text/plain", b"whatever " + NAME)
    assert blind.data is None
    assert "served as uploaded" in blind.note


@pytest.mark.parametrize("large_mdat", [False, True])
def test_an_mp4_loses_its_tags_and_keeps_every_offset(large_mdat):
    original = mp4_naming(large_mdat=large_mdat)
    assert original.count(NAME) == 4

    blind = strip_metadata("video/mp4", original)

    assert blind.data is not None and NAME not in blind.data
    assert set(blind.removed) == {"user data (udta)", "metadata (meta)", "XMP metadata (uuid)"}
    # Same length, and the media where the chunk offset table says it is.
    assert len(blind.data) == len(original)
    (offset,) = struct.unpack(">I", blind.data[blind.data.index(b"stco") + 12 :][:4])
    assert blind.data[offset : offset + len(MP4_MEDIA)] == MP4_MEDIA
    # Only blanked boxes differ: every differing byte lies in a box now called "free".
    assert blind.data.count(b"free") == 4


def test_an_mp4_without_tags_is_served_byte_for_byte():
    original = mp4_naming().replace(b"udta", b"skip").replace(b"meta", b"skip")
    original = original.replace(MP4_XMP_UUID, bytes(16))
    blind = strip_metadata("video/mp4", original)
    assert blind.data == original and blind.removed == ()


def test_a_zip_loses_comments_extra_fields_and_times_and_keeps_every_member():
    original = zip_naming()
    assert NAME in original

    blind = strip_metadata("application/zip", original)

    assert blind.data is not None and NAME not in blind.data
    assert set(blind.removed) == {
        "archive comment",
        "member comments",
        "extra fields (owners, times)",
        "timestamps",
    }
    with zipfile.ZipFile(io.BytesIO(blind.data)) as copy:
        assert {m.filename: copy.read(m) for m in copy.infolist()} == ZIP_MEMBERS
        assert {m.date_time for m in copy.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert copy.comment == b""


def test_a_zip_bomb_gets_no_blind_copy():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(20_000_000))  # ~20 KB packed: a 1,000x expansion
    with pytest.raises(CannotStrip, match="expands"):
        strip_metadata("application/zip", out.getvalue())


def test_a_zip_with_a_damaged_member_gets_no_blind_copy():
    original = bytearray(zip_naming())
    with zipfile.ZipFile(io.BytesIO(bytes(original))) as archive:
        first = archive.infolist()[0]
    # The member's data follows its local header (30 bytes, its name, its extra field).
    data_at = first.header_offset + 30 + len(first.filename) + len(first.extra)
    original[data_at + first.compress_size // 2] ^= 0xFF
    with pytest.raises(CannotStrip, match=r"ZIP: design/logo\.svg"):
        strip_metadata("application/zip", bytes(original))


@pytest.mark.parametrize(
    ("media_type", "data"),
    [
        ("image/jpeg", b"\xff\xd8\xff\xe1\x00"),
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"),
        ("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x21\xfe\x05ab"),
        ("image/webp", b"RIFF\x10\x00\x00\x00WEBPEXIF\xff\x00\x00\x00"),
        ("application/pdf", b"%PDF-1.7\n" + b"x" * 200),
    ],
)
def test_a_malformed_file_cannot_be_vouched_for(media_type, data):
    with pytest.raises(CannotStrip):
        strip_metadata(media_type, data)
