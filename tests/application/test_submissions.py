import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest

from openinno.application import OpenInno
from openinno.domain.errors import (
    AccessDenied,
    InvalidInput,
    NotFound,
    SubmissionLimitReached,
    TermsMismatch,
    WindowClosed,
)
from openinno.domain.submission import content_sha256
from openinno.domain.values import Voting
from openinno.files import Upload
from tests.support.story import scene

PDF = b"%PDF-1.7\n" + b"x" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_submit_stores_files_by_hash_and_returns_a_receipt(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    result = app.submit(
        s.solver,
        challenge_id,
        "Pendulum park",
        "Swings and weights.",
        terms,
        files=[
            Upload.of_bytes("plan.pdf", PDF),
            Upload.of_bytes("../../etc/sketch.png", PNG, "text/plain"),
        ],
    )
    submission = app.get_submission(s.solver, result.id)
    files = submission.content.files
    assert [f.name for f in files] == ["plan.pdf", "sketch.png"]
    # types are taken from the bytes, not from the name or the declared type
    assert [f.media_type for f in files] == ["application/pdf", "image/png"]
    assert files[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert app.files.get(files[0].sha256) == PDF
    assert result.receipt.content_sha256 == content_sha256(submission.content)
    assert result.receipt.recorded_at == clock.now()
    assert submission.accepted_terms_sha256 == terms


def test_submissions_only_while_the_window_is_open(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.published()
    with pytest.raises(WindowClosed):
        s.submit(challenge_id, terms)
    clock.advance(timedelta(days=2))
    s.submit(challenge_id, terms)
    clock.advance(timedelta(days=40))
    with pytest.raises(WindowClosed):
        s.submit(challenge_id, terms, title="Too late")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"accepted_terms_sha256": "0" * 64}, TermsMismatch),
        ({"files": [Upload.of_bytes("huge.pdf", b"%PDF-" + b"x" * 3_000_000)]}, InvalidInput),
        (
            {"files": [Upload.of_bytes("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")]},
            InvalidInput,
        ),
        ({"files": [Upload.of_bytes("empty.txt", b"")]}, InvalidInput),
        ({"title": ""}, InvalidInput),
    ],
)
def test_bad_submissions_write_nothing(app, clock, kwargs, error, tmp_path):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    before = app.recorder.max_notification_id()
    args = {"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms} | kwargs
    small = OpenInno(replace(app.settings, max_file_bytes=2_000_000), clock=clock)
    try:
        with pytest.raises(error):
            small.submit(s.solver, challenge_id, **args)
    finally:
        small.close()
    assert app.recorder.max_notification_id() == before
    if "files" in kwargs:
        assert not [p for p in (tmp_path / "files").rglob("*") if p.is_file()]


def test_the_limit_counts_live_entries(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=2)
    first = s.submit(challenge_id, terms, title="First idea")
    s.submit(challenge_id, terms, title="Second idea")
    with pytest.raises(SubmissionLimitReached):
        s.submit(challenge_id, terms, title="Third idea")
    app.withdraw_submission(s.solver, first, "Merged into the second")
    s.submit(challenge_id, terms, title="Third idea")


def test_entries_are_withdrawn_only_until_submissions_close(app, clock):
    # Given an entry alone and a team's entry,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    own = s.submit(challenge_id, terms)
    team_id = app.form_team(s.other_solver, challenge_id, "Lever lab", []).id
    team_entry = app.submit(
        s.other_solver, challenge_id, "Levers", "Together.", terms, team_id=team_id
    ).id
    # when the deadline has passed,
    clock.advance(timedelta(days=40))
    # then neither can be withdrawn: the entries are what the reviewers judge.
    for solver, entry in ((s.solver, own), (s.other_solver, team_entry)):
        with pytest.raises(WindowClosed):
            app.withdraw_submission(solver, entry, "Too late.")
        assert app.get_submission(solver, entry).status == "submitted"


def test_revise_keeps_versions_and_issues_a_new_receipt(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    submission_id = s.submit(challenge_id, terms)
    revised = app.revise_submission(s.solver, submission_id, "Pendulum park", "Now with a seesaw.")
    assert revised.receipt.version == 2
    submission = app.get_submission(s.solver, submission_id)
    assert len(submission.versions) == 2
    with pytest.raises(NotFound):
        app.revise_submission(s.other_solver, submission_id, "Hijack", "Mine now.")
    clock.advance(timedelta(days=40))
    with pytest.raises(WindowClosed):
        app.revise_submission(s.solver, submission_id, "Late", "Too late to change.")


def test_private_submissions_are_seen_only_by_their_solver_sponsor_and_reviewers(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(visibility="private", voting=Voting())
    submission_id = s.submit(challenge_id, terms)
    app.get_submission(s.solver, submission_id)
    app.get_submission(s.sponsor, submission_id)
    with pytest.raises(NotFound):
        app.get_submission(s.other_solver, submission_id)
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    with pytest.raises(NotFound):
        app.get_submission(s.reviewer, submission_id)
    app.accept_reviewer_invitation(s.reviewer, challenge_id)
    app.get_submission(s.reviewer, submission_id)


def test_sponsor_members_cannot_enter_their_own_challenge(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    with pytest.raises(AccessDenied):
        app.submit(s.sponsor, challenge_id, "Inside job", "We win.", terms)
