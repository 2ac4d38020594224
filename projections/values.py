"""How values are stored in read-model rows: portable between SQLite and PostgreSQL.

UUIDs and decimals as text, times as ISO 8601 text in UTC (so text order is
time order), structured values as JSON text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

_encoder = msgspec.json.Encoder(decimal_format="string", uuid_format="canonical", order="sorted")

# Never copied into a read model: secrets carried by some events.
REDACTED_FIELDS = frozenset({"password_hash"})


def iso(moment: datetime) -> str:
    """``2026-03-01T09:00:00.000000Z`` (what strftime("%Y-%m-%dT%H:%M:%S.%fZ") gives, faster)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def ident(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def to_json(value: Any) -> str:
    return _encoder.encode(value).decode()


def from_json(text: str | None) -> Any:
    return None if text is None else msgspec.json.decode(text)


def event_fields(event: Any) -> dict[str, Any]:
    """An event's own fields (no envelope, no secrets), for history and audit rows."""
    return {
        k: v
        for k, v in vars(event).items()
        if k not in ("originator_id", "originator_version") and k not in REDACTED_FIELDS
    }


def event_name(topic: str) -> str:
    """``openinno.domain.challenge:Challenge.Published`` -> ``Challenge.Published``."""
    return topic.rsplit(":", 1)[-1]
