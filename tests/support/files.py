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
