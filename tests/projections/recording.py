"""A read store that remembers each query it ran, for the paging tests that explain
the queries a page ran (their plans: index order, no sort of a whole challenge)."""

from __future__ import annotations

from typing import Any

from projections.db import Db, Row


class RecordingDb:
    def __init__(self, db: Db) -> None:
        self.db = db
        self.dialect = db.dialect
        self.read_only = db.read_only
        self.queries: list[tuple[str, list[Any]]] = []

    def rows(self, sql: str, params: Any = ()) -> list[Row]:
        self.queries.append((sql, list(params)))
        return self.db.rows(sql, params)
