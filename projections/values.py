"""How values are stored in read-model rows: portable between SQLite and PostgreSQL.

UUIDs and decimals as text, times as ISO 8601 text in UTC (so text order is
time order), structured values as JSON text."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import UUID

import msgspec

_encoder = msgspec.json.Encoder(decimal_format="string", uuid_format="canonical", order="sorted")

# Never copied into a read model: secrets carried by some events (no event carries
# a token or its hash today: an API token's stream keeps only a short prefix of it).
REDACTED_FIELDS = frozenset({"password_hash", "token", "token_sha256", "token_hash"})


def iso(moment: datetime) -> str:
    """``2026-03-01T09:00:00.000000Z`` (what strftime("%Y-%m-%dT%H:%M:%S.%fZ") gives, faster)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def iso_text(text: str) -> str:
    """``iso`` of a time as a stored payload holds it (msgspec's RFC 3339: ``Z`` for
    UTC, microseconds only when non-zero), without parsing it where it is in UTC."""
    if text[-1] == "Z":
        if len(text) == 27:
            return text
        if len(text) == 20:
            return text[:19] + ".000000Z"
    return iso(datetime.fromisoformat(text))


def copy_escape(text: str) -> str:
    """``text`` as a value of PostgreSQL's ``COPY ... FROM STDIN`` text format:
    backslash, newline, carriage return and tab escaped (stored JSON has only
    backslashes: its control characters are escaped already)."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return text


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


def payload_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A stored payload (plain JSON values) without its secrets; ``data`` itself
    when it has none (it is shared by the batch's handlers: never changed here)."""
    for name in REDACTED_FIELDS:
        if name in data:
            return {k: v for k, v in data.items() if k not in REDACTED_FIELDS}
    return data


@cache
def event_name(topic: str) -> str:
    """``openinno.domain.challenge:Challenge.Published`` -> ``Challenge.Published``."""
    return topic.rsplit(":", 1)[-1]
