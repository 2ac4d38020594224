"""Response bodies shared by every resource."""

from __future__ import annotations

from uuid import UUID

import msgspec


class Written(msgspec.Struct, frozen=True):
    """What every write returns: the id it made or changed, and the log position
    reached (reads from projections can wait for it)."""

    id: UUID
    position: int


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    """Base of request bodies: an unknown field is a 422 naming it (catches typos)."""
