"""Dump read-model tables for row-by-row comparison."""

from __future__ import annotations

from typing import Any

from projections.db import Db
from projections.registry import ALL


def dump(db: Db) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for projection in ALL:
        for table in projection.all_tables(db.dialect):
            rows = [tuple(r.values()) for r in db.rows(f"SELECT * FROM {table}")]
            tables[table] = sorted(rows, key=repr)
    return tables
