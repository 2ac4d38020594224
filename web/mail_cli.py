"""`openinno mail send [--follow]` and `mail status`: the notifications' outbox sent
by SMTP (``OPENINNO_SMTP_URL``) or written as ``.eml`` files; ``openinno serve`` runs
the sender in a background thread (docs/operations.md, "Mail")."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from openinno.settings import Settings
from web import outbox_cli

STATUSES = ("queued", "sent", "failed", "expired")


def open_sender(settings: Settings, lease: timedelta | None = None) -> Any:
    from projections.db import open_db
    from projections.notifications import PROJECTION
    from projections.runner import create_tables
    from web.mail.sender import LEASE, MailSender
    from web.mail.transport import transport_for
    from web.pages.base import build_environment
    from web.pages.config import PagesConfig
    from web.readside import read_store_for

    db = open_db(read_store_for(settings))
    create_tables(db, (PROJECTION,))  # what the read side's start does: where missing
    secret = PagesConfig.from_env().resolve_secret(settings)
    return MailSender(
        settings, db, transport_for(settings), build_environment(), secret, lease=lease or LEASE
    )


def _close(sender: Any) -> None:
    sender.transport.close()
    sender.db.close()


def start_mail(settings: Settings) -> Callable[[], None]:
    """Send the outbox in a background thread (used by `openinno serve`)."""
    sender = open_sender(settings)
    return outbox_cli.in_background(sender, lambda: _close(sender))


def _send(args: argparse.Namespace, settings: Settings) -> int:
    sender = open_sender(settings, outbox_cli.lease_of(args))
    try:
        outbox_cli.send(args, sender, lambda n: f"mail: {n} handled; {_where(settings)}")
    finally:
        _close(sender)
    return 0


def _where(settings: Settings) -> str:
    if settings.smtp_url:
        from web.mail.transport import SmtpUrl

        url = SmtpUrl.parse(settings.smtp_url)
        return f"sent to {url.host}:{url.port}"
    return f"written to {settings.mail_dir}"


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from web.mail import outbox

    sender = open_sender(settings)
    try:
        print(f"mail {_where(settings)}")
        outbox_cli.print_counts(outbox.counts(sender.db), STATUSES)
    finally:
        sender.db.close()
    return 0


def add_parser(commands: Any) -> None:
    outbox_cli.add_commands(
        commands,
        "mail",
        help="the notifications' e-mail outbox",
        item="mail",
        items="mails",
        send_help="send the mails that are due, then stop (or keep following with --follow)",
        status_help="mails queued, sent, failed and expired",
        run_send=_send,
        run_status=_status,
    )
