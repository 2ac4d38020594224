"""Plain payloads, the lean PostgreSQL log reader, and several read models rebuilt in
one pass: the same rows as typed decoding and as one projection at a time, exactly once
(a failing page moves no position; kill -9 mid-rebuild, resume, equal a clean rebuild)."""

from __future__ import annotations

import gc
import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.utils import get_topic

from openinno.application import OpenInno
from openinno.domain import Account, Challenge
from openinno.domain.personal_fields import PERSONAL, without_personal
from openinno.settings import Settings
from projections import tracking
from projections.db import Db, ReadStore, open_db
from projections.legal import PROJECTION as LEGAL
from projections.parallel import plan_groups
from projections.projection import Item, Projection
from projections.registry import ALL
from projections.runner import MultiRunner, payload_from
from projections.values import event_fields, from_json, iso, iso_text, payload_fields, to_json
from projections.writes import Writes
from tests.projections.story import run_story
from tests.projections.tables import dump
from tests.projections.test_kill_and_rebuild import (
    clean_rebuild,
    slowest_position,
    start_projections,
    wait_for,
)
from tests.support.story import Scene
from web.readside import (
    PostgresLog,
    StoredNotification,
    payload_for,
    plaintext_for,
    read_side_for,
)

ROOT = Path(__file__).resolve().parents[2]


def test_plain_payloads_give_the_history_rows_typed_decoding_gave(app: OpenInno, cast: Scene):
    run_story(cast)
    log = app.recorder.select_notifications(0, 100_000, inclusive_of_start=False)
    payload, typed = payload_for(app), payload_from(app.mapper.to_domain_event)
    for n in log:
        event = app.mapper.to_domain_event(n)
        data = payload_fields(payload(n))
        assert to_json(data) == to_json(event_fields(event)), n.topic
        assert to_json(payload_fields(typed(n))) == to_json(data), n.topic
        assert iso_text(data["timestamp"]) == iso(vars(event)["timestamp"])
        assert "password_hash" not in data


def test_the_history_never_holds_a_password_hash(
    app: OpenInno, cast: Scene, read_store: ReadStore, settings: Settings
):
    run_story(cast)
    side = read_side_for(settings, app, [LEGAL], store=read_store)
    assert side.rebuild() == app.recorder.max_notification_id()
    db = open_db(read_store)
    try:
        rows = db.rows("SELECT event_type, data FROM lg_events")
    finally:
        db.close()
    assert "Account.Registered" in {r["event_type"] for r in rows}
    assert not any("password_hash" in r["data"] or "$argon2" in r["data"] for r in rows)


# What COPY's text format must escape.  (No NUL: texts refuse control characters
# since issue 19, domain/limits.py.)
ODD_TEXT = 'tab\there, new\nline\r, back\\slash \\N \\t, "quoted", zażółć, Привет, end {"password_hash": "$argon2id$"}'


def history(db: Db) -> list[tuple[Any, ...]]:
    rows = db.rows(
        "SELECT position, originator_id, originator_version, event_type, actor_id, at, data"
        " FROM lg_events ORDER BY position"
    )
    return [(*(r[c] for c in list(r)[:-1]), from_json(r["data"])) for r in rows]


def test_the_history_copies_the_stored_text_and_equals_the_plain_payload(
    app: OpenInno, cast: Scene, read_store: ReadStore, settings: Settings
):
    """The history row of every event: its data the stored JSON text itself (not
    re-encoded) where it holds no secret, equal to the plain payload without
    secrets, with the same actor and time; the same rows when every event goes
    the slow way (no plaintext at hand).  Text COPY must escape survives."""
    story = run_story(cast)
    app.ask_question(cast.solver, story.challenge, ODD_TEXT)
    log = app.recorder.select_notifications(0, 100_000, inclusive_of_start=False)
    payload, plaintext = payload_for(app), plaintext_for(app)
    assert plaintext is not None
    side = read_side_for(settings, app, [LEGAL], store=read_store)
    assert side.rebuild() == log[-1].id
    db = open_db(read_store)
    try:
        fast = history(db)
        texts = {r["position"]: r["data"] for r in db.rows("SELECT position, data FROM lg_events")}
        slow_runner = MultiRunner(
            [LEGAL], db, app.recorder, app.mapper.to_domain_event, payload=payload
        )
        slow_runner.rebuild()
        slow = history(db)
    finally:
        db.close()
    assert fast == slow
    want = []
    for n in log:
        # Personal fields never reach the history (decision 0032).
        data = without_personal(n.topic, payload_fields(payload(n)))
        want.append(
            (
                n.id,
                str(n.originator_id),
                n.originator_version,
                n.topic.rsplit(":", 1)[-1],
                data.get("actor_id"),
                iso_text(data["timestamp"]),
                data,
            )
        )
        if "password_hash" in payload(n) or n.topic in PERSONAL:
            assert "password_hash" not in texts[n.id] and "pd1." not in texts[n.id]
        else:
            assert texts[n.id] == plaintext(n).decode(), n.topic  # copied, not re-encoded
    assert fast == want
    assert fast[-1][-1]["text"] == ODD_TEXT


