"""The `openinno` console command.  It lives in `web` because it wires every layer
together (the `openinno` package must not import the read side or the web)."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Sequence

from openinno.settings import Settings
from web.files_cli import add_parser as add_files_parser
from web.follow_cli import add_parser as add_follow_parser
from web.ledger_cli import add_parser as add_ledger_parser
from web.mail_cli import add_parser as add_mail_parser
from web.personal_data_cli import add_parser as add_personal_data_parser
from web.projections_cli import add_parser as add_projections_parser
from web.webhooks_cli import add_parser as add_webhooks_parser
from web.witness_cli import add_parser as add_witness_parser


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from openinno.persistence.migrate import migrate_event_store
    from web.ledger_cli import migrate_ledger
    from web.projections_cli import migrate_read_models
    from web.throttle_postgres import migrate_buckets

    migrate_event_store(settings)
    migrate_ledger(settings)
    migrate_buckets(settings)
    print(f"migrated event store and ledger at {settings.database_url}")
    print(f"migrated read models in {migrate_read_models(settings)}")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from openinno.application import OpenInno
    from openinno.demo import load_demo

    app = OpenInno(settings)
    try:
        print(load_demo(app))
    finally:
        app.close()
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from openinno.files import FileStore
    from web.files_cli import start_derivatives
    from web.ledger_cli import start_ledger
    from web.mail_cli import start_mail
    from web.personal_data_cli import start_retention
    from web.projections_cli import start_projections
    from web.webhooks_cli import start_webhooks

    # Uploads staged by a worker that was killed mid-request (the files are large).
    FileStore(settings.files_dir).sweep_incoming(time.time())
    # The projections follow the log in this process's background threads.
    stop_projections = None if args.no_projections else start_projections(settings)
    stop_ledger = None if args.no_projections else start_ledger(settings)
    # Blind copies and previews of uploaded files, made from the log (never in a request).
    stop_derivatives = None if args.no_projections else start_derivatives(settings)
    # The notifications' mails, sent from the outbox the read side fills.
    stop_mail = None if args.no_projections else start_mail(settings)
    # The organisations' webhooks, posted from the deliveries the read side queues.
    stop_webhooks = None if args.no_projections else start_webhooks(settings)
    # Retention of personal data (decision 0032): the votes' signals, hourly.
    stop_retention = None if args.no_projections else start_retention(settings)
    try:
        uvicorn.run(
            "web.app:create_served_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=args.workers,
            # uvicorn kills a worker that misses a 5 s health ping; a worker busy with a
            # burst on a loaded machine missed it at the start of the HTTP benchmark
            # ("Child process died"), dropping every request it held.  A hung worker is
            # still replaced, after 30 s.
            timeout_worker_healthcheck=30,
            # One log line per request cost 4-7 % of a worker's CPU under load (py-spy,
            # docs/performance.md); a proxy in front usually logs requests already.
            access_log=not args.no_access_log,
        )
    finally:
        if stop_projections is not None:
            stop_projections()
        if stop_ledger is not None:
            stop_ledger()
        if stop_derivatives is not None:
            stop_derivatives()
        if stop_mail is not None:
            stop_mail()
        if stop_webhooks is not None:
            stop_webhooks()
        if stop_retention is not None:
            stop_retention()
    return 0


def _admin_create(args: argparse.Namespace, settings: Settings) -> int:
    from openinno.application import OpenInno

    password = args.password or getpass.getpass("Password for the admin account: ")
    app = OpenInno(settings)
    try:
        account = app.register_account(args.email, password, args.name)
        app.grant_admin_as_operator(account.id)
    finally:
        app.close()
    print(f"admin {args.email} created with id {account.id}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openinno", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create event-store and read-model tables").set_defaults(
        run=_migrate
    )
    commands.add_parser("demo", help="load demo data (idempotent)").set_defaults(run=_demo)
    serve = commands.add_parser("serve", help="serve the web app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--no-projections",
        action="store_true",
        help="do not follow the projections, the ledger, the derived files and the mail "
        "outbox here (run `openinno projections run`, `openinno ledger follow`, "
        "`openinno files derive --follow` and `openinno mail send --follow`)",
    )
    serve.add_argument(
        "--no-access-log",
        action="store_true",
        help="do not log each request (when a proxy in front logs them)",
    )
    serve.set_defaults(run=_serve)
    add_projections_parser(commands)
    add_follow_parser(commands)
    add_ledger_parser(commands)
    add_files_parser(commands)
    add_witness_parser(commands)
    add_mail_parser(commands)
    add_webhooks_parser(commands)
    add_personal_data_parser(commands)
    admin = commands.add_parser("admin", help="administer accounts")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_commands.add_parser("create", help="create an admin account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="Administrator")
    create.add_argument("--password", help="prompted for when omitted")
    create.set_defaults(run=_admin_create)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from openinno.domain.errors import DomainError

    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return int(args.run(args, settings))
    except DomainError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
