"""Files whose metadata names their author, as cameras and office programs write them."""

from __future__ import annotations

import io
import struct

import pikepdf
from PIL import Image, PngImagePlugin

AUTHOR = "Ada Solverson"


def xmp_packet(name: str = AUTHOR) -> bytes:
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b"<dc:creator>" + name.encode() + b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def _exif(name: str, orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x013B] = name  # Artist
    exif[0x8298] = f"(c) {name}"  # Copyright
    if orientation is not None:
        exif[0x0112] = orientation
    return exif.tobytes()


def jpeg_naming(name: str = AUTHOR, *, orientation: int | None = None) -> bytes:
    """A JPEG with the name in EXIF (Artist, Copyright), XMP, IPTC (APP13) and a comment."""
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 40, 40)).save(
        out, "JPEG", exif=_exif(name, orientation), comment=name.encode()
    )
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(name)
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00" + struct.pack(">I", 5 + len(name))
    iptc += b"\x1c\x02\x50" + struct.pack(">H", len(name)) + name.encode()  # 2:80 By-line
    segments = b"".join(
        marker + struct.pack(">H", len(payload) + 2) + payload
        for marker, payload in ((b"\xff\xe1", xmp), (b"\xff\xed", iptc))
    )
    return data[:2] + segments + data[2:]


def png_naming(name: str = AUTHOR) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", name)
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(name).decode())
    info.add_text("Comment", name, zip=True)
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (10, 120, 200, 255)).save(
        out, "PNG", pnginfo=info, exif=_exif(name)
    )
    return out.getvalue()


def webp_naming(name: str = AUTHOR) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 200, 20)).save(
        out, "WEBP", exif=_exif(name), xmp=xmp_packet(name)
    )
    return out.getvalue()


def gif_naming(name: str = AUTHOR) -> bytes:
    out = io.BytesIO()
    Image.new("P", (120, 80), 3).save(out, "GIF", comment=name.encode())
    return out.getvalue()


def pdf_naming(
    name: str = AUTHOR, *, pages: int = 1, size: tuple[float, float] = (595, 842)
) -> bytes:
    """A PDF with the name in its document information (Author, Creator) and its XMP."""
    pdf = pikepdf.new()
    for _ in range(pages):
        page = pdf.add_blank_page()
        page.MediaBox = pikepdf.Array([0, 0, *size])  # any size, even one past the spec's
    pdf.docinfo["/Author"] = name
    pdf.docinfo["/Creator"] = f"Writer of {name}"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [name]
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


MP4_MEDIA = b"\x00\x11\x22\x33 the coded frames " * 8
MP4_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")


def mp4_naming(name: str = AUTHOR, *, large_mdat: bool = False) -> bytes:
    """An MP4 whose tags name the author in the places cameras and editors write them:
    the movie's and a track's user data (``©ART``), a ``meta`` box, an XMP uuid box.
    Its ``stco`` points at the media inside ``mdat`` (which stays where it is)."""
    tag = _box(b"\xa9ART", name.encode())
    head = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    xmp = _box(b"uuid", MP4_XMP_UUID + xmp_packet(name))

    def moov(offset: int) -> bytes:
        stco = _box(b"stco", struct.pack(">II", 0, 1) + struct.pack(">I", offset))
        trak = _box(b"trak", _box(b"tkhd", bytes(84)) + _box(b"udta", tag) + stco)
        meta = _box(b"meta", bytes(4) + _box(b"ilst", tag))
        return _box(b"moov", _box(b"mvhd", bytes(100)) + _box(b"udta", tag) + meta + trak)

    if large_mdat:  # a 64-bit size: size field 1, the real size after the type
        mdat_header = struct.pack(">I4sQ", 1, b"mdat", 16 + len(MP4_MEDIA))
    else:
        mdat_header = struct.pack(">I4s", 8 + len(MP4_MEDIA), b"mdat")
    before_media = len(head) + len(moov(0)) + len(xmp) + len(mdat_header)
    return head + moov(before_media) + xmp + mdat_header + MP4_MEDIA


ZIP_MEMBERS = {"design/logo.svg": b"<svg>" + b"x" * 300 + b"</svg>", "notes.txt": b"our idea"}


def zip_naming(name: str = AUTHOR) -> bytes:
    """A ZIP that names its author outside its members' bytes: the archive comment, a
    member comment, an extra field (as archivers store owners and times), timestamps."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = f"packed by {name}".encode()
        for i, (member, data) in enumerate(ZIP_MEMBERS.items()):
            info = zipfile.ZipInfo(member, date_time=(2026, 3, 14, 15, 9, 26))
            info.compress_type = zipfile.ZIP_DEFLATED
            if i == 0:
                info.comment = f"drawn by {name}".encode()
                owner = name.encode()
                info.extra = struct.pack("<HH", 0x7875, len(owner)) + owner
            archive.writestr(info, data)
    return out.getvalue()
