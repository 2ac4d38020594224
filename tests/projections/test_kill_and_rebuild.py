"""Exactly once: kill -9 the runner mid-batch repeatedly, resume, and compare with
a clean rebuild row for row; incremental following equals rebuild from zero."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from uuid import uuid4

import pytest

from openinno.application import OpenInno
from openinno.domain import Challenge
from openinno.settings import Settings
from projections import tracking
from projections.db import ReadStore, open_db
from projections.registry import ALL
from projections.runner import QUICK_PAGE
from projections.service import ReadSide
from tests.projections.conftest import drop_read_schema
from tests.projections.story import run_story
from tests.projections.tables import dump
from tests.support.story import Scene
from web.readside import read_side_for

ROOT = Path(__file__).resolve().parents[2]


def grow_log(app: OpenInno, cast: Scene, questions: int) -> int:
    """A large log: the whole story, then many questions saved in chunks."""
    story = run_story(cast, award=False)
    challenge: Challenge = app.repository.get(story.challenge)
    at = cast.clock.now()
    for start in range(0, questions, 100):
        for i in range(start, min(start + 100, questions)):
            challenge.ask_question(cast.public, uuid4(), f"Question {i}?", at)
        app.save(challenge)
    return app.recorder.max_notification_id() or 0


def other_store(store: ReadStore, tmp_path: Path) -> ReadStore:
    if store.is_postgres:
        return replace(store, postgres_schema=store.postgres_schema + "_clean")
    return ReadStore(sqlite_path=tmp_path / "clean-readmodels.db")


def rebuilt(settings: Settings, app: OpenInno, store: ReadStore, batch_size: int = 1000) -> dict:
    """Every read model caught up from zero in ``store``, in pages of ``batch_size``."""
    side = read_side_for(settings, app, store=store, batch_size=batch_size)
    side.setup()
    side.catch_up()
    db = open_db(store)
    try:
        return dump(db)
    finally:
        db.close()


def clean_rebuild(settings: Settings, app: OpenInno, store: ReadStore, tmp_path: Path) -> dict:
    """The tables a rebuild from zero gives, in a second store that is dropped afterwards."""
    clean_store = other_store(store, tmp_path)
    try:
        return rebuilt(settings, app, clean_store)
    finally:
        drop_read_schema(clean_store)


def slowest_position(store: ReadStore) -> int:
    db = open_db(store)
    try:
        positions = tracking.positions(db)
        return min((positions.get(p.name, 0) for p in ALL), default=0)
    finally:
        db.close()


def start_projections(settings: Settings, command: str, *args: str) -> subprocess.Popen[bytes]:
    """``openinno projections <command>`` (run, rebuild) as its own process on this store,
    small batches so a kill lands between many of them."""
    env = {
        **os.environ,
        "OPENINNO_DATABASE_URL": settings.database_url,
        "OPENINNO_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "web.cli", "projections", command, "--batch-size", "40", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if command == "run" else subprocess.DEVNULL,
    )


def start_runner(settings: Settings) -> subprocess.Popen[bytes]:
    return start_projections(settings, "run")


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.slow
def test_kill_9_mid_batch_then_resume_equals_a_clean_rebuild(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore, tmp_path: Path
):
    head = grow_log(app, cast, questions=4000)
    side = read_side_for(settings, app, store=read_store)
    side.setup()
    rng = random.Random(4)
    kills = 0
    while kills < 5:
        before = slowest_position(read_store)
        with start_runner(settings) as process:  # closes its stderr pipe on the way out
            try:
                wait_for(lambda b=before: slowest_position(read_store) > b)
                # A short random moment into the run: on a quiet machine the runner applied
                # the whole log within five kills at up to 50 ms ("killed too late").
                time.sleep(rng.uniform(0.0, 0.01))
            finally:
                process.send_signal(signal.SIGKILL)
                process.wait()
        kills += 1
        if slowest_position(read_store) >= head:
            break
    assert slowest_position(read_store) < head, "killed too late to test anything"
    with start_runner(settings) as process:
        try:
            wait_for(lambda: slowest_position(read_store) >= head)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()

    db = open_db(read_store)
    try:
        resumed = dump(db)
    finally:
        db.close()
    clean = clean_rebuild(settings, app, read_store, tmp_path)
    assert resumed.keys() == clean.keys()
    for table in clean:
        assert resumed[table] == clean[table], table
    assert len(clean["pt_questions"]) == 4002


def test_incremental_following_equals_rebuild_from_zero(
    app: OpenInno,
    cast: Scene,
    settings: Settings,
    read_store: ReadStore,
    read_side: ReadSide,
    tmp_path: Path,
):
    read_side.start()
    story = run_story(cast)
    assert read_side.wait_until(story.position, timeout=30)
    app.reveal_identities(cast.sponsor, story.challenge)
    position = app.recorder.max_notification_id() or 0
    assert read_side.wait_until(position, timeout=30)
    read_side.stop()
    db = open_db(read_store)
    try:
        followed = dump(db)
    finally:
        db.close()
    clean = clean_rebuild(settings, app, read_store, tmp_path)
    assert followed == clean


@pytest.mark.parametrize("page", [3, QUICK_PAGE - 1])
def test_pages_written_in_quick_batches_equal_a_rebuild_written_with_copy(
    app: OpenInno,
    cast: Scene,
    settings: Settings,
    read_store: ReadStore,
    tmp_path: Path,
    page: int,
):
    """What a follower near the head writes (short pages: statements sent together,
    rows inserted by statement) equals what a rebuild writes (long pages, ``COPY``),
    table for table: with pages of 3 most tables get a row or two a page, with the
    longest quick page many (set-based inserts)."""
    story = run_story(cast)
    app.reveal_identities(cast.sponsor, story.challenge)
    side = read_side_for(settings, app, store=read_store, batch_size=page)
    side.setup()
    runner = side.multi_runner()
    try:
        while runner.run_batch():
            pass
        assert runner.position == app.recorder.max_notification_id()
        followed = dump(runner.db)
    finally:
        runner.db.close()
    assert followed == clean_rebuild(settings, app, read_store, tmp_path)


def test_a_new_projection_catches_up_from_zero_beside_running_ones(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    run_story(cast, award=False)
    first = read_side_for(settings, app, ALL[:1], store=read_store)
    first.setup()
    first.start()
    try:
        head = app.recorder.max_notification_id() or 0
        assert first.wait_until(head, timeout=30)
        late = read_side_for(settings, app, ALL[1:], store=read_store)
        late.setup()
        late.start()
        try:
            assert late.wait_until(head, timeout=30)
            more = app.register_account("new@example.org", "correct horse battery", "New")
            assert first.wait_until(more.position, timeout=30)
            assert late.wait_until(more.position, timeout=30)
        finally:
            late.stop()
    finally:
        first.stop()
