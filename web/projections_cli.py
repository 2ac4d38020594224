"""`openinno projections run | rebuild [NAME] | status`, and the read side's part
of `openinno migrate` and `openinno serve`."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from openinno.application import OpenInno
from openinno.settings import Settings
from projections import quarantine
from projections.db import ReadStore, open_db
from projections.parallel import (
    RebuildFailed,
    default_workers,
    plan_groups,
    rebuild_in_processes,
)
from projections.registry import ALL, by_name
from projections.runner import Progress, apply_again, create_tables, payload_from
from projections.service import ReadSide
from web.readside import read_side_for, read_store_for


def migrate_read_models(settings: Settings) -> str:
    app = OpenInno(settings)
    try:
        side = read_side_for(settings, app)
        side.setup()
        return side.store.describe()
    finally:
        app.close()


def start_projections(settings: Settings) -> Callable[[], None]:
    """Follow every projection in background threads; returns the stopper."""
    app = OpenInno(settings)
    side = read_side_for(settings, app)
    side.setup()
    side.start()

    def stop() -> None:
        side.stop()
        app.close()

    return stop


def _with_side(
    settings: Settings, args: argparse.Namespace, action: Callable[[ReadSide], int]
) -> int:
    app = OpenInno(settings)
    try:
        names = getattr(args, "names", None) or [p.name for p in ALL]
        side = read_side_for(settings, app, [by_name(n) for n in names], batch_size=args.batch_size)
        return action(side)
    finally:
        app.close()


def _run(args: argparse.Namespace, settings: Settings) -> int:
    def run(side: ReadSide) -> int:
        side.setup()
        print(f"following {len(side.projections)} projections into {side.store.describe()}")
        with contextlib.suppress(KeyboardInterrupt):
            side.run_forever()
        return 0

    return _with_side(settings, args, run)


def progress_line(name: str, started: float, start: int = 0, out: Any = sys.stderr) -> Progress:
    """A one-line stderr progress bar: log positions passed, their rate and the ETA.
    A position is an event's notification id, so positions/s is the log's events/s
    (on PostgreSQL ids can skip a few numbers: then a slight overstatement)."""

    def show(position: int, head: int) -> None:
        elapsed = max(time.monotonic() - started, 1e-9)
        done = position - start
        rate = done / elapsed
        eta = (head - position) / rate if rate > 0 else 0.0
        width = 30
        filled = int(width * position / head) if head else width
        bar = "#" * filled + "-" * (width - filled)
        out.write(
            f"\r{name:<14} [{bar}] {position}/{head} {rate:,.0f} positions/s (events/s)"
            f" ETA {eta:,.1f}s  "
        )
        out.flush()

    return show


def rebuild_read_models(
    settings: Settings,
    names: Sequence[str],
    *,
    batch_size: int = 5000,
    workers: int | None = None,
    store: ReadStore | None = None,
    progress: Progress | None = None,
) -> int:
    """Drop the named read models and replay the log from zero: in one pass (each
    page read and decoded once, applied to every read model, all their positions
    moved in the page's one transaction), or split into ``workers`` groups of about
    equal cost, each a one-pass rebuild in its own process (default: one per core
    on PostgreSQL; one on SQLite, whose single writer would make them queue).
    Return how far the positions moved.  Call before this process opens
    connections or starts threads (the workers are forked)."""
    projections = [by_name(n) for n in names]
    if workers is None:
        workers = default_workers(len(projections)) if settings.is_postgres else 1
    groups = plan_groups(projections, workers)

    def rebuild_group(group: Sequence[str], report: Progress | None) -> int:
        app = OpenInno(settings)
        try:
            side = read_side_for(
                settings, app, [by_name(n) for n in group], batch_size=batch_size, store=store
            )
            return side.rebuild(report)
        finally:
            app.close()

    if len(groups) == 1:
        return rebuild_group(groups[0], progress)
    # The tables first, from here: two workers' sessions creating the shared tracking
    # table at once can both try on PostgreSQL, and one fails.
    db = open_db(store or read_store_for(settings))
    try:
        create_tables(db, projections)
    finally:
        db.close()
    return rebuild_in_processes(groups, rebuild_group, progress)


def _rebuild(args: argparse.Namespace, settings: Settings) -> int:
    names = args.names or [p.name for p in ALL]
    label = names[0] if len(names) == 1 else "rebuild"
    started = time.monotonic()
    try:
        moved = rebuild_read_models(
            settings,
            names,
            batch_size=args.batch_size,
            workers=args.workers,
            progress=progress_line(label, started),
        )
    except RebuildFailed as error:
        sys.stderr.write(f"\n{error}\n")
        return 1
    elapsed = time.monotonic() - started
    rate = moved / elapsed if elapsed > 0 else 0.0
    sys.stderr.write("\n")
    print(
        f"rebuilt {', '.join(names)}: moved {moved} positions"
        f" in {elapsed:.2f}s ({rate:,.0f} positions/s)"
    )
    return 0


# `projections status` exits with this when a read model has set events aside, so a
# monitoring script can alert on it (1 is left to failures of the command itself).
DEGRADED = 3


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from projections.status import standings

    def status(side: ReadSide) -> int:
        db = open_db(side.store)
        try:
            rows = standings(db, side.source, side.decode, [p.name for p in side.projections])
            aside = quarantine.entries(db)
        finally:
            db.close()
        counts = {name: sum(1 for e in aside if e.name == name) for name in {e.name for e in aside}}
        print(
            f"{'projection':<14} {'position':>10} {'head':>10} {'lag events':>11} {'lag s':>9}"
            f" {'set aside':>10}"
        )
        for s in rows:
            print(
                f"{s.name:<14} {s.position:>10} {s.head:>10} {s.lag_events:>11}"
                f" {s.lag_seconds:>9.1f} {counts.get(s.name, 0):>10}"
            )
        if not aside:
            return 0
        print(f"\nDEGRADED: {len(aside)} event(s) set aside (`openinno projections quarantine`)")
        _print_entries(aside)
        return DEGRADED

    return _with_side(settings, args, status)


def _print_entries(entries: Sequence[quarantine.Entry]) -> None:
    for e in entries:
        state = "open" if e.is_open else f"{e.resolution} by {e.resolved_by}: {e.reason}"
        print(
            f"{e.name} @ {e.position}  {e.topic}  stream {e.originator_id} v{e.originator_version}"
            f"  failures {e.failures}  since {e.recorded_at}  [{state}]\n    {e.error}"
        )


def _quarantine(args: argparse.Namespace, settings: Settings) -> int:
    db = open_db(read_store_for(settings))
    try:
        found = quarantine.entries(db, name=args.name, open_only=not args.all)
    finally:
        db.close()
    if not found:
        print("no events set aside" if not args.all else "no events were ever set aside")
        return 0
    _print_entries(found)
    return 0


def _operator(args: argparse.Namespace) -> str:
    return args.by or getpass.getuser()


def _skip(args: argparse.Namespace, settings: Settings) -> int:
    """Accept that the read model goes without the event: the entry is closed as
    skipped, with the reason and who gave it."""
    by_name(args.name)  # an unknown read model is an error, not "nothing open"
    db = open_db(read_store_for(settings))
    try:
        with db.batch():
            closed = quarantine.resolve(
                db, args.name, args.position, "skipped", args.reason, _operator(args)
            )
    finally:
        db.close()
    if not closed:
        sys.stderr.write(f"no open entry for {args.name} at position {args.position}\n")
        return 1
    print(f"{args.name} @ {args.position}: skipped ({args.reason})")
    return 0


def _retry(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the event now (after a fix of the read model's code), in one transaction
    that closes the entry as retried.  The read model's position is already past
    it, so the event is applied after those that followed it: where that order
    matters, `openinno projections rebuild NAME` replays the log in order."""
    projection = by_name(args.name)
    app = OpenInno(settings)
    db = open_db(read_store_for(settings))
    try:
        entry = quarantine.entry(db, args.name, args.position)
        if entry is None or not entry.is_open:
            sys.stderr.write(f"no open entry for {args.name} at position {args.position}\n")
            return 1
        side = read_side_for(settings, app, [projection])
        (notification,) = side.source.select_notifications(args.position, 1)
        if notification.id != args.position:
            sys.stderr.write(f"the log has no event at position {args.position}\n")
            return 1
        try:
            apply_again(
                db,
                projection,
                notification,
                side.decode,
                side.payload or payload_from(side.decode),
                side.plaintext,
            )
        except Exception as error:
            with db.batch():
                quarantine.record(
                    db,
                    args.name,
                    notification.id,
                    notification.topic,
                    notification.originator_id,
                    notification.originator_version,
                    error,
                )
            sys.stderr.write(f"still failing: {quarantine.describe(error)}\n")
            return 1
        with db.batch():
            quarantine.resolve(
                db, args.name, args.position, "retried", args.reason, _operator(args)
            )
        print(f"{args.name} @ {args.position}: applied ({args.reason})")
        return 0
    finally:
        db.close()
        app.close()


def add_parser(commands: Any) -> None:
    group = commands.add_parser("projections", help="run, rebuild and inspect read models")
    sub = group.add_subparsers(dest="projections_command", required=True)
    run = sub.add_parser("run", help="follow the log forever, every projection in one process")
    run.add_argument("names", nargs="*", help="only these projections")
    run.set_defaults(run=_run, batch_size=500)
    run.add_argument("--batch-size", type=int, default=500)
    rebuild = sub.add_parser(
        "rebuild",
        help="drop and replay from zero (one pass over the log per worker), with"
        " progress (positions/s: the log's events per second) and ETA",
    )
    rebuild.add_argument("names", nargs="*", help="only these projections (default: all)")
    rebuild.add_argument("--batch-size", type=int, default=5000)
    rebuild.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes sharing the read models (default: one per core on PostgreSQL,"
        " one on SQLite)",
    )
    rebuild.set_defaults(run=_rebuild)
    status = sub.add_parser(
        "status",
        help=f"position and lag of each projection, and the events set aside (exit {DEGRADED}"
        " when there are any)",
    )
    status.set_defaults(run=_status, batch_size=500)
    listing = sub.add_parser(
        "quarantine", help="the events a read model could not apply and set aside"
    )
    listing.add_argument("name", nargs="?", help="only this read model")
    listing.add_argument("--all", action="store_true", help="resolved entries too")
    listing.set_defaults(run=_quarantine)
    for verb, handler, text in (
        ("retry", _retry, "apply a set-aside event again now (after a fix) and close its entry"),
        ("skip", _skip, "close a set-aside event's entry: the read model goes without it"),
    ):
        command = sub.add_parser(verb, help=text)
        command.add_argument("name", help="the read model")
        command.add_argument("position", type=int, help="the event's position in the log")
        command.add_argument("--reason", required=True, help="why (kept with the entry)")
        command.add_argument("--by", default=None, help="who decides (default: the OS user)")
        command.set_defaults(run=handler)
