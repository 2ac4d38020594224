"""A batch's writes, gathered in memory and flushed in a few statements.

Handlers do not write to the database one statement at a time: they describe
row changes to a :class:`Writes`, which keeps, per table and primary key, the
row as it will be at the end of the batch:

- ``append`` a row nothing else in the batch touches (no merging, no checks);
- ``insert`` / ``upsert`` a row; a later ``update`` or ``add`` of the same row
  in the batch changes the pending row in memory;
- ``update`` (set columns) and ``add`` (``column = column + delta``) a row that
  is not pending: remembered per key, later changes merged into it;
- ``execute`` / ``merge``: statements that cannot be expressed per row (an
  ``INSERT ... SELECT``, a lookup in another table).  They run at the end of the
  batch, after every row change, in the order first seen, so they must commute
  with the batch's row changes (read only rows nothing else in the batch
  changes, write only columns nothing else writes).  ``merge`` folds repeated
  statements with the same key into one (a counter, a latest value).

``flush`` writes all of it inside the batch's transaction (the caller's, which
also moves the tracking position): new rows with ``COPY`` on PostgreSQL and
``executemany`` on SQLite; upserts and updates grouped by the columns they set,
each group one statement over arrays on PostgreSQL (``executemany`` on SQLite).  Where a change cannot be folded exactly (an upsert
over a pending update of the same key), the pending changes are flushed first,
so the result is always the same as applying every statement in order.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from projections.db import SET_BASED, Db

Key = tuple[Any, ...]
Params = tuple[Any, ...]
Combine = Callable[[Params, Params], Params]

INSERT, UPSERT = 0, 1


class _Pending:
    """One table's pending changes."""

    __slots__ = ("adds", "appended", "copied", "kind", "rows", "sets")

    def __init__(self) -> None:
        # new rows no other change touches, by their columns: written as they come
        self.appended: dict[tuple[str, ...], list[Params]] = {}
        # the same, as COPY text lines (PostgreSQL only)
        self.copied: dict[tuple[str, ...], list[str]] = {}
        # key -> (INSERT | UPSERT, row); a row's dict holds every column it sets
        self.rows: dict[Key, dict[str, Any]] = {}
        self.kind: dict[Key, int] = {}
        # rows that are not pending: key -> columns to set / to add to
        self.sets: dict[Key, dict[str, Any]] = {}
        self.adds: dict[Key, dict[str, Any]] = {}


