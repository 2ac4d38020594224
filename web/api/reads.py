"""The read side as the API sees it: one read-model connection per worker thread,
and ``?min_position=`` (read-your-writes) waits, bounded, for the projections an
endpoint reads to reach a position a write returned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from litestar.params import QueryParameter

from openinno.application import OpenInno
from openinno.domain.errors import DomainError, InvalidInput
from projections.db import Db, ReadStore
from web.replica import ReadConnections

# How long a read waits for the read side before answering 503 with Retry-After.
DEFAULT_WAIT_SECONDS = 5.0

MinPosition = Annotated[
    int | None,
    QueryParameter(
        name="min_position",
        ge=0,
        le=2**62,
        description=(
            "Read-your-writes: wait (at most a few seconds, then 503 with Retry-After) "
            "until the read models behind this list applied this log position (the "
            "`position` a write returned)."
        ),
    ),
]

# Which projections each kind of read depends on.
PARTICIPANTS = ("participants",)
REVIEWERS = ("reviewers",)
LEGAL = ("legal",)
SIFTING = ("sifting",)


class ReadSideBehind(DomainError):
    """The read models did not reach the requested position in time."""

    code = "service_unavailable"


class ApiReads:
    """``connections``: the read models' handles (web.replica: the replica's when
    ``OPENINNO_READ_DATABASE_URL`` names one)."""

    def __init__(
        self, connections: ReadConnections, wait_seconds: float = DEFAULT_WAIT_SECONDS
    ) -> None:
        self.connections = connections
        self.wait_seconds = wait_seconds

    @property
    def store(self) -> ReadStore:
        return self.connections.store

    def db(self) -> Db:
        return self.connections.db()

    def writable(self) -> Db:
        """The primary's handle: for the writes the API makes to read-model tables."""
        return self.connections.writable()

    def at_least(self, openinno: OpenInno, position: int | None, names: Sequence[str]) -> Db:
        """The read-model handle, once ``names`` applied ``position`` (when given)."""
        db = self.db()
        if not position:
            return db
        head = openinno.recorder.max_notification_id() or 0
        if position > head:
            raise InvalidInput(
                "The log has %(head)s events; position %(position)s was never written.",
                field="min_position",
                head=head,
                position=position,
            )
        reached = self.connections.at_position(names, position, self.wait_seconds)
        if reached is None:
            raise ReadSideBehind(
                "The read models have not reached position %(position)s yet; retry shortly.",
                position=position,
            )
        return reached

    def close(self) -> None:
        self.connections.close()
