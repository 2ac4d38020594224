"""Notifications under a burst (issue 23): how fast the notifications read model
decides who hears what while N voters join, enter and vote and the sponsor then tells
them all (an announcement, a deadline moved); mails per second to a local SMTP server
(aiosmtpd in this process); the delay from event to mail, p50 and p99, with the read
side and the sender following the log as `openinno serve` runs them.

Baselines, measured in the same run: the same number of rows written by a plain
``executemany`` INSERT into the same read-model database (the floor of any
projection), and the same number of messages handed to the same SMTP server with
``smtplib`` directly (the floor of any sender).  SQLite."""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from openinno.application import OpenInno
from openinno.clock import ManualClock, SystemClock
from openinno.persistence.migrate import migrate_event_store
from openinno.settings import Settings
from projections.db import open_db
from projections.notifications import PROJECTION
from tests.benchmarks.report import Result
from tests.support.keys import give_write_key
from tests.support.story import scene
from web.mail.sender import MailSender
from web.mail.transport import SmtpTransport
from web.pages.base import build_environment
from web.readside import read_side_for, read_store_for


class _Sink:
    def __init__(self) -> None:
        self.count = 0
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = time.monotonic()
        self.count += 1
        headers = BytesHeaderParser().parsebytes(envelope.content)
        self.arrived[str(headers["To"] or "").strip()] = at
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(tmp: Path, **changes: Any) -> Settings:
    give_write_key(tmp)
    settings = Settings(
        database_url=f"sqlite:///{tmp}/events.db",
        data_dir=tmp,
        argon2_time_cost=1,
        argon2_memory_kib=8,
        mail_max_age_hours=10**6,
        base_url="https://inno.example",
    )
    settings = replace(settings, **changes)
    migrate_event_store(settings)
    return settings


def _burst(app: OpenInno, clock: ManualClock, voters: int) -> None:
    s = scene(app, clock)
    challenge, terms = s.open_challenge(max_submissions_per_solver=1)
    first = s.submit(challenge, terms)
    for i in range(voters):
        voter = s.account(f"voter{i}")
        app.submit(voter, challenge, f"Idea {i}", "A set with swings.", terms)
        app.support(voter, first)
    app.post_announcement(s.sponsor, challenge, "Thank you, all of you.")
    app.extend_deadline(s.sponsor, challenge, clock.now() + timedelta(days=40), "More time.")


def measure_burst(tmp: Path, voters: int) -> list[Result]:
    settings = _settings(tmp)
    clock = ManualClock(datetime(2026, 3, 1, 9, tzinfo=UTC))
    app = OpenInno(settings, clock=clock)
    try:
        _burst(app, clock, voters)
        store = read_store_for(settings)
        side = read_side_for(settings, app, (PROJECTION,), store=store)
        side.setup()
        started = time.perf_counter()
        side.catch_up()
        applied = time.perf_counter() - started
        db = open_db(store)
        made = int(db.rows("SELECT COUNT(*) AS n FROM nt_notifications")[0]["n"])
        events = app.recorder.max_notification_id() or 0
        db.execute(
            "CREATE TABLE plain_rows (a TEXT, p BIGINT, k TEXT, c TEXT, PRIMARY KEY (a, p, k))"
        )
        rows = [(f"account{i}", i, "announcement", "2026-03-01T09:00:00Z") for i in range(made)]
        started = time.perf_counter()
        with db.batch():
            db.executemany("INSERT INTO plain_rows VALUES (?, ?, ?, ?)", rows)
        plain = time.perf_counter() - started
        db.close()
    finally:
        app.close()
    print(
        f"bench_notifications: {voters:,} voters, {events:,} events, {made:,} notifications"
        f" in {applied:.2f}s",
        file=sys.stderr,
    )
    return [
        Result(
            f"notifications computed ({voters:,}-voter burst, {events:,} events)",
            made / applied,
            "plain INSERT",
            made / plain,
            "notifications/s",
        )
    ]


def _without_account_mails(db: Any) -> None:
    """The notifications' mails only: the verification link each sign-up of the scene
    queued (issue 23) is left out, as in tests/web/test_mail.py."""
    with db.batch():
        db.execute("DELETE FROM nt_outbox WHERE kind = 'verify_email'")


