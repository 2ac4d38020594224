"""Previews: a small WebP of an image, or of a PDF's first page.

Made from the blind copy (never from the original before names are revealed), in
the background (``follower.py``), once per content hash.  Decoding is bounded: an
image whose header claims more than ``MAX_PIXELS`` is not decoded at all (an image
bomb is a few kilobytes that claim gigapixels), and a PDF page larger than
``MAX_PAGE_POINTS`` on a side is not rendered.  A file that cannot be previewed gets
a reason instead, which the pages show in place of the picture.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

PREVIEW_SIDE = 480  # longest side, in pixels
PREVIEW_MEDIA_TYPE = "image/webp"
# 40 megapixels: a 7,700 x 5,200 photo.  Pillow's own default bomb check (89 Mpx, an
# error only at twice that) is for programs that mean to decode the image.
MAX_PIXELS = 40_000_000
# PDF user space is in points (1/72 in); 14,400 pt (200 in) is the largest page the
# PDF specification allows without UserUnit.  Rendering to PREVIEW_SIDE caps the
# output; MAX_RENDER_SCALE caps how far a tiny page is blown up.
MAX_PAGE_POINTS = 14_400
MAX_RENDER_SCALE = 8.0
PREVIEWABLE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})


@dataclass(frozen=True)
class Preview:
    """The preview's bytes, or why there is none (``data`` None, ``reason`` said)."""

    data: bytes | None
    reason: str = ""


def make_preview(media_type: str, data: bytes) -> Preview:
    if media_type not in PREVIEWABLE:
        return Preview(None, f"no preview for {media_type} files")
    if media_type == "application/pdf":
        return _pdf_preview(data)
    return _image_preview(data)


def _image_preview(data: bytes) -> Preview:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow warns (DecompressionBombWarning) before its own limit: refuse instead.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return Preview(
                        None,
                        f"the image is {width:,} x {height:,} pixels, over the "
                        f"{MAX_PIXELS:,}-pixel limit for previews",
                    )
                image.draft("RGB", (PREVIEW_SIDE, PREVIEW_SIDE))  # JPEG: decode scaled down
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
                return Preview(_webp(upright))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        # Pillow's own check at open, for sizes far past ours.
        return Preview(None, f"the image is too large to preview ({e})")
    except UnidentifiedImageError as e:
        return Preview(None, f"the image could not be read ({e})")
    except (OSError, SyntaxError, ValueError) as e:
        return Preview(None, f"the image could not be decoded ({e})")


def _webp(image: object) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert(
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        )
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=80, method=4)
    return out.getvalue()


def _pdf_preview(data: bytes) -> Preview:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        return Preview(None, f"the PDF could not be opened ({e})")
    try:
        if len(document) == 0:
            return Preview(None, "the PDF has no pages")
        page = document[0]
        try:
            width, height = page.get_size()
            if not (0 < width <= MAX_PAGE_POINTS and 0 < height <= MAX_PAGE_POINTS):
                return Preview(
                    None,
                    f"the first page is {width:,.0f} x {height:,.0f} points, over the "
                    f"{MAX_PAGE_POINTS:,}-point limit for previews",
                )
            scale = min(MAX_RENDER_SCALE, PREVIEW_SIDE / max(width, height))
            bitmap = page.render(scale=scale)
            try:
                image = bitmap.to_pil()
                return Preview(_webp(image))
            finally:
                bitmap.close()
        finally:
            page.close()
    except pdfium.PdfiumError as e:
        return Preview(None, f"the first page could not be rendered ({e})")
    finally:
        document.close()
