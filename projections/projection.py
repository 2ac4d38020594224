"""What a projection is: the SQL of its tables, and a function applying one event."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.utils import get_topic

from projections.db import Db
from projections.writes import Writes


class Item(NamedTuple):
    """One event as the log delivered it: its position (notification id), envelope,
    and what the projection asked for: ``event``, the typed domain event (``None``
    where the handler does not decode), and ``data``, the stored payload as plain
    JSON values (``None`` unless the projection takes ``payloads``).  The originator
    id is a UUID or its canonical text, as the log's reader gives it: use ``str()``."""

    position: int
    topic: str
    originator_id: UUID | str
    originator_version: int
    event: Any
    data: dict[str, Any] | None = None


# A notification's stored payload as plain JSON values (the mapper's ``to_payload``:
# decrypted, decompressed, upcast to the class's current version, not typed).
Payload = Callable[[Any], dict[str, Any]]
# A notification's stored payload as the JSON bytes the mapper wrote (decrypted and
# decompressed, NOT upcast: a ``class_version`` > 1 payload may be older).
Plaintext = Callable[[Any], bytes]


class Stored(NamedTuple):
    """How a page handler gets at a notification's stored payload: ``payload`` as
    plain values; ``plaintext``, the stored JSON bytes themselves, where the caller
    can give them (``None`` otherwise)."""

    payload: Payload
    plaintext: Plaintext | None = None


# A handler describes the event's row changes to the batch's Writes (see writes.py).
Handler = Callable[[Writes, Item], None]
# A page handler applies a page's events at once, from their envelopes (``id``,
# ``topic``, ``originator_id``, ``originator_version``, ``state``), in log order.
PageHandler = Callable[[Writes, Sequence[Any], Stored], None]

_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*)\)\s*$", re.S)
_COLUMN_KEY = re.compile(r"(?:^|,)\s*(\w+) [^,]*?PRIMARY KEY")
_TABLE_KEY = re.compile(r"PRIMARY KEY \(([\w, ]+)\)")
_TRIGGER = re.compile(r"CREATE TRIGGER (\w+) AFTER \w+ ON (\w+)")


def _is_index(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("CREATE INDEX", "CREATE UNIQUE INDEX"))


def _without_primary_key(statement: str) -> str:
    """A CREATE TABLE statement with its PRIMARY KEY clause taken out (a column's,
    which becomes NOT NULL, or the table's ``, PRIMARY KEY (...)``)."""
    table = _TABLE_KEY.search(statement)
    if table is not None:
        return re.sub(r",\s*PRIMARY KEY \([\w, ]+\)", "", statement, count=1)
    return re.sub(r"(\w+ [^,(]*?) PRIMARY KEY", r"\1 NOT NULL", statement, count=1)