def measure_mail(tmp: Path, mails: int) -> list[Result]:
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        url = f"smtp://127.0.0.1:{port}"
        # The floor: smtplib straight to the same server, one connection.
        transport = SmtpTransport(url)
        started = time.perf_counter()
        for i in range(mails):
            m = EmailMessage()
            m["From"], m["To"], m["Subject"] = "a@example.org", f"b{i}@example.org", "x"
            m["Message-ID"] = f"<floor{i}@example.org>"
            m.set_content("A notification's worth of text. " * 8)
            transport.send(m)
        floor = time.perf_counter() - started
        transport.close()
        settings = _settings(tmp, smtp_url=url)
        clock = ManualClock(datetime(2026, 3, 1, 9, tzinfo=UTC))
        app = OpenInno(settings, clock=clock)
        try:
            s = scene(app, clock)
            challenge, _ = s.open_challenge()
            for i in range(mails):
                app.invite_reviewer(s.sponsor, challenge, s.account(f"judge{i}"))
            store = read_store_for(settings)
            side = read_side_for(settings, app, (PROJECTION,), store=store)
            side.setup()
            side.catch_up()
            db = open_db(store)
            _without_account_mails(db)
            transport = SmtpTransport(url)
            sender = MailSender(
                settings, db, transport, build_environment(), "bench", now=clock.now, batch=50
            )
            before = sink.count
            started = time.perf_counter()
            sent = sender.catch_up()
            elapsed = time.perf_counter() - started
            assert sent == mails and sink.count - before == mails, (sent, sink.count)
            transport.close()
            db.close()
        finally:
            app.close()
        return [
            Result(
                f"mails sent to a local SMTP server ({mails:,})",
                mails / elapsed,
                "smtplib alone",
                mails / floor,
                "mails/s",
            )
        ]
    finally:
        controller.stop()


def measure_delay(tmp: Path, mails: int) -> list[Result]:
    """Events recorded one by one (paced) while the read side and the sender follow:
    the time from each command's return to the server's receipt of its mail."""
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        url = f"smtp://127.0.0.1:{port}"
        settings = _settings(tmp, smtp_url=url)
        app = OpenInno(settings, clock=SystemClock())
        stop = threading.Event()
        floors: list[float] = []
        try:
            s = scene(app, ManualClock(datetime.now(UTC)))
            judges = [s.account(f"judge{i}") for i in range(mails)]
            challenge, _ = s.published()
            store = read_store_for(settings)
            side = read_side_for(settings, app, (PROJECTION,), store=store)
            side.setup()
            side.start()
            db = open_db(store)
            _without_account_mails(db)
            transport = SmtpTransport(url)
            # The floor: one mail handed to the same server on an open connection.
            for _ in range(mails):
                m = EmailMessage()
                m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.org", "x"
                m.set_content("A notification's worth of text. " * 8)
                started = time.perf_counter()
                transport.send(m)
                floors.append((time.perf_counter() - started) * 1000)
            sender = MailSender(settings, db, transport, build_environment(), "bench")
            thread = threading.Thread(target=sender.follow, args=(stop, 0.005), daemon=True)
            thread.start()
            recorded: dict[str, float] = {}
            for i, judge in enumerate(judges):
                app.invite_reviewer(s.sponsor, challenge, judge)
                recorded[f"judge{i}@example.org"] = time.monotonic()
                time.sleep(0.02)
            deadline = time.monotonic() + 60
            while len(set(recorded) & set(sink.arrived)) < mails and time.monotonic() < deadline:
                time.sleep(0.05)
            stop.set()
            thread.join(timeout=10)
            side.stop()
            transport.close()
            db.close()
        finally:
            stop.set()
            app.close()
        delays = sorted(
            (sink.arrived[k] - v) * 1000 for k, v in recorded.items() if k in sink.arrived
        )
        assert len(delays) == mails, f"{len(delays)} of {mails} mails arrived"
        p50 = statistics.median(delays)
        p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
        floor = statistics.median(floors)
        return [
            Result(f"event to mail p50 ({mails} paced)", p50, "one SMTP send p50", floor, "ms"),
            Result(f"event to mail p99 ({mails} paced)", p99, "one SMTP send p50", floor, "ms"),
        ]
    finally:
        controller.stop()


def run(quick: bool) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        results.extend(measure_burst(Path(tmp), 200 if quick else 10_000))
    with tempfile.TemporaryDirectory() as tmp:
        results.extend(measure_mail(Path(tmp), 50 if quick else 1_000))
    with tempfile.TemporaryDirectory() as tmp:
        results.extend(measure_delay(Path(tmp), 20 if quick else 200))
    return results
