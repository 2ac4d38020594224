"""GET /api/v1/submissions/{id}/files/{sha256}: streamed bytes, caching and ranges,
headers that keep a file from acting as a page, and blind copies for reviewers."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
from litestar.response import Stream
from litestar.testing import RequestFactory
from PIL import Image

from openinno.application import ServedFile
from tests.support.files import AUTHOR, jpeg_naming, pdf_naming
from web.files_http import CHUNK_BYTES, FILE_CSP, file_response

JPEG, PDF = jpeg_naming(), pdf_naming()
ZIP = b"PK\x03\x04" + bytes(range(256)) * 40


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def entry(cast):
    """A private challenge's entry with a JPEG, a PDF and a ZIP, and an accepted reviewer."""
    challenge_id = cast.draft(visibility="private", voting={"mode": "none"})
    c = cast.client
    r = c.post(f"/api/v1/challenges/{challenge_id}/publish", headers=cast.sponsor.auth)
    terms = r.json()["terms_sha256"]
    r = c.post(
        f"/api/v1/challenges/{challenge_id}/reviewers",
        json={"account_id": cast.reviewer.id},
        headers=cast.sponsor.auth,
    )
    assert r.status_code == 201, r.text
    r = c.post(f"/api/v1/challenges/{challenge_id}/reviewers/accept", headers=cast.reviewer.auth)
    assert r.status_code == 200, r.text
    cast.clock.advance(timedelta(days=2))
    r = c.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        data={"title": "Ada's logo", "summary": "Round.", "accepted_terms_sha256": terms},
        files=[
            ("files", ("ada-logo.jpg", JPEG, "image/jpeg")),
            ("files", ("ada-brief.pdf", PDF, "application/pdf")),
            ("files", ('plán "final".zip', ZIP, "application/zip")),
        ],
        headers=cast.solver.auth,
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def url(entry: str, data: bytes) -> str:
    return f"/api/v1/submissions/{entry}/files/{sha(data)}"


def test_the_author_downloads_the_original_bytes_with_safe_headers(cast, entry):
    r = cast.client.get(url(entry, PDF), headers=cast.solver.auth)
    assert r.status_code == 200
    assert r.content == PDF
    assert r.headers["etag"] == f'"{sha(PDF)}"'
    assert r.headers["content-length"] == str(len(PDF))
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == FILE_CSP
    assert r.headers["content-disposition"] == (
        "inline; filename=\"ada-brief.pdf\"; filename*=UTF-8''ada-brief.pdf"
    )


def test_other_kinds_are_attachments_with_an_rfc_6266_name(cast, entry):
    r = cast.client.get(url(entry, ZIP), headers=cast.solver.auth)
    assert r.status_code == 200 and r.content == ZIP
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"pl_n _final_.zip\"; filename*=UTF-8''pl%C3%A1n%20%22final%22.zip"
    )
    assert r.headers["content-security-policy"] == FILE_CSP


def test_a_known_etag_gets_304(cast, entry):
    headers = {**cast.solver.auth, "If-None-Match": f'W/"x", "{sha(JPEG)}"'}
    r = cast.client.get(url(entry, JPEG), headers=headers)
    assert r.status_code == 304 and r.content == b""
    assert r.headers["etag"] == f'"{sha(JPEG)}"'
    r = cast.client.get(url(entry, JPEG), headers={**cast.solver.auth, "If-None-Match": '"x"'})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=100-", 100, None),
        ("bytes=-7", -7, None),
        ("bytes=50-99999999", 50, None),
    ],
)
def test_one_range_gets_206(cast, entry, asked, first, last):
    r = cast.client.get(url(entry, ZIP), headers={**cast.solver.auth, "Range": asked})
    assert r.status_code == 206
    expected = ZIP[first : None if last is None else last + 1]
    assert r.content == expected
    start = first % len(ZIP)
    assert r.headers["content-range"] == f"bytes {start}-{start + len(expected) - 1}/{len(ZIP)}"
    assert r.headers["content-length"] == str(len(expected))


def test_a_range_past_the_end_gets_416_and_a_stale_if_range_the_whole_file(cast, entry):
    r = cast.client.get(url(entry, ZIP), headers={**cast.solver.auth, "Range": "bytes=99999-"})
    assert r.status_code == 416
    assert r.headers["content-range"] == f"bytes */{len(ZIP)}"
    stale = {**cast.solver.auth, "Range": "bytes=0-9", "If-Range": '"another version"'}
    r = cast.client.get(url(entry, ZIP), headers=stale)
    assert r.status_code == 200 and r.content == ZIP


def test_the_reviewer_downloads_blind_copies_without_the_solvers_name(cast, entry):
    for data, name in ((JPEG, "File 1.jpg"), (PDF, "File 2.pdf")):
        r = cast.client.get(url(entry, data), headers=cast.reviewer.auth)
        assert r.status_code == 200
        assert AUTHOR.encode() not in r.content
        assert r.headers["etag"] == f'"{sha(r.content)}"' != f'"{sha(data)}"'
        assert f'filename="{name}"' in r.headers["content-disposition"]
    with Image.open(
        io.BytesIO(cast.client.get(url(entry, JPEG), headers=cast.reviewer.auth).content)
    ) as image:
        image.load()
    with pikepdf.open(
        io.BytesIO(cast.client.get(url(entry, PDF), headers=cast.reviewer.auth).content)
    ):
        pass
    # The submission itself lists the neutral names to the reviewer, the real ones to the author.
    r = cast.client.get(f"/api/v1/submissions/{entry}", headers=cast.reviewer.auth)
    assert [f["name"] for f in r.json()["files"]] == ["File 1.jpg", "File 2.pdf", "File 3.zip"]
    r = cast.client.get(f"/api/v1/submissions/{entry}", headers=cast.solver.auth)
    assert r.json()["files"][0]["name"] == "ada-logo.jpg"


def test_a_refusal_is_the_404_of_an_unknown_hash(cast, entry):
    refused = cast.client.get(url(entry, PDF), headers=cast.other.auth)
    unknown = cast.client.get(url(entry, b"no such file"), headers=cast.solver.auth)
    anonymous = cast.client.get(url(entry, PDF))
    assert refused.status_code == unknown.status_code == anonymous.status_code == 404
    assert refused.json()["detail"] == unknown.json()["detail"] == anonymous.json()["detail"]


def test_a_file_is_streamed_in_chunks_never_read_whole(tmp_path: Path):
    path = tmp_path / "big"
    path.write_bytes(b"x" * (5 * CHUNK_BYTES + 123))
    served = ServedFile(path, 5 * CHUNK_BYTES + 123, "0" * 64, "video/mp4", "v.mp4", blind=False)
    response = file_response(RequestFactory().get("/"), served)
    assert isinstance(response, Stream)
    chunks = list(response.iterator)  # type: ignore[arg-type]
    assert len(chunks) == 6 and max(len(c) for c in chunks) == CHUNK_BYTES


def test_head_answers_the_headers_of_get_without_the_bytes(cast, entry):
    # Download managers and video players ask HEAD first (size, ranges, validator).
    got = cast.client.get(url(entry, PDF), headers=cast.solver.auth)
    r = cast.client.head(url(entry, PDF), headers=cast.solver.auth)
    assert r.status_code == 200 and r.content == b""
    for header in (
        "etag",
        "content-length",
        "content-type",
        "accept-ranges",
        "content-disposition",
    ):
        assert r.headers[header] == got.headers[header]
    assert r.headers["content-security-policy"] == FILE_CSP
    stranger = cast.client.head(url(entry, PDF))
    assert stranger.status_code == 404
