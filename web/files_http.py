"""Sending an entry's file over HTTP, the same for the API and the pages: streamed
from disk in chunks, with its SHA-256 as a strong ETag (304 on If-None-Match), one
byte range (206; 416 when unsatisfiable; video players seek with these), and the
headers that keep an uploaded file from acting as a page of this site."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.enums import HttpMethod
from litestar.response import Stream

from openinno.application import ServedFile

CHUNK_BYTES = 64 * 1024
# Only these are shown in the browser; anything else is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
# No scripts, no plugins, no requests, and a unique origin even when opened directly:
# an uploaded file is never a page of this site.
FILE_CSP = "default-src 'none'; sandbox"
# The file routes answer HEAD with GET's headers and no bytes.
FILE_METHODS = [HttpMethod.GET, HttpMethod.HEAD]
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ ()+-]")


def content_disposition(name: str, media_type: str) -> str:
    """RFC 6266: an ASCII fallback name and the exact one as UTF-8 (``filename*``)."""
    kind = "inline" if media_type in INLINE_TYPES else "attachment"
    fallback = _UNSAFE_NAME.sub("_", name).strip(" .") or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def byte_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """The one range asked for as (first, last) inclusive; None to send it all (no
    range, another unit, several ranges); False if it cannot be satisfied."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)  # the last N bytes
        if suffix == 0 or size == 0:
            return False
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or (last_text and last < first):
        return False
    return first, min(last, size - 1)


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(start)
        while length > 0:
            chunk = f.read(min(CHUNK_BYTES, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def file_response(request: Request[Any, Any, Any], served: ServedFile) -> Response[Any]:
    etag = f'"{served.sha256}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(served.name, served.media_type),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        # Who may download depends on the viewer and the challenge's state: never
        # stored by a shared cache; revalidated by the browser with the ETag.
        "Cache-Control": "private, no-cache",
        "Vary": "Cookie, Authorization",
    }
    media_type = served.media_type
    if media_type == "text/plain":
        media_type = "text/plain; charset=utf-8"  # checked as UTF-8 at upload (files.py)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and _etag_matches(if_none_match, etag):
        return Response(b"", status_code=304, headers=headers)
    size = served.size
    wanted: tuple[int, int] | bool | None = None
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if range_header is not None and (if_range is None or if_range.strip() == etag):
        wanted = byte_range(range_header, size)
    if wanted is False:
        return Response(
            b"",
            status_code=416,
            headers={**headers, "Content-Range": f"bytes */{size}"},
            media_type=media_type,
        )
    if isinstance(wanted, tuple):
        first, last = wanted
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        headers["Content-Length"] = str(last - first + 1)
        return Stream(
            _body(request, served.path, first, last - first + 1),
            status_code=206,
            headers=headers,
            media_type=media_type,
        )
    headers["Content-Length"] = str(size)
    return Stream(
        _body(request, served.path, 0, size),
        status_code=200,
        headers=headers,
        media_type=media_type,
    )


def _body(request: Request[Any, Any, Any], path: Path, start: int, length: int) -> Iterator[bytes]:
    """The bytes a GET streams; none for HEAD, which answers the same headers (the
    routes take both methods: players and download managers ask HEAD first)."""
    if request.method == "HEAD":
        return iter(())
    return _chunks(path, start, length)
