"""Each projection's position in the log, kept in the read-model database itself
so it commits in the same transaction as the rows it accounts for."""

from __future__ import annotations

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
    db.execute(
        "INSERT INTO projection_tracking (name, position) VALUES (?, 0) "
        "ON CONFLICT (name) DO NOTHING",
        (name,),
    )


def position(db: Db, name: str) -> int:
    rows = db.rows("SELECT position FROM projection_tracking WHERE name = ?", (name,))
    return int(rows[0]["position"]) if rows else 0


def positions(db: Db) -> dict[str, int]:
    db.execute(DDL)
    rows = db.rows("SELECT name, position FROM projection_tracking ORDER BY name")
    return {str(r["name"]): int(r["position"]) for r in rows}


def advance(db: Db, name: str, old: int, new: int) -> None:
    """Move the position from ``old`` to ``new``; call inside the batch's transaction."""
    changed = db.execute(
        "UPDATE projection_tracking SET position = ? WHERE name = ? AND position = ?",
        (new, name, old),
    )
    if changed != 1:
        raise TrackingConflict(f"projection {name} is no longer at position {old}")


def reset(db: Db, name: str) -> None:
    db.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?", (name,))
