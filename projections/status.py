"""Where each projection stands: position, lag in events and in seconds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from projections import tracking
from projections.db import Db
from projections.runner import Decode, NotificationSource


@dataclass(frozen=True)
class Standing:
    name: str
    position: int
    head: int
    lag_events: int
    lag_seconds: float


def _timestamp(source: NotificationSource, decode: Decode, position: int) -> Any:
    found = source.select_notifications(position, 1)
    return decode(found[0]).timestamp if found else None


def standings(
    db: Db, source: NotificationSource, decode: Decode, names: Sequence[str]
) -> list[Standing]:
    """Lag in events is ``head - position`` (exact on SQLite; on PostgreSQL an upper
    bound, since notification ids can have gaps).  Lag in seconds is the time
    between the last applied event and the newest event in the log."""
    head = source.max_notification_id() or 0
    positions = tracking.positions(db)
    head_time = _timestamp(source, decode, head) if head else None
    result = []
    for name in names:
        position = positions.get(name, 0)
        seconds = 0.0
        if position < head and head_time is not None:
            applied = _timestamp(source, decode, position) if position else None
            if applied is None:
                first = source.select_notifications(None, 1)
                applied = decode(first[0]).timestamp if first else head_time
            seconds = max(0.0, (head_time - applied).total_seconds())
        result.append(Standing(name, position, head, max(0, head - position), seconds))
    return result
