"""The derivatives follower makes previews from the log, in the background, kill-safe."""

from __future__ import annotations

import shutil

from openinno.derivatives.follower import DerivativesFollower
from openinno.domain.values import Voting
from openinno.files import Upload
from tests.support.files import jpeg_naming, pdf_naming
from tests.support.story import scene
from web.cli import main

JPEG, PDF = jpeg_naming(), pdf_naming()


def submitted(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(visibility="private", voting=Voting("none"))
    entry = app.submit(
        s.solver,
        challenge_id,
        "Logo",
        "Round.",
        terms,
        files=[Upload.of_bytes("logo.jpg", JPEG), Upload.of_bytes("brief.pdf", PDF)],
    ).id
    return s, entry


def states(app, s, entry):
    shown = app.files_shown(s.sponsor, app.get_submission(s.sponsor, entry))
    return [f.preview.state for f in shown]


def test_previews_are_made_from_the_log_and_the_position_moves(app, clock):
    s, entry = submitted(app, clock)
    follower = DerivativesFollower(app.recorder, app.mapper, app.derived)
    assert states(app, s, entry) == ["pending", "pending"]
    read = follower.catch_up()
    assert read > 0 and follower.position() == app.recorder.max_notification_id()
    assert states(app, s, entry) == ["ready", "ready"]
    assert follower.follow_once() == 0
    app.revise_submission(
        s.solver, entry, "Logo", "Rounder.", files=[Upload.of_bytes("v2.pdf", PDF)]
    )
    assert follower.follow_once() == 1


def test_a_follower_killed_before_moving_its_position_redoes_nothing(app, clock):
    submitted(app, clock)
    follower = DerivativesFollower(app.recorder, app.mapper, app.derived)
    follower.catch_up()
    made = sorted(
        (p, p.stat().st_mtime_ns)
        for p in app.derived.root.rglob("*")
        if p.is_file() and p.name != "position"
    )
    follower.position_file.unlink()  # as if killed before it wrote the position
    follower.catch_up()
    again = sorted(
        (p, p.stat().st_mtime_ns)
        for p in app.derived.root.rglob("*")
        if p.is_file() and p.name != "position"
    )
    assert again == made


def test_a_deleted_derived_directory_is_rebuilt_by_the_command(app, clock, monkeypatch):
    s, entry = submitted(app, clock)
    monkeypatch.setenv("OPENINNO_DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("OPENINNO_DATABASE_URL", app.settings.database_url)
    assert main(["files", "derive"]) == 0
    assert states(app, s, entry) == ["ready", "ready"]
    shutil.rmtree(app.derived.root)
    assert states(app, s, entry) == ["pending", "pending"]
    assert main(["files", "derive"]) == 0
    assert states(app, s, entry) == ["ready", "ready"]


def test_a_file_that_breaks_a_library_does_not_stop_the_others(app, clock, monkeypatch):
    s, entry = submitted(app, clock)
    follower = DerivativesFollower(app.recorder, app.mapper, app.derived)
    real = app.derived.derive

    def derive(sha256, media_type):
        if media_type == "image/jpeg":
            raise RuntimeError("a decoder crashed")
        return real(sha256, media_type)

    monkeypatch.setattr(app.derived, "derive", derive)
    follower.catch_up()
    assert states(app, s, entry) == ["pending", "ready"]
    assert follower.position() == app.recorder.max_notification_id()


def test_serve_follows_the_log_in_a_background_thread(app, clock):
    import threading

    from web.files_cli import start_derivatives

    s, entry = submitted(app, clock)
    stop = start_derivatives(app.settings)
    try:
        position = app.recorder.max_notification_id()
        done = threading.Event()
        while not done.wait(0.05):  # bounded by the test timeout, not by a clock
            follower = DerivativesFollower(app.recorder, app.mapper, app.derived)
            if follower.position() == position:
                done.set()
    finally:
        stop()
    assert states(app, s, entry) == ["ready", "ready"]
