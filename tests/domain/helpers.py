"""Given-when-then on aggregates, with no store: commands on one aggregate, then
the names of the events they recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SPONSOR = UUID(int=1)
SOLVER = UUID(int=2)
REVIEWER = UUID(int=3)
ORG = UUID(int=10)


def at(days: float = 0) -> datetime:
    return T0 + timedelta(days=days)


def recorded(aggregate: Aggregate) -> list[str]:
    """Names of the events pending on the aggregate; clears them (the 'then')."""
    return [type(e).__name__ for e in aggregate.collect_events()]


def given(aggregate: Aggregate) -> Aggregate:
    """Forget pending events: what came before is history, not the command under test."""
    aggregate.collect_events()
    return aggregate


def new_id() -> UUID:
    return uuid4()