def test_iso_text_of_stored_times():
    assert iso_text("2026-03-01T09:00:00Z") == "2026-03-01T09:00:00.000000Z"
    assert iso_text("2026-03-01T09:00:00.000120Z") == "2026-03-01T09:00:00.000120Z"
    assert iso_text("2026-03-01T10:00:00.5+01:00") == "2026-03-01T09:00:00.500000Z"


@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # PostgreSQL only, no skip
def test_the_lean_postgres_log_reads_what_the_recorder_reads(
    app: OpenInno, cast: Scene, settings: Settings
):
    assert settings.is_postgres
    run_story(cast)
    recorder, log = app.recorder, PostgresLog(app.recorder)  # type: ignore[arg-type]
    head = recorder.max_notification_id() or 0
    assert log.max_notification_id() == head
    topics = (get_topic(Account.Registered), get_topic(Challenge.QuestionAsked))
    for start in (None, 0, 5, head - 3):
        for stop in (None, 12, head):
            for limit in (1, 7, 1000):
                for chosen in ((), topics):
                    for inclusive in (True, False):
                        args = (start, limit, stop, chosen)
                        want = recorder.select_notifications(*args, inclusive_of_start=inclusive)
                        got = log.select_notifications(*args, inclusive_of_start=inclusive)
                        assert [
                            (n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
                            for n in want
                        ] == list(got), (args, inclusive)


def test_one_pass_equals_one_read_model_at_a_time(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore, tmp_path: Path
):
    run_story(cast)
    head = app.recorder.max_notification_id() or 0
    side = read_side_for(settings, app, store=read_store, batch_size=7)
    assert side.rebuild() == head
    db = open_db(read_store)
    try:
        one_pass = dump(db)
        assert tracking.positions(db) == {p.name: head for p in ALL}
    finally:
        db.close()
    separate = clean_rebuild(settings, app, read_store, tmp_path)
    assert one_pass == separate


def test_one_pass_starts_each_read_model_at_its_own_position(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    run_story(cast, award=False)
    first = read_side_for(settings, app, ALL[:2], store=read_store, batch_size=5)
    first.setup()
    first.catch_up()
    for i in range(3):
        cast.account(f"late{i}")
    head = app.recorder.max_notification_id() or 0
    side = read_side_for(settings, app, store=read_store, batch_size=5)
    runner = side.multi_runner()
    try:
        assert runner.catch_up() == head  # from the slowest (zero) to the head
        assert runner.positions == {p.name: head for p in ALL}
        counted = runner.db.rows("SELECT SUM(count) AS n FROM ad_event_counts")[0]["n"]
        assert int(counted) == head
        people = runner.db.rows("SELECT COUNT(*) AS n FROM pt_people")[0]["n"]
        registered = [
            n
            for n in app.recorder.select_notifications(0, 10_000, inclusive_of_start=False)
            if n.topic == get_topic(Account.Registered)
        ]
        assert people == len(registered)
    finally:
        runner.db.close()


def _boom_at(position: int) -> Projection:
    """Fails as the database does (not the event's fault: nothing is set aside)."""

    def apply(w: Writes, item: Item) -> None:
        if item.position == position:
            raise sqlite3.OperationalError("boom")

    return Projection(
        name="boom",
        tables=("t_boom",),
        ddl=("CREATE TABLE IF NOT EXISTS t_boom (id INTEGER PRIMARY KEY)",),
        handlers={},
        fallback=apply,
        decodes=False,
    )


def test_a_failing_page_in_one_pass_moves_no_position(
    app: OpenInno, cast: Scene, read_store: ReadStore
):
    run_story(cast, award=False)
    projections = (*ALL, _boom_at(23))
    runner = MultiRunner(
        projections,
        open_db(read_store),
        app.recorder,
        app.mapper.to_domain_event,
        payload=payload_for(app),
        batch_size=10,
    )
    try:
        with pytest.raises(sqlite3.OperationalError, match="boom"):
            runner.catch_up()
        positions = tracking.positions(runner.db)
        assert {positions[p.name] for p in projections} == {20}
        assert runner.db.rows("SELECT MAX(position) AS m FROM lg_events")[0]["m"] == 20
    finally:
        runner.db.close()


def start_rebuild(settings: Settings, workers: int) -> subprocess.Popen[bytes]:
    return start_projections(settings, "rebuild", "--workers", str(workers))


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_kill_9_mid_rebuild_then_resume_equals_a_clean_rebuild(
    app: OpenInno,
    cast: Scene,
    settings: Settings,
    read_store: ReadStore,
    tmp_path: Path,
    workers: int,
):
    """Killed with kill -9 mid-rebuild, in one pass or split across worker processes:
    the positions of the read models rebuilt together are equal (one transaction per
    page), no worker outlives the rebuild's process, and resuming gives the tables a
    clean rebuild gives."""
    story = run_story(cast, award=False)
    challenge: Challenge = app.repository.get(story.challenge)
    for start in range(0, 4000, 100):
        for i in range(start, start + 100):
            challenge.ask_question(cast.public, uuid4(), f"Question {i}?", cast.clock.now())
        app.save(challenge)
    head = app.recorder.max_notification_id() or 0
    side = read_side_for(settings, app, store=read_store)
    side.setup()
    process = start_rebuild(settings, workers)
    try:
        # the rebuild first drops everything (positions to zero), then moves them
        wait_for(lambda: slowest_position(read_store) > 400)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    time.sleep(0.1)
    killed_at = slowest_position(read_store)
    assert killed_at < head, "killed too late to test anything"
    db = open_db(read_store)
    try:
        positions = tracking.positions(db)
        for group in plan_groups(ALL, workers):
            assert len({positions[name] for name in group}) == 1, (group, positions)
        time.sleep(0.5)  # a worker left running would move its positions on
        assert tracking.positions(db) == positions
    finally:
        db.close()
    side.catch_up()
    db = open_db(read_store)
    try:
        resumed = dump(db)
    finally:
        db.close()
    clean = clean_rebuild(settings, app, read_store, tmp_path)
    assert resumed == clean
    assert len(clean["pt_questions"]) == 4002


def index_names(db: Db) -> set[str]:
    if db.dialect == "sqlite":
        rows = db.rows("SELECT name FROM sqlite_master WHERE type = 'index'")
    else:
        rows = db.rows(
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()"
        )
    return {str(r["name"]) for r in rows}


def test_rebuild_indexes_at_the_end_and_any_start_restores_missing_indexes(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    run_story(cast, award=False)
    side = read_side_for(settings, app, store=read_store)
    runner = side.multi_runner()
    try:
        runner.drop(indexes=False)  # as a rebuild killed before its end leaves them
        assert "lg_events_stream" not in index_names(runner.db)
        side.setup()
        assert {"lg_events_stream", "pt_questions_challenge"} <= index_names(runner.db)
        thresholds = gc.get_threshold()
        assert runner.rebuild() == app.recorder.max_notification_id()
        assert gc.get_threshold() == thresholds  # raised while replaying, then restored
        assert {"lg_events_stream", "pt_questions_challenge"} <= index_names(runner.db)
    finally:
        runner.db.close()


FIXTURE = ROOT / "tests" / "fixtures" / "stored_events_v1.jsonl"


class ListLog:
    """A notification log held in a list (the stored-events fixture)."""

    def __init__(self, notifications: list[StoredNotification]) -> None:
        self.notifications = notifications

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[StoredNotification]:
        low = 0 if start is None else start + (0 if inclusive_of_start else 1)
        return [
            n
            for n in self.notifications
            if n.id >= low and (stop is None or n.id <= stop) and (not topics or n.topic in topics)
        ][:limit]

    def max_notification_id(self) -> int | None:
        return self.notifications[-1].id if self.notifications else None


def test_every_read_model_applies_the_events_stored_by_the_first_version(
    app: OpenInno, read_store: ReadStore
):
    """The plain-payload handlers read stored fields by name: every event type as the
    first version stored it (the fixture) must apply, in one pass, to every read model."""
    rows = [json.loads(line) for line in FIXTURE.read_text().splitlines() if line]
    log = [
        StoredNotification(
            i, r["originator_id"], r["originator_version"], r["topic"], r["state"].encode()
        )
        for i, r in enumerate(rows, start=1)
    ]
    runner = MultiRunner(
        ALL,
        open_db(read_store),
        ListLog(log),
        app.mapper.to_domain_event,
        payload=payload_for(app),
        plaintext=plaintext_for(app),
        batch_size=7,
    )
    try:
        assert runner.catch_up() == len(log)
        db = runner.db

        def count(table: str) -> int:
            return int(db.rows(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])

        def events(name: str) -> int:
            return sum(1 for r in rows if r["topic"].endswith(f":{name}"))

        assert count("lg_events") == len(log)
        assert count("pt_people") == events("Account.Registered")
        assert count("pt_submissions") == events("Submission.Submitted")
        assert count("rv_entries") == events("Submission.Submitted")
        assert count("rv_reviews") == events("Review.Started")
        assert count("pt_tallies") == events("SupportTally.Opened")
        scored = db.rows("SELECT scores, revisions FROM rv_reviews WHERE scores IS NOT NULL")
        assert scored and all(from_json(r["scores"]) for r in scored)
    finally:
        runner.db.close()