class Writes:
    def __init__(self, db: Db, keys: Mapping[str, Sequence[str]], *, bulk: bool = True) -> None:
        self.db = db
        # Whether the batch is large: written with ``COPY`` on PostgreSQL.  A small one
        # is written in a quick batch, where ``copy_lines`` cannot be used.
        self.bulk = bulk
        self.keys = keys
        self._getters = {table: _key_getter(tuple(columns)) for table, columns in keys.items()}
        self._tables: dict[str, _Pending] = {}
        # (sql, merge key) -> params, in first-seen order; merge key None: never merged
        self._statements: dict[tuple[str, Any], Params] = {}
        # sql -> its set-based form for a run of them (``execute``'s ``many``)
        self._many: dict[str, str] = {}
        self._serial = 0
        # Changes closed by a barrier, written before the current ones.
        self._phases: list[tuple[dict[str, _Pending], dict[tuple[str, Any], Params]]] = []

    # --- row changes ------------------------------------------------------------------

    def _pending(self, table: str) -> _Pending:
        pending = self._tables.get(table)
        if pending is None:
            pending = self._tables[table] = _Pending()
        return pending

    def _key(self, table: str, values: Mapping[str, Any]) -> Key:
        return self._getters[table](values)

    def insert(self, table: str, row: Mapping[str, Any]) -> None:
        pending = self._pending(table)
        key = self._key(table, row)
        if key in pending.rows or key in pending.sets or key in pending.adds:
            # Let the database judge (a duplicate key fails there, as it would have).
            self.barrier()
            pending = self._pending(table)
        pending.rows[key] = dict(row)
        pending.kind[key] = INSERT

    def append(self, table: str, columns: tuple[str, ...], values: Params) -> None:
        """Insert a row that no other change of the batch touches (its key is new and
        nothing else in the batch names it: a row keyed by the event's position).
        Nothing is merged or checked: the cheapest way to add many rows."""
        pending = self._tables.get(table)
        if pending is None:
            pending = self._tables[table] = _Pending()
        rows = pending.appended.get(columns)
        if rows is None:
            rows = pending.appended[columns] = []
        rows.append(values)

    def copy_lines(self, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
        """Like ``append``, for rows already formatted as ``COPY`` text lines (each
        ending in a newline): PostgreSQL only (``self.db.dialect``), and only in a
        ``bulk`` batch."""
        pending = self._tables.get(table)
        if pending is None:
            pending = self._tables[table] = _Pending()
        pending.copied.setdefault(columns, []).extend(lines)

    def upsert(self, table: str, row: Mapping[str, Any]) -> None:
        """Insert, or set the non-key columns of the existing row."""
        pending = self._pending(table)
        key = self._key(table, row)
        current = pending.rows.get(key)
        if current is not None:
            current.update(row)
            return
        if key in pending.sets or key in pending.adds:
            self.barrier()
            pending = self._pending(table)
        pending.rows[key] = dict(row)
        pending.kind[key] = UPSERT

    def update(self, table: str, where: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        """Set columns of the row whose primary key is ``where``."""
        pending = self._pending(table)
        key = self._key(table, where)
        current = pending.rows.get(key)
        adds = pending.adds.get(key)
        if adds is not None:
            for column in values:
                adds.pop(column, None)
        if current is not None:
            current.update(values)
            return
        sets = pending.sets.get(key)
        if sets is None:
            pending.sets[key] = dict(values)
        else:
            sets.update(values)

    def add(self, table: str, where: Mapping[str, Any], column: str, delta: Any) -> None:
        """``column = column + delta`` on the row whose primary key is ``where``."""
        pending = self._pending(table)
        key = self._key(table, where)
        current = pending.rows.get(key)
        if current is not None and column in current:
            current[column] += delta
            return
        sets = pending.sets.get(key)
        if sets is not None and column in sets:
            sets[column] += delta
            return
        adds = pending.adds.setdefault(key, {})
        adds[column] = adds.get(column, 0) + delta

    def pending_row(self, table: str, where: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The row inserted or upserted in this batch with the primary key ``where``, as
        it will be written (None if there is none): what a handler may know of a row
        without reading the database.  Read-only."""
        key = self._key(table, where)
        for tables in (self._tables, *(tables for tables, _ in reversed(self._phases))):
            pending = tables.get(table)
            if pending is not None and key in pending.rows:
                return pending.rows[key]
        return None

    # --- statements -------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = (), *, many: str | None = None) -> None:
        """Run ``sql`` at the end of the batch, after the row changes (see module doc).
        ``many``: the same change for a whole run of these statements at once, on
        PostgreSQL, as one statement taking one array per parameter (``?::type[]``, in
        the parameters' order, each array in the statements' order); it must give the
        rows the statements one after another give."""
        self._serial += 1
        self._statements[(sql, self._serial)] = tuple(params)
        if many is not None:
            self._many[sql] = many

    def merge(
        self,
        sql: str,
        key: Any,
        params: Sequence[Any],
        combine: Combine | None,
        *,
        many: str | None = None,
    ) -> None:
        """Like ``execute``, but one statement per ``(sql, key)`` in the batch:
        ``combine(old, new)`` gives the params (default: the latest)."""
        if many is not None:
            self._many[sql] = many
        slot = (sql, ("merge", key))
        old = self._statements.get(slot)
        new = tuple(params)
        self._statements[slot] = new if old is None or combine is None else combine(old, new)

    # --- flushing ---------------------------------------------------------------------

    def barrier(self) -> None:
        """Close the changes so far: they are written before any that follow."""
        if self._tables or self._statements:
            self._phases.append((self._tables, self._statements))
            self._tables, self._statements = {}, {}

    def flush(self) -> None:
        """Write everything, in the caller's transaction.  Nothing touches the
        database before this call."""
        self.barrier()
        phases, self._phases = self._phases, []
        for tables, statements in phases:
            self._write(tables, statements)

    def _write(
        self, tables: dict[str, _Pending], statements: dict[tuple[str, Any], Params]
    ) -> None:
        for table, pending in tables.items():
            for columns, values in pending.appended.items():
                self.db.insert_rows(table, columns, values)
            for columns, lines in pending.copied.items():
                self.db.copy_text(table, columns, "".join(lines))
            key_columns = tuple(self.keys[table])
            for kind in (INSERT, UPSERT):
                rows = [r for k, r in pending.rows.items() if pending.kind[k] == kind]
                if rows:
                    self._write_rows(table, key_columns, kind, rows)
        for table, pending in tables.items():
            key_columns = tuple(self.keys[table])
            self._write_updates(table, key_columns, pending.sets, pending.adds)
        run: list[Params] = []
        run_sql = ""
        for (sql, _), params in statements.items():
            if sql != run_sql and run:
                self._run(run_sql, run)
                run = []
            run_sql = sql
            run.append(params)
        if run:
            self._run(run_sql, run)

    def _run(self, sql: str, run: list[Params]) -> None:
        many = self._many.get(sql)
        if many is not None and self.db.dialect == "postgres" and len(run) >= SET_BASED:
            self.db.execute(many, [list(column) for column in zip(*run, strict=True)])
        else:
            self.db.executemany(sql, run)

    def _write_rows(
        self,
        table: str,
        key: tuple[str, ...],
        kind: int,
        rows: list[dict[str, Any]],
    ) -> None:
        by_columns: dict[tuple[str, ...], list[Params]] = {}
        for row in rows:
            by_columns.setdefault(tuple(row), []).append(tuple(row.values()))
        for columns, values in by_columns.items():
            if kind == INSERT:
                self.db.insert_rows(table, columns, values)
            else:
                self.db.upsert_rows(table, columns, key, values)

    def _write_updates(
        self,
        table: str,
        key: tuple[str, ...],
        sets: dict[Key, dict[str, Any]],
        adds: dict[Key, dict[str, Any]],
    ) -> None:
        groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Params]] = {}
        for k in [*sets, *(k for k in adds if k not in sets)]:
            set_values = sets.get(k, {})
            add_values = {c: d for c, d in adds.get(k, {}).items() if c not in set_values}
            if not set_values and not add_values:
                continue
            shape = (tuple(set_values), tuple(add_values))
            groups.setdefault(shape, []).append((*set_values.values(), *add_values.values(), *k))
        for (set_columns, add_columns), rows in groups.items():
            self.db.update_rows(table, set_columns, add_columns, key, rows)


@lru_cache(maxsize=256)
def _key_getter(columns: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Key]:
    """The primary key of a row (or of an update's ``where``), always as a tuple."""
    if len(columns) == 1:
        (column,) = columns

        def single(values: Mapping[str, Any]) -> Key:
            return (values[column],)

        return single
    return operator.itemgetter(*columns)
