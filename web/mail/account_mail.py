"""Mails about the account itself (issue 23): the e-mail verification link and the
password reset link, in the recipient's language with times in their time zone,
plain text and HTML.  No unsubscribe link: they are sent because the person (or
someone typing their address) asked, once, and say so."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

from jinja2 import Environment

from openinno.domain.account import RESET_LINK_TTL, VERIFY_LINK_TTL
from web.account_links import make_reset_token, make_verify_token
from web.pages.base import N_
from web.pages.i18n import format_when, gettext_for

SUBJECTS = {
    "verify_email": N_("openinno: confirm your e-mail address"),
    "password_reset": N_("openinno: reset your password"),
}
TEXTS = {
    "verify_email": N_(
        "To confirm that %(email)s is your address on openinno, open the link below"
        " before %(expires)s."
    ),
    "password_reset": N_(
        "Someone asked to reset the password of your openinno account. To choose a new"
        " password, open the link below before %(expires)s. It works once."
    ),
}
IGNORE = {
    "verify_email": N_("If you did not sign up on openinno, ignore this mail."),
    "password_reset": N_(
        "If you did not ask for this, ignore this mail: your password stays as it is."
    ),
}
BUTTONS = {
    "verify_email": N_("Confirm my e-mail address"),
    "password_reset": N_("Choose a new password"),
}


def _created(row: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(row["created_at"]).replace("Z", "+00:00"))


def expires_at(row: Mapping[str, Any]) -> datetime:
    ttl: timedelta = VERIFY_LINK_TTL if row["kind"] == "verify_email" else RESET_LINK_TTL
    return _created(row) + ttl


def link(row: Mapping[str, Any], base_url: str, secret: str) -> str:
    params: dict[str, Any] = json.loads(row.get("params") or "{}")
    account_id = UUID(str(row["account_id"]))
    if row["kind"] == "verify_email":
        token = make_verify_token(secret, account_id, params["email"], expires_at(row))
        return f"{base_url}/verify-email/{token}"
    token = make_reset_token(secret, account_id, UUID(params["reset_id"]), expires_at(row))
    return f"{base_url}/password/reset/{token}"


def fill(
    message: EmailMessage,
    row: Mapping[str, Any],
    *,
    env: Environment,
    locale: str,
    zone: str,
    base_url: str,
    secret: str,
) -> None:
    """The subject and both bodies of an account mail."""
    kind = row["kind"]
    params: dict[str, Any] = json.loads(row.get("params") or "{}")
    url = link(row, base_url, secret)
    subject = gettext_for(locale, SUBJECTS[kind])
    text = gettext_for(locale, TEXTS[kind]) % {
        "email": params.get("email", row.get("email", "")),
        "expires": format_when(expires_at(row), locale, zone),
    }
    ignore = gettext_for(locale, IGNORE[kind])
    message["Subject"] = subject
    message.set_content(f"{text}\n\n{url}\n\n{ignore}\n")
    html = env.get_template("mail/account.html").render(
        locale=locale,
        subject=subject,
        text=text,
        link=url,
        button=gettext_for(locale, BUTTONS[kind]),
        ignore=ignore,
    )
    message.add_alternative(html, subtype="html")
