"""Previews on the pages: the public gallery, the reviewer's form and the sponsor's
entries list, each through the file routes' access rule, with blind copies and a
clear "no preview"."""

from __future__ import annotations

import hashlib
import re

from openinno.derivatives.follower import DerivativesFollower
from openinno.domain.values import Voting
from openinno.files import Upload
from tests.support.files import AUTHOR, jpeg_naming, pdf_naming

JPEG, PDF, MP4 = jpeg_naming(), pdf_naming(), b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry(app, cast, **changes):
    challenge_id, terms = cast.open_challenge(**changes)
    app.invite_reviewer(cast.sponsor, challenge_id, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge_id)
    submission_id = app.submit(
        cast.solver,
        challenge_id,
        "Ada's logo",
        "A round logo.",
        terms,
        files=[
            Upload.of_bytes("ada.jpg", JPEG),
            Upload.of_bytes("ada.pdf", PDF),
            Upload.of_bytes("ada.mp4", MP4),
        ],
    ).id
    return challenge_id, submission_id


def derive(app) -> None:
    DerivativesFollower(app.recorder, app.mapper, app.derived).catch_up()


def previews(text: str) -> list[str]:
    return re.findall(r'<img class="preview" src="([^"]+)"', text)


def test_the_reviewer_sees_previews_on_the_form_and_downloads_blind_copies(web, app, cast):
    _challenge, submission = entry(app, cast, visibility="private", voting=Voting("none"))
    web.login("reviewer")
    page = web.get(f"/reviews/{submission}")
    assert page.text.count("Preview being made") == 3 and previews(page.text) == []
    derive(app)
    page = web.get(f"/reviews/{submission}")
    base = f"/submissions/{submission}/files"
    assert previews(page.text) == [f"{base}/{sha(JPEG)}/preview", f"{base}/{sha(PDF)}/preview"]
    assert "No preview" in page.text and "no preview for video/mp4 files" in page.text
    assert "File 1.jpg" in page.text and "ada.jpg" not in page.text
    for src in previews(page.text):
        r = web.client.get(src)
        assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    r = web.client.get(f"{base}/{sha(PDF)}")
    assert r.status_code == 200 and AUTHOR.encode() not in r.content
    assert 'filename="File 2.pdf"' in r.headers["content-disposition"]
    assert r.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_the_sponsor_sees_previews_in_the_entries_list(web, app, cast):
    challenge, _submission = entry(app, cast, visibility="private", voting=Voting("none"))
    derive(app)
    web.login("sponsor")
    page = web.get(f"/challenges/{challenge}/entries")
    assert len(previews(page.text)) == 2
    assert "File 2.pdf" in page.text and "ada.pdf" not in page.text


def test_the_public_gallery_shows_previews_to_anyone(web, app, cast):
    challenge, submission = entry(app, cast)  # public
    derive(app)
    page = web.get(f"/challenges/{challenge}/gallery")
    srcs = previews(page.text)
    assert len(srcs) == 2
    assert web.client.get(srcs[0]).status_code == 200
    r = web.client.get(f"/submissions/{submission}/files/{sha(JPEG)}")
    assert r.status_code == 200 and AUTHOR.encode() not in r.content


def test_the_author_downloads_the_original_from_the_page_route(web, app, cast):
    _challenge, submission = entry(app, cast, visibility="private", voting=Voting("none"))
    web.login("other")
    assert web.get(f"/submissions/{submission}/files/{sha(PDF)}").status_code == 404
    web.logout()
    web.login("solver")
    r = web.get(f"/submissions/{submission}/files/{sha(PDF)}")
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["etag"] == f'"{sha(PDF)}"'
