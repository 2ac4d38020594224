"""`openinno follow`: what `openinno serve` runs beside the web, without the web.

With several app hosts (`serve --no-projections` on each, decision 0035), one
read-side host runs this: it applies the log to the read models, the ledger and
its checkpoints, makes the derived files, and sends the mails and webhooks.  Stops
on SIGTERM or Ctrl-C, each follower where it is (each resumes from its position)."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from typing import Any

from openinno.settings import Settings


def _follow(args: argparse.Namespace, settings: Settings) -> int:
    from web.files_cli import start_derivatives
    from web.ledger_cli import start_ledger
    from web.mail_cli import start_mail
    from web.projections_cli import start_projections
    from web.webhooks_cli import start_webhooks

    stopped = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    stoppers: list[Callable[[], None]] = []
    try:
        for start in (start_projections, start_ledger, start_derivatives, start_mail):
            stoppers.append(start(settings))
        stoppers.append(start_webhooks(settings))
        print("following the log: read models, ledger, derived files, mail, webhooks", flush=True)
        stopped.wait()
    finally:
        for stopper in reversed(stoppers):
            stopper()
    return 0


def add_parser(commands: Any) -> None:
    follow = commands.add_parser(
        "follow",
        help="follow the log into the read models, the ledger, the derived files, the mail "
        "and the webhooks (what `serve` runs beside the web), without serving",
    )
    follow.set_defaults(run=_follow)
