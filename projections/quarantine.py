"""Events a read model could not apply, set aside so that the read model goes on.

A read model is a function of the log.  When its code cannot apply one event (a
value it cannot format, a row the database refuses), the runner must not retry
that event forever: every event after it would wait too, and every page reading
that read model would show the past.  Instead the runner applies the event's page
one event at a time, and records the event it cannot apply here, in the same
transaction that moves the read model's position past it.  The read model is then
*degraded*: it lacks that one event's effect, and ``/healthz`` and ``openinno
projections status`` say so until an operator resolves the entry, by retrying it
(after a fix) or skipping it, each with a reason that is kept
(docs/decisions/0014-poison-events-are-quarantined.md).

The table lives in the read-model database beside ``projection_tracking``, so an
entry commits with the position it accounts for: killed at any instant, either
both are there or neither is.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from projections.db import Db

DDL = (
    "CREATE TABLE IF NOT EXISTS projection_quarantine ("
    " name TEXT NOT NULL,"
    " position BIGINT NOT NULL,"
    " topic TEXT NOT NULL,"
    " originator_id TEXT NOT NULL,"
    " originator_version BIGINT NOT NULL,"
    " error TEXT NOT NULL,"
    " failures INTEGER NOT NULL,"
    " recorded_at TEXT NOT NULL,"
    " resolution TEXT,"  # NULL while open; 'retried', 'skipped' or 'rebuilt'
    " reason TEXT,"
    " resolved_by TEXT,"
    " resolved_at TEXT,"
    " PRIMARY KEY (name, position))"
)

# Long enough for a traceback's last line and the value that caused it; a message
# that quotes a million-digit number is cut.
ERROR_CHARS = 2000


@dataclass(frozen=True)
class Entry:
    name: str
    position: int
    topic: str
    originator_id: str
    originator_version: int
    error: str
    failures: int
    recorded_at: str
    resolution: str | None
    reason: str | None
    resolved_by: str | None
    resolved_at: str | None

    @property
    def is_open(self) -> bool:
        return self.resolution is None


def ensure(db: Db) -> None:
    if not db.read_only:  # a replica has the primary's table, and takes no DDL
        db.execute(DDL)


# PostgreSQL errors that say the database, not the event, is at fault: the
# connection or the server (OperationalError: connection lost, shut down, disk full,
# serialisation failure), or the read model's tables are not what the code expects.
_PSYCOPG_SYSTEMIC = (
    "OperationalError",
    "InterfaceError",
    "UndefinedTable",
    "UndefinedColumn",
    "InsufficientPrivilege",
    "ReadOnlySqlTransaction",
)


def caused_by_the_event(error: BaseException) -> bool:
    """Whether applying one event failed because of that event (its values, or the
    read model's code for its kind), so it would fail again however often it is
    tried: then it is set aside.  Failures of the database itself (a lost
    connection, a locked or missing table, a full disk) are not the event's: the
    runner stops and tries again later, and sets nothing aside."""
    if not isinstance(error, Exception):
        return False  # KeyboardInterrupt, SystemExit, ...
    if isinstance(error, sqlite3.OperationalError):
        return False  # locked, I/O error, no such table
    if type(error).__module__.startswith("psycopg"):
        kinds = {kind.__name__ for kind in type(error).__mro__}
        return not kinds.intersection(_PSYCOPG_SYSTEMIC)
    return not isinstance(error, (MemoryError, OSError))


def describe(error: BaseException) -> str:
    text = f"{type(error).__module__}.{type(error).__qualname__}: {error}"
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"


def _now() -> str:
    # Bookkeeping of the read side, not a fact of the domain: the wall clock is right
    # here (the domain's injected clock belongs to the write side).
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(
    db: Db,
    name: str,
    position: int,
    topic: str,
    originator_id: object,
    originator_version: int,
    error: BaseException,
) -> None:
    """Set the event aside (inside the transaction that moves the position past it).
    Met again (a rebuild, a retry that failed), the entry is opened again with the
    new error and one more failure counted."""
    db.execute(
        "INSERT INTO projection_quarantine (name, position, topic, originator_id,"
        " originator_version, error, failures, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 1, ?)"
        " ON CONFLICT (name, position) DO UPDATE SET error = excluded.error,"
        " failures = projection_quarantine.failures + 1, recorded_at = excluded.recorded_at,"
        " resolution = NULL, reason = NULL, resolved_by = NULL, resolved_at = NULL",
        (
            name,
            position,
            topic,
            str(originator_id),
            originator_version,
            describe(error),
            _now(),
        ),
    )


def resolve(db: Db, name: str, position: int, resolution: str, reason: str, by: str) -> bool:
    """Close an open entry; False when there is no open entry at (name, position)."""
    changed = db.execute(
        "UPDATE projection_quarantine SET resolution = ?, reason = ?, resolved_by = ?,"
        " resolved_at = ? WHERE name = ? AND position = ? AND resolution IS NULL",
        (resolution, reason, by, _now(), name, position),
    )
    return changed == 1


def close_for_replay(db: Db, name: str) -> None:
    """A read model replayed from zero meets its events again: its open entries are
    closed as 'rebuilt' (one still failing is opened again by ``record``)."""
    db.execute(
        "UPDATE projection_quarantine SET resolution = 'rebuilt',"
        " reason = 'read model replayed from zero', resolved_by = 'openinno',"
        " resolved_at = ? WHERE name = ? AND resolution IS NULL",
        (_now(), name),
    )


_COLUMNS = (
    "name, position, topic, originator_id, originator_version, error, failures,"
    " recorded_at, resolution, reason, resolved_by, resolved_at"
)


def entries(db: Db, *, name: str | None = None, open_only: bool = True) -> list[Entry]:
    ensure(db)
    where: list[str] = []
    params: list[object] = []
    if name is not None:
        where.append("name = ?")
        params.append(name)
    if open_only:
        where.append("resolution IS NULL")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = db.rows(
        f"SELECT {_COLUMNS} FROM projection_quarantine{clause} ORDER BY name, position", params
    )
    return [Entry(**row) for row in rows]


def entry(db: Db, name: str, position: int) -> Entry | None:
    ensure(db)
    rows = db.rows(
        f"SELECT {_COLUMNS} FROM projection_quarantine WHERE name = ? AND position = ?",
        (name, position),
    )
    return Entry(**rows[0]) if rows else None


def open_counts(db: Db) -> dict[str, int]:
    """Open entries per read model (only those that have any)."""
    ensure(db)
    rows = db.rows(
        "SELECT name, COUNT(*) AS n FROM projection_quarantine"
        " WHERE resolution IS NULL GROUP BY name ORDER BY name"
    )
    return {str(r["name"]): int(r["n"]) for r in rows}
