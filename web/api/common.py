"""Response bodies shared by every resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from litestar.openapi.spec import Example, Operation, RequestBody


class Written(msgspec.Struct, frozen=True):
    """What every write returns: the id it made or changed, and the log position
    reached (reads from projections can wait for it)."""

    id: UUID
    position: int


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    """Base of request bodies: an unknown field is a 422 naming it (catches typos)."""


def body_example(value: Any, summary: str = "A typical request") -> type[Operation]:
    """An ``operation_class`` giving the request body an OpenAPI example (Litestar
    generates the body's schema from the Struct, but no example for it)."""

    @dataclass
    class WithBodyExample(Operation):
        def __post_init__(self) -> None:
            body = self.request_body
            if isinstance(body, RequestBody):
                for media in body.content.values():
                    media.examples = {"example": Example(summary=summary, value=value)}

    return WithBodyExample
