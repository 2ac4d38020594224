"""What a projection is: the SQL of its tables, and a function applying one event."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from projections.db import Db


@dataclass(frozen=True)
class Item:
    """One event as the log delivered it: its position (notification id) and envelope."""

    position: int
    topic: str
    originator_id: UUID
    originator_version: int
    event: Any


Handler = Callable[[Db, Item], None]


@dataclass(frozen=True)
class Projection:
    """A read model: ``tables`` are dropped on rebuild, ``ddl`` creates them
    (idempotently), ``handlers`` map event classes to the function applying them.
    ``fallback`` (if any) applies every event no handler names."""

    name: str
    tables: tuple[str, ...]
    ddl: tuple[str, ...]
    handlers: Mapping[type, Handler]
    fallback: Handler | None = None
    # False where handlers read only the envelope (position, topic): no decoding.
    decodes: bool = True
    by_topic: dict[str, Handler] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_topic = {get_topic(cls): handler for cls, handler in self.handlers.items()}
        object.__setattr__(self, "by_topic", by_topic)

    def handler_for(self, topic: str) -> Handler | None:
        return self.by_topic.get(topic, self.fallback)

    def create(self, db: Db) -> None:
        for statement in self.ddl:
            db.execute(statement)

    def drop(self, db: Db) -> None:
        for table in self.tables:
            db.execute(f"DROP TABLE IF EXISTS {table}")
