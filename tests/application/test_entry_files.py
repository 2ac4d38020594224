"""An entry's files: who may download them, and which bytes (OpenInno.file_for)."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pikepdf
import pytest
from PIL import Image

from openinno.domain.errors import NotFound
from openinno.domain.values import Voting
from openinno.files import Upload
from tests.support.files import AUTHOR, jpeg_naming, pdf_naming
from tests.support.story import Scene, scene

JPEG = jpeg_naming()
PDF = pdf_naming()
NAME = AUTHOR.encode()


def entry_with_files(app, clock, **changes) -> tuple[Scene, object, object]:
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(**changes)
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    app.accept_reviewer_invitation(s.reviewer, challenge_id)
    submission_id = app.submit(
        s.solver,
        challenge_id,
        "Ada's logo",
        "A round logo.",
        terms,
        files=[Upload.of_bytes("ada-logo.jpg", JPEG), Upload.of_bytes("ada-brief.pdf", PDF)],
    ).id
    return s, challenge_id, submission_id


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(app, actor, submission_id, digest) -> tuple[bytes, str]:
    served = app.file_for(actor, submission_id, digest)
    data = served.path.read_bytes()
    assert len(data) == served.size and sha(data) == served.sha256
    return data, served.name


PRIVATE = {"visibility": "private", "voting": Voting("none")}


def test_a_reviewer_gets_blind_copies_without_the_solvers_name(app, clock):
    s, _challenge, entry = entry_with_files(app, clock, **PRIVATE)
    jpeg, jpeg_name = download(app, s.reviewer, entry, sha(JPEG))
    pdf, pdf_name = download(app, s.reviewer, entry, sha(PDF))
    assert NAME not in jpeg and NAME not in pdf
    assert (jpeg_name, pdf_name) == ("File 1.jpg", "File 2.pdf")
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.size == (640, 400)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1
    # The author gets back exactly what the receipt hashed, under their own names.
    assert download(app, s.solver, entry, sha(JPEG)) == (JPEG, "ada-logo.jpg")
    assert download(app, s.solver, entry, sha(PDF)) == (PDF, "ada-brief.pdf")


def test_the_sponsor_gets_blind_copies_until_names_are_revealed(app, clock):
    s, challenge, entry = entry_with_files(app, clock, **PRIVATE)
    data, name = download(app, s.sponsor, entry, sha(PDF))
    assert NAME not in data and name == "File 2.pdf"
    clock.advance(timedelta(days=30))
    s.award_unreviewed(challenge, [(entry, 1)])
    app.reveal_identities(s.sponsor, challenge)
    assert download(app, s.sponsor, entry, sha(PDF)) == (PDF, "ada-brief.pdf")


def test_everyone_else_gets_the_404_of_an_unknown_hash(app, clock):
    s, _challenge, entry = entry_with_files(app, clock, **PRIVATE)
    unknown = sha(b"not a file of this entry")
    stored_elsewhere = app.files.put(Upload.of_bytes("other.txt", b"stored, but another entry's"))
    for actor in (s.other_solver, s.public, None):
        for digest in (sha(JPEG), unknown, stored_elsewhere, "../../etc/passwd"):
            with pytest.raises(NotFound) as refused:
                app.file_for(actor, entry, digest)
            assert refused.value.message == "No such file in this submission."
    for digest in (unknown, stored_elsewhere):
        with pytest.raises(NotFound):
            app.file_for(s.solver, entry, digest)


def test_a_reviewer_gets_nothing_once_the_review_period_ends(app, clock):
    s, _challenge, entry = entry_with_files(app, clock, **PRIVATE)
    app.file_for(s.reviewer, entry, sha(PDF))
    clock.advance(timedelta(days=44))  # the review ends at day 45 (opened at day 2)
    with pytest.raises(NotFound):
        app.file_for(s.reviewer, entry, sha(PDF))


def test_a_conflict_declared_closes_the_files(app, clock):
    s, _challenge, entry = entry_with_files(app, clock, **PRIVATE)
    app.declare_conflict(s.reviewer, entry, "I taught the solver.")
    with pytest.raises(NotFound):
        app.file_for(s.reviewer, entry, sha(JPEG))
    assert app.files_shown(s.reviewer, app.get_submission(s.reviewer, entry)) == []


def test_a_public_gallery_shows_blind_files_of_visible_entries_to_anyone(app, clock):
    s, _challenge, entry = entry_with_files(app, clock)  # public, as the story has it
    data, name = download(app, None, entry, sha(JPEG))
    assert NAME not in data and name == "File 1.jpg"
    app.withdraw_submission(s.solver, entry, "changed my mind")
    with pytest.raises(NotFound):
        app.file_for(None, entry, sha(JPEG))
    assert download(app, s.solver, entry, sha(JPEG))[0] == JPEG


def test_files_of_earlier_versions_stay_downloadable(app, clock):
    s, _challenge, entry = entry_with_files(app, clock, **PRIVATE)
    app.revise_submission(
        s.solver, entry, "Ada's logo", "Rounder.", files=[Upload.of_bytes("v2.pdf", PDF)]
    )
    assert download(app, s.solver, entry, sha(JPEG))[0] == JPEG
    shown = app.files_shown(s.reviewer, app.get_submission(s.reviewer, entry))
    assert [(f.name, f.sha256, f.blind) for f in shown] == [("File 1.pdf", sha(PDF), True)]
    assert [f.preview.state for f in shown] == ["pending"]  # made in the background


def test_a_malformed_image_is_withheld_from_blind_viewers(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(**PRIVATE)
    broken = b"\xff\xd8\xff\xe1\x00\x10 by " + NAME
    entry = app.submit(
        s.solver,
        challenge_id,
        "Broken",
        "A truncated JPEG.",
        terms,
        files=[Upload.of_bytes("a.jpg", broken)],
    ).id
    with pytest.raises(NotFound):
        app.file_for(s.sponsor, entry, sha(broken))
    assert download(app, s.solver, entry, sha(broken))[0] == broken


def test_a_file_lost_on_disk_is_not_found_rather_than_a_broken_stream(app, clock):
    s, _challenge, entry = entry_with_files(app, clock, **PRIVATE)
    app.files.path_for(sha(PDF)).unlink()
    with pytest.raises(NotFound):
        app.file_for(s.solver, entry, sha(PDF))
    with pytest.raises(NotFound):
        app.file_for(s.reviewer, entry, sha(PDF))  # no blind copy can be made either
