"""`openinno webhooks send [--follow]` and `webhooks status`: the webhooks'
deliveries posted to their endpoints; ``openinno serve`` runs the sender in a
background thread (docs/operations.md, "Webhooks")."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from openinno.settings import Settings
from web import outbox_cli

STATUSES = ("queued", "delivered", "failed", "expired", "cancelled")


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
    return outbox_cli.in_background(sender, sender.db.close)


def _send(args: argparse.Namespace, settings: Settings) -> int:
    sender = open_sender(settings, outbox_cli.lease_of(args))
    try:
        outbox_cli.send(args, sender, lambda n: f"webhooks: {n} handled")
    finally:
        sender.db.close()
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from web.webhooks import outbox

    sender = open_sender(settings)
    try:
        outbox_cli.print_counts(outbox.counts(sender.db), STATUSES)
    finally:
        sender.db.close()
    return 0


def add_parser(commands: Any) -> None:
    outbox_cli.add_commands(
        commands,
        "webhooks",
        help="the organisations' webhook deliveries",
        item="delivery",
        items="deliveries",
        send_help="post the deliveries that are due, then stop (or keep following)",
        status_help="deliveries queued, delivered, failed, expired and cancelled",
        run_send=_send,
        run_status=_status,
    )
