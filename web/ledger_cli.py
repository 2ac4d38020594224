"""`openinno keys generate`, `ledger follow|status`, `audit`, `evidence` and `verify`:
the tamper-evident log from the command line (see docs/ip-audit.md)."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from openinno.settings import Settings


def _open(settings: Settings) -> tuple[Any, Any]:
    from openinno.application import OpenInno
    from openinno.ledger.log import ledger_for

    app = OpenInno(settings)
    return app, ledger_for(app)


def migrate_ledger(settings: Settings) -> None:
    app, ledger = _open(settings)
    try:
        ledger.db.migrate()
    finally:
        ledger.db.close()
        app.close()


def start_ledger(settings: Settings) -> Callable[[], None]:
    """Follow the log in a background thread (used by `openinno serve`)."""
    app, ledger = _open(settings)
    stop = threading.Event()
    thread = threading.Thread(
        target=ledger.follow,
        args=(stop,),
        kwargs={"linger_seconds": settings.read_side_linger_ms / 1000},
        name="ledger",
        daemon=True,
    )
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=5)
        ledger.db.close()
        app.close()

    return stopper


def _write_secret(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _keys_generate(args: argparse.Namespace, settings: Settings) -> int:
    """The checkpoint signing key and the write key (write proofs), each if missing."""
    from openinno.ledger import checkpoint
    from openinno.persistence import write_proof

    out = Path(args.out) if args.out else settings.signing_key_path
    write_key = settings.write_key_path
    if out.exists() and args.force and out == settings.signing_key_path:
        # A silent replacement breaks every verification of the old checkpoints
        # (issue 22, finding 7): a rotation announces the new key in the log.
        print(
            f"error: {out} is the signing key in use: replace it with `openinno keys rotate`,"
            " which announces the new key in the log signed by this one",
            file=sys.stderr,
        )
        return 2
    if out.exists() and not (args.if_missing or args.force):
        print(
            f"error: {out} exists; replace the signing key in use with `openinno keys rotate`,"
            " or pass --if-missing to add only missing keys",
            file=sys.stderr,
        )
        return 2
    if not write_key.exists():
        _write_secret(write_key, write_proof.generate_key_text())
        print(f"write key written to {write_key} (keep it secret and off the database server)")
    if out.exists() and not args.force:
        return 0
    pem = checkpoint.generate_private_key_pem()
    _write_secret(out, pem)
    public = checkpoint.public_key_pem(checkpoint.load_private_key(pem)).decode()
    print(f"signing key written to {out} (keep it secret, back it up)\npublic key:\n{public}")
    return 0


def _keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    """A new signing key, announced in the log signed by the current one (and by
    itself); the current key signs one last checkpoint that holds the announcement,
    then the new key replaces it in the key file."""
    from openinno.ledger import checkpoint
    from openinno.ledger.key_history import announcement, revocation
    from openinno.ledger.log import catch_up
    from openinno.ledger.note import log_vkey

    app, ledger = _open(settings)
    try:
        old = ledger.signing_key
        if old is None:
            print("error: no signing key to rotate (openinno keys generate)", file=sys.stderr)
            return 2
        path = settings.signing_key_path
        history = app.signing_key_history()
        if not history["announcements"]:
            # The history starts with the key in use (checkpoints before it stay its own).
            app.announce_signing_key(announcement(old, 0, None))
        sequence = len(app.signing_key_history()["announcements"])
        staged = path.with_name(path.name + ".new")
        new: checkpoint.Signer
        if args.new_signer:
            # A key in a PKCS#11 token or a KMS, through the operator's hook.
            new = checkpoint.load_signer(args.new_signer, settings)
        elif settings.signer:
            print(
                "error: OPENINNO_SIGNER is set: give the new key's hook (--new-signer)",
                file=sys.stderr,
            )
            return 2
        else:
            pem = checkpoint.generate_private_key_pem()
            new = checkpoint.load_private_key(pem)
            _write_secret(staged, pem)  # never an announced key whose private half is lost
        app.announce_signing_key(announcement(new, sequence, old))
        catch_up(ledger)
        last = ledger.checkpoint_now()
        assert last is not None
        if args.revoke_previous:
            until = last.tree_size if args.valid_until is None else args.valid_until
            app.revoke_signing_key(
                revocation(new, checkpoint.key_id(old.public_key()), until, args.reason)
            )
        if not args.new_signer:
            staged.replace(path)
        ledger.signing_key = new
        catch_up(ledger)
    finally:
        ledger.db.close()
        app.close()
    new_id = checkpoint.key_id(new.public_key())
    print(
        f"key {checkpoint.key_id(old.public_key())} signed its last checkpoint (size"
        f" {last.tree_size}); key {new_id} signs the checkpoints after it"
    )
    print(f"new log vkey (add it to each witness's --log): {log_vkey(new, ledger.origin)}")
    if args.new_signer:
        print(f"now set OPENINNO_SIGNER={args.new_signer} and restart the ledger followers")
    print(f"public key:\n{checkpoint.public_key_pem(new).decode()}")
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    """Revoke an earlier key (one that leaked) for trees above a size, signed by the
    current key; its checkpoints up to that size stay valid."""
    from openinno.ledger.key_history import revocation

    app, ledger = _open(settings)
    try:
        if ledger.signing_key is None:
            print("error: no signing key configured", file=sys.stderr)
            return 2
        app.revoke_signing_key(
            revocation(ledger.signing_key, args.key_id, args.valid_until, args.reason)
        )
    finally:
        ledger.db.close()
        app.close()
    print(f"key {args.key_id} revoked for trees above size {args.valid_until}")
    return 0


def _keys_history(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from openinno.application import OpenInno

    app = OpenInno(settings)
    try:
        text = json.dumps(app.signing_key_history(), indent=1) + "\n"
    finally:
        app.close()
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def _follow(args: argparse.Namespace, settings: Settings) -> int:
    app, ledger = _open(settings)
    stop = threading.Event()
    try:
        ledger.follow(stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        ledger.db.close()
        app.close()
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    app, ledger = _open(settings)
    try:
        size, position = ledger.state()
        head = app.recorder.max_notification_id() or 0
        latest = ledger.latest_checkpoint()
        print(
            f"tree size {size}, log position {position}, log head {head}, behind {head - position}"
        )
        print(
            f"signing key: {'loaded' if ledger.signing_key else 'MISSING (openinno keys generate)'}"
        )
        if ledger.signing_key is not None:
            from openinno.ledger.note import log_vkey

            # What witnesses are configured with (`openinno witness --log`).
            print(f"log vkey: {log_vkey(ledger.signing_key, ledger.origin)}")
        for witness in ledger.witnesses:
            print(f"witness {witness.name}: {witness.url}")
        print(
            "write key: "
            + (
                f"loaded ({ledger.write_key.key_id})"
                if ledger.write_key
                else "MISSING: the ledger admits nothing (openinno keys generate --if-missing)"
            )
        )
        refused = ledger.rejected()
        if refused:
            print(f"REFUSED {len(refused)} events without a valid write proof (openinno audit)")
        if latest:
            print(
                f"latest checkpoint: size {latest.tree_size} root {latest.root_sha256} at {latest.signed_at}"
            )
    finally:
        ledger.db.close()
        app.close()
    return 0


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from openinno.ledger import checkpoint
    from openinno.ledger.audit import audit

    app, ledger = _open(settings)
    started = time.perf_counter()
    head = app.recorder.max_notification_id() or 0

    def progress(done: int) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        eta = (head - done) / rate if rate else 0
        print(
            f"\raudit: {done:,}/{head:,} events  {rate:,.0f} events/s  ETA {eta:,.0f}s",
            end="",
            file=sys.stderr,
        )

    try:
        history = app.signing_key_history()
        if args.public_key:
            public = checkpoint.load_public_key(Path(args.public_key).read_bytes())
        elif ledger.signing_key is not None:
            public = ledger.signing_key.public_key()
        else:
            print("error: give --public-key, or configure the signing key", file=sys.stderr)
            return 2
        if ledger.write_key is None:
            print(
                f"error: no write key at {settings.write_key_path} (OPENINNO_WRITE_KEY_FILE):"
                " write proofs cannot be checked",
                file=sys.stderr,
            )
            return 2
        report = audit(ledger, public, progress, history, files=app.files)
        models = _audit_read_models(app, ledger, settings) if args.read_models else None
    finally:
        ledger.db.close()
        app.close()
    print(file=sys.stderr)
    print(
        f"{report.events:,} events recomputed, {report.checkpoints_verified} signed checkpoints held"
    )
    if report.proofs_from is not None:
        print(
            f"write proofs required from position {report.proofs_from:,}; "
            f"{report.legacy_events:,} legacy events below it admitted unproven"
        )
    print(
        f"{report.files_checked:,} stored files hashed; not yet checkpointed:"
        f" {report.not_checkpointed:,} events (their write proofs checked)"
    )
    for finding in report.findings:
        print(f"FAIL  {finding}")
    ok = report.ok
    if models is not None:
        print(
            f"legal read model: {models.rows_compared:,} rows held against {models.replayed:,}"
            f" proven events up to position {models.position:,}"
            + (f" ({models.left_out:,} unproven events left out)" if models.left_out else "")
        )
        for finding in models.findings:
            print(f"FAIL  {finding}")
        ok = ok and models.ok
    print("RESULT: " + ("intact" if ok else "TAMPERED OR INCOMPLETE"))
    return 0 if ok else 1


def _audit_read_models(app: Any, ledger: Any, settings: Settings) -> Any:
    """`audit --read-models`: the legal read model re-derived from the proven log."""
    from projections.db import open_db
    from web.legal_proof import audit_read_models
    from web.readside import read_store_for

    live = open_db(read_store_for(settings))
    try:
        return audit_read_models(app, ledger, live)
    finally:
        live.close()


def _evidence(args: argparse.Namespace, settings: Settings) -> int:
    from openinno.ledger.bundle import build_bundle, bundle_chunks
    from openinno.ledger.log import catch_up

    app, ledger = _open(settings)
    try:
        catch_up(ledger)
        since = [_read_checkpoint(path).tree_size for path in args.since]
        bundle = build_bundle(ledger, UUID(args.submission_id), since=since)
    finally:
        ledger.db.close()
        app.close()
    # Written piece by piece: with files, the bundle is as large as they are.
    chunks = bundle_chunks(bundle, app.files.chunks if args.with_files else None)
    if args.out:
        with Path(args.out).open("wb") as out:
            out.writelines(chunks)
        print(f"evidence bundle written to {args.out}")
    else:
        sys.stdout.buffer.writelines(chunks)
    return 0


def _read_checkpoint(path: str) -> Any:
    from types import SimpleNamespace

    import msgspec

    from openinno.ledger import checkpoint
    from openinno.ledger.evidence_verifier import parse_checkpoint_body, split_note

    raw = Path(path).read_bytes()
    if raw.lstrip().startswith(b"{"):
        return msgspec.json.decode(raw, type=checkpoint.Checkpoint)
    # A saved C2SP note: only its tree size is needed here (the verifier checks it).
    _, size, root = parse_checkpoint_body(split_note(raw.decode())[0])
    return SimpleNamespace(tree_size=size, root_sha256=root.hex())


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    """Offline: reads only the files given; no database, no network.  The standalone
    verifier's own command, so both answer alike."""
    from openinno.ledger import evidence_verifier

    return evidence_verifier.run(args)


