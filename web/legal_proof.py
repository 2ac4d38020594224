"""The legal read model proven against the signed log (issue 22, finding 5).

Read-model rows are only copies: anyone who can write to the read-model database
can make a page say "ownership transferred" or rename a signer.  Two checks:

- ``audit_read_models`` (`openinno audit --read-models`) replays the legal
  projection, from the events the ledger proves (leaves whose stored event still
  hashes to the recorded leaf, and events after the ledger's position with a valid
  write proof), into a scratch database, and names every row of the chain of title,
  the agreements and the history that differs from the live read model.
- ``chain_claim`` backs the "verified against checkpoint N" line of the legal pages
  and of the API's chain of title: it replays one submission's streams, each event
  checked against the latest signed checkpoint by its inclusion proof, and makes the
  claim only if the rows shown are exactly the rows the log gives.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from openinno.application import OpenInno
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.admission import judge
from openinno.ledger.log import Ledger, ledger_for, read_event
from openinno.ledger.merkle import leaf_hash, verify_inclusion
from projections import tracking
from projections.db import Db, SqliteDb
from projections.legal import PROJECTION as LEGAL
from projections.legal import queries as legal
from projections.runner import MultiRunner
from web.readside import notification_source_for, payload_for, plaintext_for

PAGE = 2_000
log = logging.getLogger("openinno.legal_proof")
# Compared row by row in log order (their keys are log positions); the agreements,
# a row per agreement, by their id.
_BY_POSITION = {"lg_events": "position", "lg_chain": "position"}


@contextmanager
def _scratch(app: OpenInno, path: Path) -> Iterator[MultiRunner]:
    db = SqliteDb(path)
    try:
        yield MultiRunner(
            (LEGAL,),
            db,
            notification_source_for(app),
            app.mapper.to_domain_event,
            payload=payload_for(app),
            plaintext=plaintext_for(app),
        )
    finally:
        db.close()


@dataclass
class ReadModelReport:
    position: int = 0  # the live read model's position: compared up to it
    replayed: int = 0  # proven events replayed into the scratch read model
    left_out: int = 0  # events up to it without a proof (named by `openinno audit`)
    rows_compared: int = 0
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _proven_pages(ledger: Ledger, upto: int, report: ReadModelReport) -> Iterator[list[Any]]:
    """The stored events up to ``upto`` that the ledger proves, a page at a time: a
    leaf whose event still hashes to the leaf recorded, or, past the ledger's
    position, an event with a valid write proof."""
    assert ledger.write_key is not None
    write_key = ledger.write_key
    recorded = ledger.recorded_proofs_from()
    proofs_from = recorded[0] if recorded is not None and recorded[1] else 1
    followed = ledger.state()[1]
    start = 1
    while start <= upto:
        page = [
            n for n in ledger.recorder.select_notifications(start=start, limit=PAGE) if n.id <= upto
        ]
        if not page:
            return
        leaves = {
            int(p): bytes(h)
            for p, h in ledger.db.rows(
                "SELECT position, leaf_hash FROM ledger_leaves WHERE position BETWEEN ? AND ?",
                (page[0].id, page[-1].id),
            )
        }
        proven = []
        for n in page:
            event = read_event(ledger.mapper, n)
            if n.id <= followed:
                ok = leaves.get(n.id) == leaf_hash(event.leaf)
            else:
                ok = judge(write_key, proofs_from, n, event.tag, event.canonical_payload).admitted
            if ok:
                proven.append(n)
            else:
                report.left_out += 1
        report.replayed += len(proven)
        yield [proven, page[-1].id]
        start = page[-1].id + 1


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in row.items()}


def _describe(table: str, key: dict[str, Any]) -> str:
    return f"{table} " + ", ".join(f"{k} {v}" for k, v in key.items())


def _compare(
    table: str, keys: Sequence[str], live: dict[str, Any] | None, log: dict[str, Any] | None
) -> str | None:
    row = live if live is not None else log
    assert row is not None
    where = _describe(table, {k: row[k] for k in keys})
    if live is None:
        return f"read model: {where}: missing (the log gives it)"
    if log is None:
        return f"read model: {where}: not in the log (a row nothing recorded)"
    changed = []
    for column in live:
        ours, theirs = _value(live[column]), _value(log.get(column))
        if ours == theirs:
            continue
        if column in _JSON_COLUMNS:
            changed.extend(_json_changes(column, ours, theirs))
        else:
            changed.append(f"{column} is {ours!r}, the log gives {theirs!r}")
    return f"read model: {where}: {'; '.join(changed)}" if changed else None


_JSON_COLUMNS = ("details", "data")


def _json_changes(column: str, live: Any, log: Any) -> list[str]:
    """Which fields of a JSON column differ (the whole text where it is not an object)."""
    try:
        ours, theirs = json.loads(live), json.loads(log)
    except (TypeError, ValueError):
        ours = theirs = None
    if not isinstance(ours, dict) or not isinstance(theirs, dict):
        return [f"{column} is {live!r}, the log gives {log!r}"]
    return [
        f"{column}.{k} is {ours.get(k)!r}, the log gives {theirs.get(k)!r}"
        for k in sorted(ours.keys() | theirs.keys())
        if ours.get(k) != theirs.get(k)
    ]


def _ordered(db: Db, table: str, column: str, upto: int) -> Iterator[dict[str, Any]]:
    """A table's rows up to log position ``upto`` in log order, a page at a time."""
    after = 0
    while True:
        rows = db.rows(
            f"SELECT * FROM {table} WHERE {column} > ? AND {column} <= ? ORDER BY {column} LIMIT ?",
            (after, upto, PAGE),
        )
        yield from (_normal(r) for r in rows)
        if len(rows) < PAGE:
            return
        after = int(rows[-1][column])


