"""The daily digest: the notifications of the kinds a person wants in a digest come
in one mail once their day is over (their time zone, the injected clock), exactly
once per person and day, to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.settings import Settings
from projections.db import open_db
from tests.support.story import Scene, scene
from tests.web.test_mail import fed, mail_settings, sender_for, smtp  # noqa: F401
from web.mail import digest, outbox
from web.mail.transport import SmtpTransport
from web.readside import read_store_for

sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def cast(app: OpenInno, clock: ManualClock) -> Scene:
    return scene(app, clock)


def until(clock: ManualClock, moment: datetime) -> None:
    clock.advance(moment - clock.now())


def next_midnight(now: datetime, zone: ZoneInfo, plus: timedelta) -> datetime:
    local = now.astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone) + timedelta(days=1)
    return midnight + plus


@sqlite_only
def test_one_digest_per_person_and_day_in_their_zone(
    app: OpenInno,
    cast: Scene,
    settings: Settings,
    clock: ManualClock,
    smtp,  # noqa: F811
):
    inbox, url = smtp
    judge = cast.account("judge")  # UTC
    app.update_profile(cast.reviewer, "Reviewer", "pl", "Europe/Warsaw")
    for person in (cast.reviewer, judge):
        app.set_notification_preference(person, "reviewer_invited", "daily")
    challenges = [cast.open_challenge(title=t)[0] for t in ("Gears", "Levers", "Pulleys")]
    for challenge in challenges:  # the same day
        for person in (cast.reviewer, judge):
            app.invite_reviewer(cast.sponsor, challenge, person)
    s = mail_settings(settings)
    transport = SmtpTransport(url)
    try:
        sender = sender_for(s, fed(app, s), transport, clock)
        assert sender.catch_up() == 0  # nothing at once: both want a digest
        # 00:30 in Warsaw is 23:30 UTC: the reviewer's day is over, the judge's is not
        until(clock, next_midnight(clock.now(), WARSAW, timedelta(minutes=30)))
        assert sender.catch_up() == 1
        assert sender.catch_up() == 0  # once
        (mail,) = inbox.messages
        assert mail["To"] == "reviewer@example.org" and mail["Content-Language"] == "pl"
        plain = mail.get_body(("plain",)).get_content()
        assert all(f"„{t}”" in plain for t in ("Gears", "Levers", "Pulleys"))
        assert "3" in mail["Subject"]
        until(clock, next_midnight(clock.now(), ZoneInfo("UTC"), timedelta(minutes=30)))
        assert sender.catch_up() == 1  # the judge's, in UTC
        assert inbox.messages[1]["To"] == "judge@example.org"
        # the next day: one more invitation, one more digest once that day is over
        challenge = cast.published(title="Springs")[0]
        app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
        fed(app, s).close()
        assert sender.catch_up() == 0  # the day is not over
        until(clock, next_midnight(clock.now(), WARSAW, timedelta(minutes=5)))
        assert sender.catch_up() == 1
        last = inbox.messages[-1].get_body(("plain",)).get_content()
        assert "Springs" in last and "Gears" not in last
        clock.advance(timedelta(days=1))
        assert sender.catch_up() == 0  # nothing waiting: no mail
    finally:
        transport.close()
    assert len(inbox.messages) == 3
    db = open_db(read_store_for(s))
    try:
        assert outbox.counts(db) == {"sent": 3}
        # still in the notification centre, each one
        rows = db.rows("SELECT COUNT(*) AS n FROM nt_notifications WHERE kind = 'reviewer_invited'")
        assert rows[0]["n"] == 7
    finally:
        db.close()


def test_two_schedulers_make_one_digest(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock
):
    app.set_notification_preference(cast.reviewer, "reviewer_invited", "daily")
    challenge, _ = cast.open_challenge()
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    s = mail_settings(settings)
    one, other = fed(app, s), open_db(read_store_for(s))
    try:
        later = clock.now() + timedelta(days=1)
        assert digest.schedule(one, later) == 1
        assert digest.schedule(other, later) == 0
        assert digest.schedule(one, later + timedelta(days=1)) == 0  # nothing waiting
        (row,) = outbox.rows_with(one, ["queued"])
        assert row["kind"] == digest.KIND
        assert len(digest.items(one, str(cast.reviewer), int(row["position"]))) == 1
    finally:
        one.close()
        other.close()
