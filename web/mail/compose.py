"""A notification as a mail: in the recipient's language (their account's setting)
with times in their time zone, plain text and HTML, and the headers of RFC 8058's
one-click unsubscribe.  The Message-ID is derived from the outbox key, so a mail
sent again (see sender.py) is recognisably the same mail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlparse
from uuid import UUID
from zoneinfo import ZoneInfo

from jinja2 import Environment

from openinno.domain.notices import ACCOUNT_MAILS
from web.mail import account_mail
from web.pages import notices
from web.pages.i18n import LOCALES, gettext_for
from web.unsubscribe import make_token


def message_id(row: Mapping[str, Any], base_url: str) -> str:
    host = urlparse(base_url).hostname or "localhost"
    return f"<n{int(row['position'])}.{row['kind']}.{row['account_id']}@{host}>"


def compose(
    row: Mapping[str, Any],
    *,
    env: Environment,
    sender: str,
    base_url: str,
    secret: str,
    now: datetime,
) -> EmailMessage:
    """``row``: an outbox row joined with its notification and its recipient's account
    (``email``, ``locale``, ``time_zone``)."""
    locale = row["locale"] if row["locale"] in LOCALES else "en"
    zone = row["time_zone"] or "UTC"
    if row["kind"] in ACCOUNT_MAILS:
        return _account_mail(row, env, sender, base_url, secret, now, locale, zone)
    text = notices.text(row, locale, zone)
    subject = notices.subject(row, locale, zone)
    link = base_url + notices.link(row)
    unsubscribe = (
        f"{base_url}/notifications/unsubscribe/"
        f"{make_token(secret, UUID(str(row['account_id'])), row['kind'])}"
    )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["email"]
    message["Subject"] = subject
    # The sending time as the recipient's clock shows it.
    message["Date"] = format_datetime(now.astimezone(ZoneInfo(zone)))
    message["Message-ID"] = message_id(row, base_url)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    why = gettext_for(locale, notices.WHY)
    stop = gettext_for(locale, notices.UNSUBSCRIBE)
    message.set_content(f"{text}\n\n{link}\n\n-- \n{why}\n{stop}: {unsubscribe}\n")
    html = env.get_template("mail/notification.html").render(
        locale=locale, subject=subject, text=text, link=link, unsubscribe=unsubscribe
    )
    message.add_alternative(html, subtype="html")
    # After the parts are made: making them moves every Content-* header into the first.
    message["Content-Language"] = locale
    return message


def _account_mail(
    row: Mapping[str, Any],
    env: Environment,
    sender: str,
    base_url: str,
    secret: str,
    now: datetime,
    locale: str,
    zone: str,
) -> EmailMessage:
    """The verification or reset link (web.mail.account_mail): no unsubscribe."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["email"]
    message["Date"] = format_datetime(now.astimezone(ZoneInfo(zone)))
    message["Message-ID"] = message_id(row, base_url)
    message["Auto-Submitted"] = "auto-generated"
    account_mail.fill(
        message, row, env=env, locale=locale, zone=zone, base_url=base_url, secret=secret
    )
    message["Content-Language"] = locale
    return message