def _add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    from openinno.ledger import evidence_verifier

    evidence_verifier.add_arguments(parser)


def add_parser(commands: Any) -> None:
    keys = commands.add_parser("keys", help="the ledger's signing key").add_subparsers(
        dest="keys_command", required=True
    )
    generate = keys.add_parser(
        "generate",
        help="create the Ed25519 signing key for checkpoints and the write key"
        " (OPENINNO_WRITE_KEY_FILE or <data dir>/write-key) that proves each recorded event;"
        " an existing write key is never replaced",
    )
    generate.add_argument(
        "--out", help="PEM file (default: OPENINNO_SIGNING_KEY_FILE or <data dir>/signing-key.pem)"
    )
    generate.add_argument(
        "--force",
        action="store_true",
        help="overwrite an existing file given with --out (never the signing key in use:"
        " `keys rotate` replaces that)",
    )
    generate.add_argument(
        "--if-missing", action="store_true", help="create only the keys that are missing"
    )
    generate.set_defaults(run=_keys_generate)
    rotate = keys.add_parser(
        "rotate",
        help="replace the signing key: the new key is announced in the log signed by the"
        " current one, which signs one last checkpoint; restart nothing (followers re-read"
        " the key file)",
    )
    rotate.add_argument(
        "--revoke-previous",
        action="store_true",
        help="also revoke the current key (it leaked) for trees above --valid-until",
    )
    rotate.add_argument(
        "--valid-until",
        type=int,
        metavar="TREE_SIZE",
        help="with --revoke-previous: the largest tree its checkpoints stay valid for"
        " (default: its last checkpoint)",
    )
    rotate.add_argument("--reason", default="rotated", help="recorded with a revocation")
    rotate.add_argument(
        "--new-signer",
        metavar="MODULE:FACTORY",
        help="the new key behind a signing hook (PKCS#11, KMS; see OPENINNO_SIGNER) instead"
        " of a new key file",
    )
    rotate.set_defaults(run=_keys_rotate)
    revoke = keys.add_parser(
        "revoke",
        help="revoke an earlier signing key for trees above a size (signed by the current key)",
    )
    revoke.add_argument("key_id")
    revoke.add_argument("--valid-until", type=int, required=True, metavar="TREE_SIZE")
    revoke.add_argument("--reason", required=True)
    revoke.set_defaults(run=_keys_revoke)
    history = keys.add_parser(
        "history", help="the signing keys' history, for `openinno verify --key-history`"
    )
    history.add_argument("--out")
    history.set_defaults(run=_keys_history)
    ledger = commands.add_parser("ledger", help="the tamper-evident log").add_subparsers(
        dest="ledger_command", required=True
    )
    ledger.add_parser(
        "follow", help="append new events and sign checkpoints, forever"
    ).set_defaults(run=_follow)
    ledger.add_parser("status", help="tree size, lag and latest checkpoint").set_defaults(
        run=_status
    )
    audit = commands.add_parser(
        "audit",
        help="recompute the tree from the store and hold it against every signed checkpoint",
    )
    audit.add_argument(
        "--public-key", help="PEM public key (default: from the configured signing key)"
    )
    audit.add_argument(
        "--read-models",
        action="store_true",
        help="also re-derive the legal read model from the proven log and name every row"
        " that differs",
    )
    audit.set_defaults(run=_audit)
    evidence = commands.add_parser("evidence", help="write a submission's evidence bundle")
    evidence.add_argument("submission_id")
    evidence.add_argument("--out")
    evidence.add_argument(
        "--with-files", action="store_true", help="include the submitted files' bytes"
    )
    evidence.add_argument(
        "--since",
        action="append",
        default=[],
        metavar="CHECKPOINT",
        help="a checkpoint (JSON, or its C2SP note) the recipient saved earlier: the bundle carries a"
        " consistency proof from its tree size (repeatable)",
    )
    evidence.set_defaults(run=_evidence)
    verify = commands.add_parser("verify", help="check an evidence bundle offline")
    _add_verify_arguments(verify)
    verify.set_defaults(run=_verify)
