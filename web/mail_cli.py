"""`openinno mail send [--follow]` and `mail status`: the notifications' outbox sent
by SMTP (``OPENINNO_SMTP_URL``) or written as ``.eml`` files; ``openinno serve`` runs
the sender in a background thread (docs/operations.md, "Mail")."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from openinno.settings import Settings


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


def start_mail(settings: Settings) -> Callable[[], None]:
    """Send the outbox in a background thread (used by `openinno serve`)."""
    sender = open_sender(settings)
    stop = threading.Event()
    thread = threading.Thread(target=sender.follow, args=(stop,), name="mail", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=30)
        sender.transport.close()
        sender.db.close()

    return stopper


def _send(args: argparse.Namespace, settings: Settings) -> int:
    lease = timedelta(seconds=args.lease_seconds) if args.lease_seconds else None
    sender = open_sender(settings, lease)
    try:
        if args.follow:
            stop = threading.Event()
            try:
                sender.follow(stop, idle_seconds=args.idle_seconds)
            except KeyboardInterrupt:
                stop.set()
            return 0
        count = sender.catch_up()
        print(f"mail: {count} handled; {_where(settings)}")
    finally:
        sender.transport.close()
        sender.db.close()
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
        counts = outbox.counts(sender.db)
        print(f"mail {_where(settings)}")
        for status in ("queued", "sent", "failed", "expired"):
            print(f"{status}: {counts.get(status, 0)}")
    finally:
        sender.db.close()
    return 0


def add_parser(commands: Any) -> None:
    mail = commands.add_parser("mail", help="the notifications' e-mail outbox")
    sub = mail.add_subparsers(dest="mail_command", required=True)
    send = sub.add_parser(
        "send", help="send the mails that are due, then stop (or keep following with --follow)"
    )
    send.add_argument("--follow", action="store_true", help="keep following the outbox")
    send.add_argument("--idle-seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    send.add_argument(
        "--lease-seconds",
        type=float,
        default=0,
        help="how long a claimed mail stays this sender's before another may take it",
    )
    send.set_defaults(run=_send)
    sub.add_parser("status", help="mails queued, sent, failed and expired").set_defaults(
        run=_status
    )
