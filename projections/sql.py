"""Tiny SQL builders shared by the read models (portable SQLite/PostgreSQL SQL)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from projections.db import Db


def insert(db: Db, table: str, values: Mapping[str, Any]) -> None:
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values()))


def upsert(db: Db, table: str, key: Sequence[str], values: Mapping[str, Any]) -> None:
    """Insert, or update the non-key columns of the existing row."""
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    updates = ", ".join(f"{c} = excluded.{c}" for c in values if c not in key)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    db.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({', '.join(key)}) {action}",
        tuple(values.values()),
    )


def update(db: Db, table: str, where: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    sets = ", ".join(f"{c} = ?" for c in values)
    conditions = " AND ".join(f"{c} = ?" for c in where)
    db.execute(
        f"UPDATE {table} SET {sets} WHERE {conditions}",
        (*values.values(), *where.values()),
    )
