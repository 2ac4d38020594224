"""The mail outbox and its sender, against a real SMTP server in the test process
(aiosmtpd): each mail once, in the recipient's language and time zone, text and
HTML, with RFC 8058 one-click unsubscribe; SMTP failures retried with back-off; the
.eml directory without SMTP; and a sender killed mid-batch loses and duplicates
nothing."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.settings import Settings
from projections.db import Db, open_db
from projections.notifications import PROJECTION
from tests.support.story import Scene, scene
from web.mail import outbox
from web.mail.sender import MailSender
from web.mail.transport import DirectoryTransport, SmtpTransport, Transport
from web.pages.base import build_environment
from web.readside import read_side_for, read_store_for

sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
ROOT = Path(__file__).resolve().parents[2]
SECRET = "test secret"


class Inbox:
    """What the SMTP server received; ``refuse`` answers the next RCPTs with a 4xx;
    ``kill_at`` SIGKILLs ``victim`` when that many RCPTs have come (the client is then
    waiting for the answer, before any DATA of that mail)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0
        self.rcpts = 0
        self.kill_at = 0
        self.victim = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        with self.lock:
            self.rcpts += 1
            if self.kill_at and self.rcpts == self.kill_at:
                os.kill(self.victim, signal.SIGKILL)
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{port}"
    controller.stop()


def mail_settings(settings: Settings, **changes: Any) -> Settings:
    # Events are dated by the injected clock; mails are never too old for these tests.
    return replace(settings, mail_max_age_hours=10**6, base_url="https://inno.example", **changes)


def fed(app: OpenInno, settings: Settings) -> Db:
    store = read_store_for(settings)
    side = read_side_for(settings, app, (PROJECTION,), store=store)
    side.setup()
    side.catch_up()
    db = open_db(store)
    # These tests are about the notifications' mails: the verification link each
    # sign-up of the scene queued is left out (tests/web/test_account_mails.py).
    with db.batch():
        db.execute("DELETE FROM nt_outbox WHERE kind = 'verify_email'")
    return db


def sender_for(settings: Settings, db: Db, transport: Transport, clock: ManualClock, **kw: Any):
    return MailSender(settings, db, transport, build_environment(), SECRET, now=clock.now, **kw)


@pytest.fixture
def cast(app: OpenInno, clock: ManualClock) -> Scene:
    return scene(app, clock)