def _diff_ordered(
    live: Db, log: Db, table: str, column: str, upto: int, report: ReadModelReport
) -> None:
    keys = LEGAL.keys[table]
    theirs, ours = _ordered(live, table, column, upto), _ordered(log, table, column, upto)
    a, b = next(theirs, None), next(ours, None)
    while a is not None or b is not None:
        report.rows_compared += 1
        if b is None or (a is not None and a[column] < b[column]):
            found, a = _compare(table, keys, a, None), next(theirs, None)
        elif a is None or b[column] < a[column]:
            found, b = _compare(table, keys, None, b), next(ours, None)
        else:
            found = _compare(table, keys, a, b)
            a, b = next(theirs, None), next(ours, None)
        if found:
            report.findings.append(found)


def _diff_keyed(live: Db, log: Db, table: str, report: ReadModelReport) -> None:
    keys = LEGAL.keys[table]
    theirs = {tuple(r[k] for k in keys): _normal(r) for r in live.rows(f"SELECT * FROM {table}")}
    ours = {tuple(r[k] for k in keys): _normal(r) for r in log.rows(f"SELECT * FROM {table}")}
    for key in sorted(theirs.keys() | ours.keys()):
        report.rows_compared += 1
        found = _compare(table, keys, theirs.get(key), ours.get(key))
        if found:
            report.findings.append(found)


def audit_read_models(
    app: OpenInno,
    ledger: Ledger,
    live: Db,
    progress: Callable[[int], None] = lambda n: None,
) -> ReadModelReport:
    """Replay the legal projection from the proven log into a scratch database, up to
    the live read model's position, and name every row that differs.  Memory stays
    flat: events and rows are read a page at a time (the agreements, a row each, are
    held whole)."""
    report = ReadModelReport(position=tracking.position(live, LEGAL.name))
    if ledger.write_key is None:
        report.findings.append("no write key configured: the log's events cannot be proven")
        return report
    with (
        tempfile.TemporaryDirectory(prefix="openinno-read-models-") as scratch_dir,
        _scratch(app, Path(scratch_dir) / "legal.db") as runner,
    ):
        for proven, last in _proven_pages(ledger, report.position, report):
            runner.apply(proven, last)
            progress(report.replayed + report.left_out)
        for table, column in _BY_POSITION.items():
            _diff_ordered(live, runner.db, table, column, report.position, report)
        # The live projection may have moved on meanwhile; rows beyond where it is
        # now were applied from nothing.
        now = tracking.position(live, LEGAL.name)
        for table, column in _BY_POSITION.items():
            for row in live.rows(
                f"SELECT * FROM {table} WHERE {column} > ? ORDER BY {column}", (now,)
            ):
                report.findings.append(
                    f"read model: {_describe(table, {k: row[k] for k in LEGAL.keys[table]})}:"
                    f" beyond the read model's position {now} (a row nothing recorded)"
                )
        _diff_keyed(live, runner.db, "lg_agreements", report)
    return report


# --- the claim on the legal pages and in the API -------------------------------------------


@dataclass(frozen=True)
class ChainClaim:
    """What the ledger says about the chain of title as shown: ``verified`` against
    the checkpoint of ``tree_size`` (cosigned by ``cosigners``), ``pending`` (a step is
    not yet under a signed checkpoint), or ``differs`` (the rows are not what the log
    gives: never rely on them)."""

    status: str
    tree_size: int = 0
    cosigners: tuple[str, ...] = ()


PENDING = ChainClaim("pending")
DIFFERS = ChainClaim("differs")


