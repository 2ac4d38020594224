"""The daily digest (issue 23): one mail a day per person collecting the notifications
of the kinds they want in a digest (the preference ``daily``).

The read model queues each such notification in ``nt_digest_items`` (in the
transaction of the notification, as the outbox's mails).  Once the recipient's day
is over (their time zone, the injected clock), ``schedule`` makes that day's digest:
in one transaction it queues one outbox row keyed (recipient, day as yyyymmdd,
``daily_digest``) and marks the items it takes with the day.  The row's key makes it
once per person and day: a second scheduler (another sender, a retry) finds it and
takes nothing.  The mail is then sent by the outbox's sender like any other, under a
lease, with retries (web/mail/sender.py), so kill -9 loses and duplicates nothing.

Items not yet taken when their day's digest was made (a read side that lagged past
midnight) go into the next day's digest: at most one digest per person and day, and
no notification left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from jinja2 import Environment

from projections.db import Db, Row
from projections.values import iso
from web.pages import notices
from web.pages.base import N_
from web.pages.i18n import LOCALES, gettext_for

KIND = "daily_digest"
SUBJECT = N_("openinno: your daily digest, %(count)s notifications")
INTRO = N_("What happened for you on openinno on %(day)s:")
SETTINGS = N_("Choose which notifications come at once, in the digest or not at all")


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def day_number(day: Any) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def schedule(db: Db, now: datetime) -> int:
    """Queue the digest of each person whose day ended with items waiting; how many."""
    pending = db.rows(
        "SELECT i.account_id, i.position, i.kind, i.created_at, a.time_zone"
        " FROM nt_digest_items i JOIN nt_accounts a ON a.account_id = i.account_id"
        " WHERE i.digest IS NULL AND a.active = 1"
    )
    due: dict[str, list[Row]] = defaultdict(list)
    days: dict[str, int] = {}
    for row in pending:
        zone = _zone(row["time_zone"])
        yesterday = (now.astimezone(zone) - timedelta(days=1)).date()
        if _when(row["created_at"]).astimezone(zone).date() <= yesterday:
            due[row["account_id"]].append(row)
            days[row["account_id"]] = day_number(yesterday)
    made = 0
    for account, rows in due.items():
        day = days[account]
        with db.batch():
            taken = db.execute(
                "INSERT INTO nt_outbox (account_id, position, kind, created_at, next_attempt_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [account, day, KIND, iso(now), iso(now)],
            )
            if taken != 1:
                continue  # made already: these wait for the next day's
            for row in rows:
                db.execute(
                    "UPDATE nt_digest_items SET digest = ? WHERE account_id = ? AND position = ?"
                    " AND kind = ? AND digest IS NULL",
                    [day, account, row["position"], row["kind"]],
                )
        made += 1
    return made


def items(db: Db, account_id: str, day: int) -> list[Row]:
    """The digest's notifications, oldest first, with what their texts name."""
    return db.rows(
        "SELECT n.position, n.kind, n.created_at, n.params, n.team_id, n.agreement_id,"
        " COALESCE(n.challenge_id, s.challenge_id, g.challenge_id, t.challenge_id)"
        " AS challenge_id,"
        " COALESCE(n.submission_id, g.submission_id) AS submission_id,"
        " c.title AS challenge_title, COALESCE(s.title, gs.title) AS entry_title,"
        " t.name AS team_name "
        "FROM nt_digest_items i "
        "JOIN nt_notifications n ON n.account_id = i.account_id AND n.position = i.position"
        " AND n.kind = i.kind "
        "LEFT JOIN nt_submissions s ON s.submission_id = n.submission_id "
        "LEFT JOIN nt_agreements g ON g.agreement_id = n.agreement_id "
        "LEFT JOIN nt_submissions gs ON gs.submission_id = g.submission_id "
        "LEFT JOIN nt_teams t ON t.team_id = n.team_id "
        "LEFT JOIN nt_challenges c ON c.challenge_id ="
        " COALESCE(n.challenge_id, s.challenge_id, g.challenge_id, t.challenge_id) "
        "WHERE i.account_id = ? AND i.digest = ? ORDER BY i.position, i.kind",
        [account_id, day],
    )


def compose_digest(
    row: Mapping[str, Any],
    entries: list[Row],
    *,
    env: Environment,
    sender: str,
    base_url: str,
    message_id: str,
    now: datetime,
) -> EmailMessage:
    """``row``: the digest's outbox row with its recipient's account."""
    locale = row["locale"] if row["locale"] in LOCALES else "en"
    zone = row["time_zone"] or "UTC"
    day_value = int(row["position"])
    day = date(day_value // 10000, day_value // 100 % 100, day_value % 100)
    day_text = format_date(day, format="long", locale=locale)
    lines = [(notices.text(e, locale, zone), base_url + notices.link(e)) for e in entries]
    subject = gettext_for(locale, SUBJECT) % {"count": len(lines)}
    intro = gettext_for(locale, INTRO) % {"day": day_text}
    settings_link = f"{base_url}/notifications"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["email"]
    message["Subject"] = subject
    message["Date"] = format_datetime(now.astimezone(_zone(zone)))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    body = "\n\n".join(f"- {text}\n  {link}" for text, link in lines)
    why = gettext_for(locale, notices.WHY)
    choose = gettext_for(locale, SETTINGS)
    message.set_content(f"{intro}\n\n{body}\n\n-- \n{why}\n{choose}: {settings_link}\n")
    html = env.get_template("mail/digest.html").render(
        locale=locale,
        subject=subject,
        intro=intro,
        lines=lines,
        settings_link=settings_link,
        choose=choose,
    )
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = locale
    return message
