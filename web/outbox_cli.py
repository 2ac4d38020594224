"""What `openinno mail` and `openinno webhooks` share: a sender run in a background
thread by `openinno serve`, and the `send [--follow]` and `status` commands."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from openinno.settings import Settings
from web.leased_outbox import Follower


def in_background(sender: Follower, close: Callable[[], None]) -> Callable[[], None]:
    """Follow ``sender`` in a daemon thread; the returned function stops it and calls
    ``close`` (its connections)."""
    stop = threading.Event()
    thread = threading.Thread(target=sender.follow, args=(stop,), name=sender.name, daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=30)
        close()

    return stopper


def send(args: argparse.Namespace, sender: Follower, report: Callable[[int], str]) -> None:
    """Send what is due and print ``report(count)``, or keep following (``--follow``)."""
    if args.follow:
        stop = threading.Event()
        try:
            sender.follow(stop, idle_seconds=args.idle_seconds)
        except KeyboardInterrupt:
            stop.set()
        return
    print(report(sender.catch_up()))


def lease_of(args: argparse.Namespace) -> timedelta | None:
    return timedelta(seconds=args.lease_seconds) if args.lease_seconds else None


def print_counts(counts: dict[str, int], statuses: Sequence[str]) -> None:
    for status in statuses:
        print(f"{status}: {counts.get(status, 0)}")


def add_commands(
    commands: Any,
    name: str,
    *,
    help: str,
    item: str,
    items: str,
    send_help: str,
    status_help: str,
    run_send: Callable[[argparse.Namespace, Settings], int],
    run_status: Callable[[argparse.Namespace, Settings], int],
) -> None:
    """``openinno <name> send [--follow] [--lease-seconds S]`` and ``<name> status``."""
    group = commands.add_parser(name, help=help)
    sub = group.add_subparsers(dest=f"{name}_command", required=True)
    send_parser = sub.add_parser("send", help=send_help)
    send_parser.add_argument("--follow", action="store_true", help=f"keep following the {items}")
    send_parser.add_argument("--idle-seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    send_parser.add_argument(
        "--lease-seconds",
        type=float,
        default=0,
        help=f"how long a claimed {item} stays this sender's before another may take it",
    )
    send_parser.set_defaults(run=run_send)
    sub.add_parser("status", help=status_help).set_defaults(run=run_status)
