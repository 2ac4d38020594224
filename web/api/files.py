"""An entry's files and their previews, streamed (web/files_http.py).  Who may
download what is the application's rule (``OpenInno.file_for``), the same as on the
pages: the authors get the original bytes; reviewers, the sponsor and a public
gallery's visitors get the blind copy under a neutral name until identities are
revealed; anyone else gets the 404 an unknown hash gets."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, route
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from openinno.application import OpenInno
from web.api.auth import signed_in
from web.api.problems import problem_spec
from web.files_http import FILE_METHODS, file_response

_FILE_DESCRIPTION = """\
The file's bytes, streamed.  `ETag` is the SHA-256 of the bytes sent: the original's
(the hash in the path, which the receipt names) for the entry's authors, and after the
challenge's identities are revealed for everyone; before that, other viewers get the
*blind copy*, with the metadata that can name people removed (EXIF, XMP, IPTC and
comments of images; a PDF's document information and XMP), under a neutral name
(`File 1.pdf`), and its own SHA-256 as the ETag.  MP4, ZIP and text files are sent as
uploaded.

`If-None-Match` answers 304; one `Range` (`bytes=first-last`, `bytes=first-`,
`bytes=-suffix`) answers 206 with `Content-Range`, or 416 when it lies past the end.
Images and PDFs come `inline`, everything else as an `attachment`; every file response
carries `X-Content-Type-Options: nosniff` and `Content-Security-Policy: default-src
'none'; sandbox`.

Who may: the entry's authors; reviewers of the challenge who accepted, during its
review period, unless they declared a conflict on this entry; the sponsor
organisation's owners, managers and legal; everyone when the challenge's gallery is
public and the entry is in it.  For anyone else, and for a hash that is not one of the
entry's files (in any version): 404, the same for both."""

_PREVIEW_DESCRIPTION = """\
A WebP preview of an image, or of a PDF's first page (longest side 480 px), made in the
background from the blind copy once per file (`openinno files derive`).  The same access
rule as the file.  404 while it is being made, and for a file that has no preview (the
pages show why: a kind without previews, an image over the pixel limit, a page over the
size limit)."""


def _binary(description: str, *extra: int) -> dict[int, ResponseSpec]:
    responses = {
        200: ResponseSpec(
            data_container=bytes,
            media_type="application/octet-stream",
            description=description,
            generate_examples=False,
        ),
        304: ResponseSpec(data_container=None, description="Not modified (If-None-Match)"),
    }
    for status, text in (
        (206, "Partial content: the one range asked for (Content-Range)"),
        (416, "Range not satisfiable (Content-Range: bytes */size)"),
    ):
        if status in extra:
            responses[status] = ResponseSpec(data_container=None, description=text)
    return {**responses, **problem_spec(401, 404)}


@route(
    "/submissions/{submission_id:uuid}/files/{sha256:str}",
    http_method=FILE_METHODS,
    tags=["submissions"],
    summary="Download one of an entry's files (streamed; ranges; blind copy before reveal)",
    description=_FILE_DESCRIPTION,
    responses=_binary("The file's bytes", 206, 416),
    sync_to_thread=True,
)
@signed_in
def download_file(
    submission_id: FromPath[UUID],
    sha256: FromPath[str],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[UUID | None],
    openinno: NamedDependency[OpenInno],
) -> Response[Any]:
    return file_response(request, openinno.file_for(viewer, submission_id, sha256.lower()))


@route(
    "/submissions/{submission_id:uuid}/files/{sha256:str}/preview",
    http_method=FILE_METHODS,
    tags=["submissions"],
    summary="The preview of one of an entry's files (WebP, made in the background)",
    description=_PREVIEW_DESCRIPTION,
    responses=_binary("The preview, image/webp"),
    sync_to_thread=True,
)
@signed_in
def file_preview(
    submission_id: FromPath[UUID],
    sha256: FromPath[str],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[UUID | None],
    openinno: NamedDependency[OpenInno],
) -> Response[Any]:
    return file_response(request, openinno.preview_for(viewer, submission_id, sha256.lower()))


HANDLERS = [download_file, file_preview]