@sqlite_only
def test_each_mail_once_in_the_recipients_language_and_zone(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, smtp
):
    inbox, url = smtp
    app.update_profile(cast.solver, "Solver", "pl", "Europe/Warsaw")
    challenge, terms = cast.open_challenge(title="Klocki")
    cast.submit(challenge, terms)
    app.extend_deadline(cast.sponsor, challenge, clock.now() + timedelta(days=60), "Więcej czasu.")
    s = mail_settings(settings)
    db = fed(app, s)
    transport = SmtpTransport(url)
    try:
        sender = sender_for(s, db, transport, clock)
        assert sender.catch_up() == 1
        assert sender.catch_up() == 0  # recorded: never sent again
    finally:
        transport.close()
    (mail,) = inbox.messages
    assert mail["To"] == "solver@example.org"
    assert mail["Content-Language"] == "pl"
    assert mail["Subject"].startswith("openinno: „Klocki” zamyka się teraz")
    assert mail["Date"].endswith("+0100")  # sent at the recipient's clock (CET in March)
    unsubscribe = mail["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://inno.example/notifications/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "(Europe/Warsaw)" in plain and "https://inno.example/challenges/" in plain
    assert "Wyłącz e-maile tego rodzaju" in html and 'lang="pl"' in html
    (row,) = outbox.rows_with(db, ["sent"])
    assert row["message_id"] == str(mail["Message-ID"]).strip() and row["attempts"] == 1
    db.close()


@sqlite_only
def test_smtp_failures_are_retried_with_back_off(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, smtp
):
    inbox, url = smtp
    challenge, _ = cast.open_challenge()
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    s = mail_settings(settings)
    db = fed(app, s)
    transport = SmtpTransport(url)
    try:
        sender = sender_for(s, db, transport, clock)
        inbox.refuse = 2
        assert sender.catch_up() == 1 and inbox.messages == []
        (queued,) = outbox.rows_with(db, ["queued"])
        assert queued["attempts"] == 1 and "451" in queued["last_error"]
        assert sender.catch_up() == 0  # not due yet
        clock.advance(timedelta(seconds=31))
        assert sender.catch_up() == 1 and inbox.messages == []  # refused again
        clock.advance(timedelta(seconds=31))
        assert sender.catch_up() == 0  # the second wait is twice as long
        clock.advance(timedelta(seconds=30))
        assert sender.catch_up() == 1
    finally:
        transport.close()
    assert len(inbox.messages) == 1
    assert [r["attempts"] for r in outbox.rows_with(db, ["sent"])] == [3]
    db.close()


@sqlite_only
def test_without_smtp_mails_are_eml_files_and_old_ones_expire(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, tmp_path: Path
):
    challenge, _ = cast.open_challenge()
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    clock.advance(timedelta(hours=80))
    other, _ = cast.open_challenge(title="Later")
    app.invite_reviewer(cast.sponsor, other, cast.reviewer)
    s = replace(mail_settings(settings), mail_max_age_hours=72)
    db = fed(app, s)
    sender = sender_for(s, db, DirectoryTransport(tmp_path / "mail"), clock)
    assert sender.catch_up() == 2
    (written,) = sorted((tmp_path / "mail").glob("*.eml"))
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert "“Later”" in parsed["Subject"]
    assert outbox.counts(db) == {"sent": 1, "expired": 1}
    db.close()


@sqlite_only
def test_a_sender_killed_mid_batch_loses_and_duplicates_nothing(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, smtp
):
    inbox, url = smtp
    challenge, _ = cast.open_challenge()
    for i in range(10):
        app.invite_reviewer(cast.sponsor, challenge, cast.account(f"judge{i}"))
    s = mail_settings(settings, smtp_url=url)
    db = fed(app, s)
    env = {
        **os.environ,
        "OPENINNO_DATABASE_URL": s.database_url,
        "OPENINNO_DATA_DIR": str(s.data_dir),
        "OPENINNO_SMTP_URL": url,
        "OPENINNO_MAIL_MAX_AGE_HOURS": str(10**6),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "mail", "send", "--follow", "--lease-seconds", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    inbox.victim, inbox.kill_at = process.pid, 4  # killed waiting on its 4th mail's RCPT
    try:
        assert process.wait(timeout=60) == -signal.SIGKILL, process.stderr
    finally:
        if process.poll() is None:
            process.kill()
    assert len(inbox.messages) == 3
    assert outbox.counts(db) == {"sent": 3, "queued": 7}
    # Another sender, once the dead one's leases ran out (its clock a lease later).
    transport = SmtpTransport(url)
    try:
        later = sender_for(s, db, transport, clock)
        later.now = lambda: clock.now() + timedelta(days=400)  # past the 60 s leases
        assert later.catch_up() == 7
    finally:
        transport.close()
    ids = [str(m["Message-ID"]).strip() for m in inbox.messages]
    assert len(ids) == 10 and len(set(ids)) == 10
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        f"judge{i}@example.org" for i in range(10)
    )
    assert outbox.counts(db) == {"sent": 10}
    db.close()


@sqlite_only
def test_the_follower_that_serve_starts_sends_the_outbox(
    app: OpenInno, cast: Scene, settings: Settings, tmp_path: Path
):
    from web.mail_cli import start_mail

    challenge, _ = cast.open_challenge()
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    s = mail_settings(settings, mail_directory=tmp_path / "mail")
    fed(app, s).close()
    stop = start_mail(s)
    try:
        deadline = threading.Event()
        for _ in range(200):
            if list((tmp_path / "mail").glob("*.eml")):
                break
            deadline.wait(0.05)
    finally:
        stop()
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_two_senders_never_claim_one_mail(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock
):
    """The claim on each store (the PostgreSQL twin): two claimers at once split the
    due mails; a lease that ran out is claimed again; a lost lease records nothing."""
    challenge, _ = cast.open_challenge()
    for i in range(6):
        app.invite_reviewer(cast.sponsor, challenge, cast.account(f"judge{i}"))
    db = fed(app, mail_settings(settings))
    other = open_db(read_store_for(settings))
    try:
        now, lease = clock.now(), timedelta(minutes=5)
        got: dict[str, list[Any]] = {}

        def claimer(name: str, handle: Db) -> None:
            got[name] = outbox.claim(handle, name, now, lease, 4)

        threads = [
            threading.Thread(target=claimer, args=("a", db)),
            threading.Thread(target=claimer, args=("b", other)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        a, b = ({outbox.key_of(r) for r in got[n]} for n in ("a", "b"))
        assert not a & b and len(a | b) == 6 and max(len(a), len(b)) <= 4
        later = now + lease + timedelta(seconds=1)
        again = outbox.claim(db, "c", later, lease, 10)
        assert {outbox.key_of(r) for r in again} == a | b
        stale = got["a"][0]
        assert not outbox.renew(db, stale, "a", later, lease)
        assert not outbox.finish(db, stale, "a", "sent", later)
        assert outbox.finish(db, stale, "c", "sent", later)
        assert outbox.counts(db) == {"sent": 1, "queued": 5}
    finally:
        other.close()
        db.close()
