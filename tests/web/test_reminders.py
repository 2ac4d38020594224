"""Scheduled reminders (issue 23), made by the mail sender from its injected clock:
48 hours before a challenge closes to solvers with an open draft, 48 hours before
review ends to reviewers with entries left to score, and an agreement's signature
pending for 3 days; each once per (reminder, recipient), over restarts and rebuilds,
in the recipient's language and time zone."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from uuid import UUID

import pytest

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.settings import Settings
from projections.db import Db
from projections.notifications import PROJECTION
from projections.notifications import queries as notifications
from tests.support.story import Scene, scene
from tests.web.test_mail import fed, mail_settings, sender_for
from web.pages import notices
from web.readside import read_side_for, read_store_for

sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
REMINDERS = ("closing_soon", "review_due", "signature_pending")


class Outbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def close(self) -> None:
        pass

    def reminders(self) -> list[tuple[str, str]]:
        """(recipient, kind) of each reminder mail sent (the kind from its Message-ID)."""
        found = []
        for m in self.sent:
            kind = str(m["Message-ID"]).split(".")[1]
            if kind in REMINDERS:
                found.append((str(m["To"]), kind))
        return found


@pytest.fixture
def cast(app: OpenInno, clock: ManualClock) -> Scene:
    return scene(app, clock)


def in_app(db: Db) -> Counter[tuple[str, str]]:
    rows = db.rows(
        "SELECT account_id, kind FROM nt_notifications WHERE kind IN (?, ?, ?)", list(REMINDERS)
    )
    return Counter((str(r["account_id"]), str(r["kind"])) for r in rows)


def test_a_draft_is_reminded_48_hours_before_closing_once(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock
):
    app.update_profile(cast.solver, "Solver", "pl", "Europe/Warsaw")
    challenge, terms = cast.open_challenge(title="Klocki")
    closes_at = app.get_challenge(challenge).spec.closes_at
    app.save_draft(cast.solver, challenge, "Half done", "More to come.")
    # A draft discarded, and an entry submitted without a draft: no reminder.
    discarded = app.save_draft(cast.other_solver, challenge, "Never mind", "No.").id
    app.discard_draft(cast.other_solver, discarded)
    cast.submit(challenge, terms, solver=cast.public)
    s = mail_settings(settings)
    db = fed(app, s)
    outbox = Outbox()
    clock.set(closes_at - timedelta(hours=49))
    sender_for(s, db, outbox, clock).catch_up()
    assert outbox.reminders() == [] and not in_app(db)
    clock.set(closes_at - timedelta(hours=47))
    sender_for(s, db, outbox, clock).catch_up()
    assert outbox.reminders() == [("solver@example.org", "closing_soon")]
    (mail,) = [m for m in outbox.sent if "closing_soon" in str(m["Message-ID"])]
    assert mail["Content-Language"] == "pl"
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "„Klocki” zamyka się" in plain and "(Europe/Warsaw)" in plain
    assert mail.get_body(("html",)) is not None
    assert mail["List-Unsubscribe"] is not None  # a kind with its preference
    assert in_app(db) == Counter({(str(cast.solver), "closing_soon"): 1})
    # In the centre (and the API), newest first, in the reader's words.
    (row,) = [
        r
        for r in notifications.page(db, cast.solver, before=None, limit=5)
        if r["kind"] == "closing_soon"
    ]
    text = notices.text(row, "en", "UTC")
    assert text.startswith("“Klocki” closes on") and "not submitted yet" in text
    assert notices.link(row) == f"/challenges/{challenge}"
    # Restarted senders, later on: nothing more.
    for hours in (46, 1):
        clock.set(closes_at - timedelta(hours=hours))
        sender_for(s, db, outbox, clock).catch_up()
    assert len(outbox.reminders()) == 1
    # A rebuild drops the notifications; the reminder comes back, its mail is not resent.
    runner = read_side_for(s, app, (PROJECTION,), store=read_store_for(s)).runner(PROJECTION)
    runner.drop()
    runner.catch_up()
    runner.db.close()
    assert not in_app(db)
    clock.advance(timedelta(minutes=5))
    sender_for(s, db, outbox, clock).catch_up()
    assert in_app(db) == Counter({(str(cast.solver), "closing_soon"): 1})
    assert len(outbox.reminders()) == 1


@sqlite_only
def test_reviewers_with_entries_left_to_score_are_reminded_before_review_ends(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock
):
    critic = cast.account("critic")
    challenge, terms = cast.open_challenge()
    entry = cast.submit(challenge, terms)
    for reviewer in (cast.reviewer, critic):
        app.invite_reviewer(cast.sponsor, challenge, reviewer)
        app.accept_reviewer_invitation(reviewer, challenge)
    spec = app.get_challenge(challenge).spec
    clock.set(spec.closes_at + timedelta(hours=1))
    app.record_review(critic, entry, {"originality": 5, "feasibility": 5, "fun": 5})
    s = mail_settings(settings)
    db = fed(app, s)
    outbox = Outbox()
    sender_for(s, db, outbox, clock).catch_up()
    assert outbox.reminders() == []  # review ends in two weeks
    clock.set(spec.review_ends_at - timedelta(hours=47))
    sender_for(s, db, outbox, clock).catch_up()
    sender_for(s, db, outbox, clock).catch_up()
    assert outbox.reminders() == [("reviewer@example.org", "review_due")]


def sign(app: OpenInno, who: UUID, agreement: UUID) -> None:
    text_sha256 = app.get_agreement(who, agreement).text_sha256
    app.sign_agreement(who, agreement, "A Name", "I agree to assign", text_sha256)


@sqlite_only
def test_a_signature_pending_for_three_days_is_reminded_once(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock
):
    challenge, terms = cast.open_challenge()
    first = cast.submit(challenge, terms)
    second = cast.submit(challenge, terms, solver=cast.other_solver, title="Lever lab")
    clock.set(app.get_challenge(challenge).spec.closes_at + timedelta(hours=1))
    awarded = cast.award_unreviewed(challenge, [(first, 1), (second, 2)])
    first_agreement, second_agreement = awarded.agreement_ids
    clock.advance(timedelta(days=1))
    sign(app, cast.other_solver, second_agreement)  # signed in time: no reminder
    s = mail_settings(settings)
    db = fed(app, s)
    outbox = Outbox()
    clock.advance(timedelta(days=1, hours=23))  # 2 days 23 hours after the award
    sender_for(s, db, outbox, clock).catch_up()
    assert outbox.reminders() == []
    clock.advance(timedelta(hours=1, minutes=1))
    sender_for(s, db, outbox, clock).catch_up()
    clock.advance(timedelta(days=2))
    sender_for(s, db, outbox, clock).catch_up()
    assert outbox.reminders() == [("solver@example.org", "signature_pending")]
    rows = db.rows("SELECT agreement_id FROM nt_notifications WHERE kind = 'signature_pending'")
    assert [r["agreement_id"] for r in rows] == [str(first_agreement)]


@sqlite_only
def test_a_reminder_turned_off_is_shown_but_not_mailed(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock
):
    challenge, _ = cast.open_challenge()
    app.save_draft(cast.solver, challenge, "Half done", "More to come.")
    app.set_notification_preference(cast.solver, "closing_soon", "off")
    s = mail_settings(settings)
    db = fed(app, s)
    outbox = Outbox()
    clock.set(app.get_challenge(challenge).spec.closes_at - timedelta(hours=1))
    sender_for(s, db, outbox, clock).catch_up()
    assert outbox.reminders() == []
    assert in_app(db) == Counter({(str(cast.solver), "closing_soon"): 1})


def test_senders_at_once_make_each_reminder_once(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock
):
    import threading

    from projections.db import open_db
    from projections.notifications import reminders

    challenge, _ = cast.open_challenge()
    for who in (cast.solver, cast.other_solver, cast.public):
        app.save_draft(who, challenge, "Half done", "More to come.")
    s = mail_settings(settings)
    fed(app, s).close()
    clock.set(app.get_challenge(challenge).spec.closes_at - timedelta(hours=2))
    made: list[int] = []
    start = threading.Barrier(4)

    def sender() -> None:
        db = open_db(read_store_for(s))
        try:
            start.wait()
            made.append(reminders.queue_due(db, clock.now()))
        finally:
            db.close()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(made) == 3
    db = open_db(read_store_for(s))
    try:
        assert sorted(in_app(db).values()) == [1, 1, 1]
        mails = db.rows("SELECT account_id FROM nt_outbox WHERE kind = 'closing_soon'")
        assert len(mails) == 3
    finally:
        db.close()
