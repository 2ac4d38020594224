"""`openinno personal-data`: erasure on the operator's side, the retention job, and the
master key's rotation (decision 0032; docs/operations.md, "Personal data")."""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from openinno.domain.personal import ERASED
from openinno.settings import Settings

log = logging.getLogger("openinno.privacy")
# How often `openinno serve` runs the retention job.
RETENTION_EVERY_SECONDS = 3600.0

# Votes whose challenge closed more than the retention period ago and whose signals
# are still held (neither empty nor erased).
_DUE_VOTES = (
    "SELECT v.vote_id, v.voter_id FROM vt_votes v"
    " JOIN pt_challenges c ON c.challenge_id = v.challenge_id"
    " WHERE c.closes_at < ? AND ((v.address <> '' AND v.address <> ?)"
    " OR (v.user_agent <> '' AND v.user_agent <> ?)) ORDER BY v.vote_id"
)


def due_votes(db: Any, closed_before: str) -> list[tuple[UUID, UUID]]:
    rows = db.rows(_DUE_VOTES, (closed_before, ERASED, ERASED))
    return [(UUID(r["vote_id"]), UUID(r["voter_id"])) for r in rows]


def retain(app: Any, settings: Settings) -> int:
    """One run of the retention job: how many votes' signals were shredded."""
    from projections.db import open_db
    from projections.values import iso
    from web.readside import read_store_for

    days = settings.vote_network_retention_days
    cutoff = iso(app.clock.now() - timedelta(days=days))
    db = open_db(read_store_for(settings))
    try:
        votes = due_votes(db, cutoff)
    finally:
        db.close()
    reason = f"retention: vote signals kept {days} days after the challenge closed"
    return int(app.retire_vote_signals(votes, reason))


def start_retention(settings: Settings) -> Callable[[], None]:
    """The retention job every hour in a background thread (used by `openinno serve`)."""
    from openinno.application import OpenInno

    app = OpenInno(settings)
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(RETENTION_EVERY_SECONDS):
            try:
                done = retain(app, settings)
                if done:
                    log.info("retention: %s votes' signals shredded", done)
            except Exception:
                log.exception("retention run failed; trying again in an hour")

    thread = threading.Thread(target=run, name="retention", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=30)
        app.close()

    return stopper


def _with_app(settings: Settings, work: Callable[[Any], int]) -> int:
    from openinno.application import OpenInno

    app = OpenInno(settings)
    try:
        return work(app)
    finally:
        app.close()


def _retain(args: argparse.Namespace, settings: Settings) -> int:
    done = _with_app(settings, lambda app: retain(app, settings))
    print(f"retention: {done} votes' signals shredded")
    return 0


def _rewrap(args: argparse.Namespace, settings: Settings) -> int:
    done = _with_app(settings, lambda app: app.personal_keys.rewrap())
    print(f"personal-data keys: {done} wrapped again under the current master key")
    return 0


def _erase(args: argparse.Namespace, settings: Settings) -> int:
    """The operator's path (a request by post, a court order), or the end of an erasure a
    crash interrupted: records Account.Erased if not yet, then shreds."""
    account = UUID(args.account)

    def work(app: Any) -> int:
        from openinno.domain import Account

        found = app._load(account, Account, "account")
        if not found.erased:
            found.erase(account, args.reason, tuple(app.legal_holds(account)), app._now())
            app._commit(found)
        shredded = app.shred_personal_data(account, args.reason)
        print(f"erased {account}: shredded {', '.join(shredded) or 'nothing more'}")
        for kept in app.legal_holds(account):
            print(f"kept under a legal hold: {kept}")
        return 0

    return _with_app(settings, work)


def add_parser(commands: Any) -> None:
    personal = commands.add_parser("personal-data", help="erasure, retention, key rotation")
    sub = personal.add_subparsers(dest="personal_command", required=True)
    sub.add_parser(
        "retain",
        help="shred votes' IP addresses and user agents past OPENINNO_VOTE_NETWORK_RETENTION_DAYS",
    ).set_defaults(run=_retain)
    sub.add_parser(
        "rewrap", help="wrap every data key under the first of OPENINNO_PERSONAL_DATA_KEYS"
    ).set_defaults(run=_rewrap)
    erase = sub.add_parser("erase", help="erase an account's personal data (the operator)")
    erase.add_argument("--account", required=True, help="the account id")
    erase.add_argument("--reason", required=True)
    erase.set_defaults(run=_erase)
