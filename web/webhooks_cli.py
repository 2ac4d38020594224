"""`openinno webhooks send [--follow]` and `webhooks status`: the webhooks'
deliveries posted to their endpoints; ``openinno serve`` runs the sender in a
background thread (docs/operations.md, "Webhooks")."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from openinno.settings import Settings


def open_sender(settings: Settings, lease: timedelta | None = None) -> Any:
    from projections.db import open_db
    from projections.runner import create_tables
    from projections.webhooks import PROJECTION
    from web.readside import read_store_for
    from web.webhooks.sender import LEASE, WebhookSender
    from web.webhooks.signing import site_secret

    db = open_db(read_store_for(settings))
    create_tables(db, (PROJECTION,))
    return WebhookSender(settings, db, site_secret(settings), lease=lease or LEASE)


def start_webhooks(settings: Settings) -> Callable[[], None]:
    """Post the deliveries in a background thread (used by `openinno serve`)."""
    sender = open_sender(settings)
    stop = threading.Event()
    thread = threading.Thread(target=sender.follow, args=(stop,), name="webhooks", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=30)
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
        print(f"webhooks: {sender.catch_up()} handled")
    finally:
        sender.db.close()
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from web.webhooks import outbox

    sender = open_sender(settings)
    try:
        counts = outbox.counts(sender.db)
        for status in ("queued", "delivered", "failed", "expired", "cancelled"):
            print(f"{status}: {counts.get(status, 0)}")
    finally:
        sender.db.close()
    return 0


def add_parser(commands: Any) -> None:
    hooks = commands.add_parser("webhooks", help="the organisations' webhook deliveries")
    sub = hooks.add_subparsers(dest="webhooks_command", required=True)
    send = sub.add_parser(
        "send", help="post the deliveries that are due, then stop (or keep following)"
    )
    send.add_argument("--follow", action="store_true", help="keep following the deliveries")
    send.add_argument("--idle-seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    send.add_argument(
        "--lease-seconds",
        type=float,
        default=0,
        help="how long a claimed delivery stays this sender's before another may take it",
    )
    send.set_defaults(run=_send)
    sub.add_parser(
        "status", help="deliveries queued, delivered, failed, expired and cancelled"
    ).set_defaults(run=_status)
