"""Counts every event by type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.db import Db, Row
from projections.projection import Item, Projection, Stored
from projections.values import event_name
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS ad_event_counts ("
    " event_type TEXT PRIMARY KEY, count BIGINT NOT NULL, last_position BIGINT NOT NULL)",
)


COUNT = (
    "INSERT INTO ad_event_counts (event_type, count, last_position) VALUES (?, ?, ?) "
    "ON CONFLICT (event_type) DO UPDATE SET count = ad_event_counts.count + excluded.count,"
    " last_position = excluded.last_position"
)


def _more(old: tuple[Any, ...], new: tuple[Any, ...]) -> tuple[Any, ...]:
    return (old[0], old[1] + new[1], new[2])


def count(w: Writes, item: Item) -> None:
    """One event (the page handler ``count_page`` does the same for a whole page)."""
    event_type = event_name(item.topic)
    w.merge(COUNT, event_type, (event_type, 1, item.position), _more)


def count_page(w: Writes, notifications: Sequence[Any], stored: Stored) -> None:
    """One statement per event type per page: the page's count and its last position."""
    counts: dict[str, int] = {}
    last: dict[str, int] = {}
    for n in notifications:
        topic = n.topic
        counts[topic] = counts.get(topic, 0) + 1
        last[topic] = n.id
    for topic, number in counts.items():
        event_type = event_name(topic)
        w.merge(COUNT, event_type, (event_type, number, last[topic]), _more)


def event_counts(db: Db) -> list[Row]:
    """How many events of each type the log holds, most frequent first."""
    return db.rows(
        "SELECT event_type, count, last_position FROM ad_event_counts "
        "ORDER BY count DESC, event_type"
    )


PROJECTION = Projection(
    name="admin",
    tables=("ad_event_counts",),
    ddl=DDL,
    handlers={},
    page=count_page,
    decodes=False,
    # counts only: about half the others (bench_projections, 2026-11-23)
    rebuild_cost=0.5,
)
