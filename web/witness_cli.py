"""`openinno witness`: run a transparency-log witness (openinno/ledger/witness.py) as
its own service, with its own key and state file; it needs no database and no
openinno settings beyond its arguments."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

from openinno.settings import Settings


def _witness(args: argparse.Namespace, settings: Settings) -> int:
    from openinno.ledger import checkpoint
    from openinno.ledger.evidence_verifier import parse_vkey
    from openinno.ledger.note import witness_vkey
    from openinno.ledger.witness import Witness, WitnessState, serve
    from web.ledger_cli import _write_secret

    key_file = Path(args.key)
    if not key_file.exists():
        _write_secret(key_file, checkpoint.generate_private_key_pem())
        print(f"witness key written to {key_file} (keep it secret; never reuse it elsewhere)")
    try:
        key = checkpoint.load_private_key(key_file.read_bytes())
        logs = [parse_vkey(text) for text in args.log]
        witness = Witness(args.name, key, logs, WitnessState(Path(args.state)), time.time)
        witness.state.load()
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    host, _, port = args.listen.rpartition(":")
    server = serve(witness, host or "127.0.0.1", int(port))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    print(f"witness vkey: {witness_vkey(key, args.name)}")
    print(f"witness {args.name} listening on http://{bound_host}:{bound_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def add_parser(commands: Any) -> None:
    witness = commands.add_parser(
        "witness",
        help="run a C2SP tlog-witness that cosigns a log's checkpoints only when they"
        " extend the last one it cosigned",
    )
    witness.add_argument("--name", required=True, help="the witness's key name, a schema-less URL")
    witness.add_argument(
        "--key", required=True, help="its Ed25519 private key (PEM; created if missing)"
    )
    witness.add_argument(
        "--state",
        required=True,
        help="its state file: the last size and root it cosigned per log (never lose it)",
    )
    witness.add_argument(
        "--log",
        action="append",
        required=True,
        metavar="VKEY",
        help="a log it witnesses, as the log's verifier key (`openinno ledger status`"
        " prints it); repeatable",
    )
    witness.add_argument(
        "--listen", default="127.0.0.1:7380", help="host:port (port 0: any free port)"
    )
    witness.set_defaults(run=_witness)
