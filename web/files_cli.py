"""`openinno files derive [--follow]` and `files status`: the blind copies and
previews of uploaded files, made from the log in the background (see
openinno.derivatives and docs/operations.md)."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from typing import Any

from openinno.settings import Settings


def _open(settings: Settings) -> tuple[Any, Any]:
    from openinno.application import OpenInno
    from openinno.derivatives.follower import DerivativesFollower

    app = OpenInno(settings)
    return app, DerivativesFollower(app.recorder, app.mapper, app.derived)


def start_derivatives(settings: Settings) -> Callable[[], None]:
    """Follow the log in a background thread (used by `openinno serve`)."""
    app, follower = _open(settings)
    stop = threading.Event()
    thread = threading.Thread(target=follower.follow, args=(stop,), name="derivatives", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=10)
        app.close()

    return stopper


def _derive(args: argparse.Namespace, settings: Settings) -> int:
    app, follower = _open(settings)
    try:
        if args.follow:
            stop = threading.Event()
            try:
                follower.follow(stop)
            except KeyboardInterrupt:
                stop.set()
            return 0
        count = follower.catch_up()
        print(
            f"derived files caught up: {count} events read, at position {follower.position()} "
            f"({app.derived.root})"
        )
    finally:
        app.close()
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    app, follower = _open(settings)
    try:
        head = app.recorder.max_notification_id() or 0
        position = follower.position()
        print(f"derived files: {app.derived.root}")
        print(f"position {position} of {head} (lag {head - position})")
    finally:
        app.close()
    return 0


def add_parser(commands: Any) -> None:
    files = commands.add_parser("files", help="blind copies and previews of uploaded files")
    sub = files.add_subparsers(dest="files_command", required=True)
    derive = sub.add_parser(
        "derive",
        help="make the blind copies and previews the log's files still lack, then stop "
        "(or keep following with --follow); a deleted derived directory is rebuilt",
    )
    derive.add_argument("--follow", action="store_true", help="keep following the log")
    derive.set_defaults(run=_derive)
    sub.add_parser(
        "status", help="where derived files live and how far behind the log"
    ).set_defaults(run=_status)
