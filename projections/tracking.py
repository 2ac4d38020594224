"""Each projection's position in the log, kept in the read-model database itself
so it commits in the same transaction as the rows it accounts for."""

from __future__ import annotations

from collections.abc import Callable

from projections import quarantine
from projections.db import Db

DDL = (
    "CREATE TABLE IF NOT EXISTS projection_tracking ("
    " name TEXT PRIMARY KEY,"
    " position BIGINT NOT NULL)"
)


class TrackingConflict(RuntimeError):
    """Another runner moved this projection's position: this batch was not applied."""


def ensure(db: Db, name: str) -> None:
    db.execute(DDL)
    quarantine.ensure(db)
    _ensure_ddl_column(db)
    db.execute(
        "INSERT INTO projection_tracking (name, position) VALUES (?, 0) "
        "ON CONFLICT (name) DO NOTHING",
        (name,),
    )


def _ensure_ddl_column(db: Db) -> None:
    """``ddl_sha256`` (the hash of the DDL that made a projection's tables) came after
    the table: added where missing.  The catalogue is asked first, so a started system
    does not lock the table for an ALTER that has nothing to do."""
    if db.dialect == "sqlite":
        columns = {r["name"] for r in db.rows("PRAGMA table_info(projection_tracking)")}
    else:
        columns = {
            r["column_name"]
            for r in db.rows(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = 'projection_tracking'"
            )
        }
    if "ddl_sha256" not in columns:
        db.execute("ALTER TABLE projection_tracking ADD COLUMN ddl_sha256 TEXT")


def ddl_sha256(db: Db, name: str) -> str | None:
    """The hash of the DDL the projection's tables were made with (None: not recorded,
    tables older than the recording).  On PostgreSQL the row is locked until the
    transaction ends, so two runners starting at once do not both rebuild."""
    lock = "" if db.dialect == "sqlite" else " FOR UPDATE"
    rows = db.rows(f"SELECT ddl_sha256 FROM projection_tracking WHERE name = ?{lock}", (name,))
    return rows[0]["ddl_sha256"] if rows else None


def record_ddl(db: Db, name: str, ddl: str) -> None:
    db.execute("UPDATE projection_tracking SET ddl_sha256 = ? WHERE name = ?", (ddl, name))


def position(db: Db, name: str) -> int:
    rows = db.rows("SELECT position FROM projection_tracking WHERE name = ?", (name,))
    return int(rows[0]["position"]) if rows else 0


def positions(db: Db) -> dict[str, int]:
    if not db.read_only:  # a replica has the primary's table, and takes no DDL
        db.execute(DDL)
    rows = db.rows("SELECT name, position FROM projection_tracking ORDER BY name")
    return {str(r["name"]): int(r["position"]) for r in rows}


_ADVANCE = "UPDATE projection_tracking SET position = ? WHERE name = ? AND position = ?"


def advance(db: Db, name: str, old: int, new: int) -> None:
    """Move the position from ``old`` to ``new``; call inside the batch's transaction."""
    if db.execute(_ADVANCE, (new, name, old)) != 1:
        raise TrackingConflict(f"projection {name} is no longer at position {old}")


def advance_later(db: Db, name: str, old: int, new: int) -> Callable[[], None]:
    """``advance`` inside a ``quick_batch``: the statement is sent now; the function
    returned raises ``TrackingConflict`` if the position was no longer ``old`` (call
    it after the batch's ``sync``, before writing the batch's rows)."""
    changed = db.execute_later(_ADVANCE, (new, name, old))

    def check() -> None:
        if changed() != 1:
            raise TrackingConflict(f"projection {name} is no longer at position {old}")

    return check


def reset(db: Db, name: str) -> None:
    """Back to zero: the read model will meet every event again, so the events it had
    set aside are closed as rebuilt (those still failing are set aside anew)."""
    db.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?", (name,))
    quarantine.close_for_replay(db, name)