def chain_claim(
    app: OpenInno, live: Db, submission_id: UUID, as_of: legal.AsOf = legal.NOW
) -> ChainClaim | None:
    """Whether the chain of title of ``submission_id`` (as of) is what the signed log
    gives (None: no ledger, or no signing key to check a checkpoint with)."""
    try:
        ledger = ledger_for(app)
    except Exception:
        return None
    try:
        ledger.state()
    except Exception:
        ledger.db.close()
        return None  # no ledger tables: this platform runs no ledger (yet)
    try:
        return _claim(app, ledger, live, submission_id, as_of)
    except Exception:
        # A store that cannot be read: no claim, and a line in the log, since a claim
        # that silently vanishes hides its cause.
        log.warning("no ledger claim for the chain of %s", submission_id, exc_info=True)
        return None
    finally:
        with suppress(Exception):
            ledger.db.close()


def _claim(
    app: OpenInno, ledger: Ledger, live: Db, submission_id: UUID, as_of: legal.AsOf
) -> ChainClaim | None:
    cp = ledger.latest_checkpoint()
    if cp is None or ledger.signing_key is None or ledger.write_key is None:
        return None
    if cp.key_id != checkpoints.key_id(ledger.signing_key.public_key()) or not checkpoints.verify(
        ledger.signing_key.public_key(), cp
    ):
        return None
    # The moment as the live log places it (its commands' runs of positions), for the
    # replay too: the scratch database holds only the entry's streams.
    as_of = legal.whole_commands(live, as_of)
    shown = legal.chain_of_title(live, submission_id, as_of)
    tree = ledger.tree()
    root = bytes.fromhex(cp.root_sha256)
    payload = payload_for(app)
    proven: list[Any] = []

    def add_stream(stream_id: str) -> list[Any]:
        added = []
        for index, position, digest in ledger.db.rows(
            "SELECT leaf_index, position, leaf_hash FROM ledger_leaves"
            " WHERE stream_id = ? AND leaf_index < ? ORDER BY version",
            (stream_id, cp.tree_size),
        ):
            found = ledger.recorder.select_notifications(start=int(position), limit=1)
            n = found[0] if found and found[0].id == int(position) else None
            digest = bytes(digest)
            if (
                n is None
                or leaf_hash(read_event(ledger.mapper, n).leaf) != digest
                or not verify_inclusion(
                    digest,
                    int(index),
                    cp.tree_size,
                    tree.inclusion_proof(int(index), cp.tree_size),
                    root,
                )
            ):
                raise _Differs
            added.append(n)
        return added

    try:
        own = add_stream(str(submission_id))
        proven.extend(own)
        for n in own:
            if n.topic.endswith("Submission.Awarded"):
                proven.extend(add_stream(str(payload(n)["agreement_id"])))
            elif n.topic.endswith("Submission.AppealLodged"):
                # The appeal's thread (issue 24) has steps in the chain too.
                proven.extend(add_stream(str(payload(n)["appeal_id"])))
    except _Differs:
        return DIFFERS
    proven.sort(key=lambda n: n.id)
    with _scratch(app, Path(":memory:")) as runner:
        if proven:
            runner.apply(proven, proven[-1].id)
        derived = legal.chain_of_title(runner.db, submission_id, as_of)
    if [_normal(r) for r in shown] == [_normal(r) for r in derived]:
        cosigners = tuple(
            str(w)
            for (w,) in ledger.db.rows(
                "SELECT witness FROM ledger_cosignatures WHERE tree_size = ? ORDER BY witness",
                (cp.tree_size,),
            )
        )
        return ChainClaim("verified", cp.tree_size, cosigners)
    signed = {n.id for n in proven}
    shown_signed = [r for r in shown if int(r["position"]) in signed]
    later = [int(r["position"]) for r in shown if int(r["position"]) not in signed]
    if [_normal(r) for r in shown_signed] == [_normal(r) for r in derived] and all(
        _proven_later(ledger, p, cp.tree_size) for p in later
    ):
        return PENDING
    return DIFFERS


def _proven_later(ledger: Ledger, position: int, tree_size: int) -> bool:
    """Whether a step's event, beyond the checkpoint, is one the application wrote."""
    assert ledger.write_key is not None
    found = ledger.recorder.select_notifications(start=position, limit=1)
    if not found or found[0].id != position:
        return False
    leaf = ledger.leaf_index_of(position)
    if leaf is not None and leaf < tree_size:
        return False  # under the checkpoint, yet not in the entry's streams
    recorded = ledger.recorded_proofs_from()
    proofs_from = recorded[0] if recorded is not None and recorded[1] else 1
    event = read_event(ledger.mapper, found[0])
    return judge(
        ledger.write_key, proofs_from, found[0], event.tag, event.canonical_payload
    ).admitted


class _Differs(Exception):
    """A stored event of the chain no longer matches its signed leaf."""
