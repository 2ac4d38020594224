"""Counts every event by type."""

from __future__ import annotations

from projections.db import Db, Row
from projections.projection import Item, Projection
from projections.values import event_name

DDL = (
    "CREATE TABLE IF NOT EXISTS ad_event_counts ("
    " event_type TEXT PRIMARY KEY, count BIGINT NOT NULL, last_position BIGINT NOT NULL)",
)


def count(db: Db, item: Item) -> None:
    db.execute(
        "INSERT INTO ad_event_counts (event_type, count, last_position) VALUES (?, 1, ?) "
        "ON CONFLICT (event_type) DO UPDATE SET count = ad_event_counts.count + 1,"
        " last_position = excluded.last_position",
        (event_name(item.topic), item.position),
    )


def event_counts(db: Db) -> list[Row]:
    """How many events of each type the log holds, most frequent first."""
    return db.rows(
        "SELECT event_type, count, last_position FROM ad_event_counts "
        "ORDER BY count DESC, event_type"
    )


PROJECTION = Projection(
    name="admin", tables=("ad_event_counts",), ddl=DDL, handlers={}, fallback=count, decodes=False
)