def primary_keys(ddl: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Each table's primary key columns, read from its CREATE TABLE statement."""
    keys: dict[str, tuple[str, ...]] = {}
    for statement in ddl:
        match = _TABLE.match(statement)
        if match is None:
            continue
        table, body = match.groups()
        composite = _TABLE_KEY.search(body)
        if composite is not None:
            keys[table] = tuple(c.strip() for c in composite.group(1).split(","))
            continue
        single = _COLUMN_KEY.search(body)
        if single is not None:
            keys[table] = (single.group(1),)
    return keys


@dataclass(frozen=True)
class Projection:
    """A read model: ``tables`` are dropped on rebuild, ``ddl`` creates them
    (idempotently), ``handlers`` map event classes to the function applying them.
    ``fallback`` (if any) applies every event no handler names.

    What a handler gets beside the envelope: ``decodes``, the typed domain event
    (for the ``handlers``; the fallback's own is ``fallback_decodes``, by default
    the same); ``payloads``, the stored payload as a plain dict (``Item.data``),
    which costs far less than typed decoding.  A projection that does the same for
    every event may give a ``page`` handler instead of a ``fallback``: one call per
    page with the page's notifications, no per-event dispatch (``handlers``, if
    any, still run for their topics)."""

    name: str
    tables: tuple[str, ...]
    ddl: tuple[str, ...]
    handlers: Mapping[type, Handler]
    fallback: Handler | None = None
    # False where handlers read only the envelope (position, topic): no decoding.
    decodes: bool = True
    fallback_decodes: bool | None = None
    payloads: bool = False
    page: PageHandler | None = None
    # Handlers that need no typed event (it costs several times a plain decode):
    # ``plain`` ones get the stored payload as plain JSON values (``Item.data``:
    # UUIDs, times and decimals as their stored strings; fields added to a class
    # after an event was stored are absent), ``envelope`` ones neither.
    plain: Mapping[type, Handler] = field(default_factory=dict)
    envelope: Mapping[type, Handler] = field(default_factory=dict)
    # Per dialect ("sqlite", "postgres"): statements run after ``ddl`` (a column or
    # index only one database has, a full-text table and its triggers), and tables
    # beside ``tables`` that a rebuild drops (no primary key needed: never written
    # through Writes).
    dialect_ddl: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dialect_tables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # A rebuild's cost relative to the others (measured with bench_projections): how
    # a parallel rebuild balances its workers (projections/parallel.py).
    rebuild_cost: float = 1.0
    # Tables whose rows are only ever inserted: never upserted, updated, added to or
    # looked up by key while the log is applied, so their primary key is a constraint
    # only.  On PostgreSQL a rebuild creates them without it and adds it with the
    # secondary indexes after the replay (decision 0010): keeping a key's B-tree up to
    # date row by row was the largest share of the database's work in a rebuild.  The
    # DDL (and so its hash) is unchanged; any start adds a key that is missing.
    insert_only: tuple[str, ...] = ()
    # Per dialect: statements that compute, from the counted rows, the counters that
    # the dialect's ``CREATE TRIGGER`` statements keep (emptying the counters first).
    # Where given, a rebuild creates the tables without those triggers and the replay
    # runs none (keeping the sponsor's counters row by row was over a quarter of the
    # database's work in a rebuild); ``create_indexes`` then creates the triggers and
    # recounts once, and so does any start that finds a trigger missing (a rebuild
    # killed before its end), in one transaction with the counted tables locked
    # (decision 0012).  The DDL (and so its hash) is unchanged.
    recount: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    by_topic: dict[str, Handler] = field(init=False, repr=False, compare=False)
    # topic -> (handler, give the typed event?, give the plain payload?)
    entries: dict[str, tuple[Handler, bool, bool]] = field(init=False, repr=False, compare=False)
    # Each table's primary key (from the DDL): Writes merges a batch's changes by it.
    keys: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.page is not None and self.fallback is not None:
            raise ValueError(f"projection {self.name}: a page handler, or a fallback, not both")
        entries: dict[str, tuple[Handler, bool, bool]] = {}
        for handlers, typed, plain in (
            (self.handlers, self.decodes, self.payloads),
            (self.plain, False, True),
            (self.envelope, False, False),
        ):
            for cls, handler in handlers.items():
                topic = get_topic(cls)
                if topic in entries:
                    raise ValueError(f"projection {self.name}: two handlers for {topic}")
                entries[topic] = (handler, typed, plain)
        object.__setattr__(self, "entries", entries)
        object.__setattr__(self, "by_topic", {t: e[0] for t, e in entries.items()})
        keys = primary_keys(self.ddl)
        missing = [t for t in self.tables if t not in keys]
        if missing:
            raise ValueError(f"projection {self.name}: no PRIMARY KEY found for {missing}")
        strays = [t for t in self.insert_only if t not in self.tables]
        if strays:
            raise ValueError(f"projection {self.name}: insert_only names no table of it: {strays}")
        object.__setattr__(self, "keys", keys)

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics this projection applies; empty when a fallback or a page handler
        takes every event."""
        if self.fallback is not None or self.page is not None:
            return ()
        return tuple(self.by_topic)

    def handler_for(self, topic: str) -> Handler | None:
        return self.by_topic.get(topic, self.fallback)

    @property
    def decodes_fallback(self) -> bool:
        return self.decodes if self.fallback_decodes is None else self.fallback_decodes

    def statements(self, dialect: str) -> tuple[str, ...]:
        return (*self.ddl, *self.dialect_ddl.get(dialect, ()))

    def ddl_sha256(self, dialect: str) -> str:
        """What the tables are made of, as a hash: when it changes, the read model is
        rebuilt (``runner.create_tables``)."""
        return hashlib.sha256("\n".join(self.statements(dialect)).encode()).hexdigest()

    def all_tables(self, dialect: str) -> tuple[str, ...]:
        return (*self.tables, *self.dialect_tables.get(dialect, ()))

    def create(self, db: Db, *, indexes: bool = True) -> None:
        """Create the tables (and, unless ``indexes`` is False, their secondary
        indexes and the primary keys of ``insert_only`` tables) where missing."""
        deferred = self._deferred_keys(db) if not indexes else set()
        for statement in self.statements(db.dialect):
            if _is_index(statement):
                if indexes:
                    db.execute(statement)
                continue
            if self._counts_later(db, statement):
                continue  # created with the recount: _add_missing_triggers
            match = _TABLE.match(statement)
            if match is not None and match.group(1) in deferred:
                statement = _without_primary_key(statement)
            db.execute(statement)
        if indexes:
            self._add_missing_keys(db)
            self._add_missing_triggers(db)

    def create_indexes(self, db: Db) -> None:
        """The secondary indexes, and the primary keys ``create(indexes=False)`` left
        out, where missing."""
        for statement in self.statements(db.dialect):
            if _is_index(statement):
                db.execute(statement)
        self._add_missing_keys(db)
        self._add_missing_triggers(db)

    def _deferred_keys(self, db: Db) -> set[str]:
        # SQLite cannot add a primary key to a table: there, every key is made with it.
        return set(self.insert_only) if db.dialect == "postgres" else set()

    def _add_missing_keys(self, db: Db) -> None:
        for table in sorted(self._deferred_keys(db)):
            columns = ", ".join(self.keys[table])
            # Asked of the catalogue first: ALTER TABLE locks the table even when
            # there is nothing to do, and this runs at every runner's start.
            db.execute(
                "DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint"
                f" WHERE conrelid = '{table}'::regclass AND contype = 'p') THEN"
                f" ALTER TABLE {table} ADD PRIMARY KEY ({columns}); END IF; END $do$"
            )

    def _counts_later(self, db: Db, statement: str) -> bool:
        """Whether ``statement`` creates a counter's trigger that waits for the recount."""
        return bool(self.recount.get(db.dialect)) and _TRIGGER.search(statement) is not None

    def _add_missing_triggers(self, db: Db) -> None:
        """Where any of the counters' triggers is missing (a rebuild left them out):
        lock the counted tables against writes, create the triggers, and recount.
        Under the lock no row changes between the recount and the triggers taking
        over, so the counters equal the rows' counts from then on."""
        recount = self.recount.get(db.dialect)
        if not recount:
            return
        triggers = [
            (match.group(1), match.group(2), statement)
            for statement in self.statements(db.dialect)
            if (match := _TRIGGER.search(statement)) is not None
        ]
        tables = sorted({table for _, table, _ in triggers})
        relations = ", ".join(f"'{table}'::regclass" for table in tables)
        present = {
            r["tgname"]
            for r in db.rows(f"SELECT tgname FROM pg_trigger WHERE tgrelid IN ({relations})")
        }
        if all(name in present for name, _, _ in triggers):
            return
        db.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
        for _, _, statement in triggers:
            db.execute(statement)
        for statement in recount:
            db.execute(statement)

    def drop(self, db: Db) -> None:
        for table in self.all_tables(db.dialect):
            db.execute(f"DROP TABLE IF EXISTS {table}")
