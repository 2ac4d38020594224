"""Response bodies shared by every resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from litestar.openapi.spec import Example, OpenAPIType, Operation, Parameter, RequestBody, Schema


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


# Every write a signed-in caller sends takes it (web/api/idempotency.py, decision 5);
# the middleware reads it, so no handler names it: the schema says so here.
IDEMPOTENCY_KEY = Parameter(
    name="Idempotency-Key",
    param_in="header",
    required=False,
    description=(
        "Makes the request safe to retry: a retry with the same key (same account) returns "
        "the first response with `Idempotent-Replayed: true` and records nothing new; the "
        "same key with another request is a 422 `idempotency_key_reused`; a retry while "
        "the first is still running, a 409 with `Retry-After`."
    ),
    schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=255, pattern="^[!-~]+$"),
    examples={"example": Example(value="9f1c0e52-6a4e-4c1b-8a7e-2c3d4b5a6f70")},
)


def with_idempotency_key(base: type[Operation]) -> type[Operation]:
    """``base`` (an ``operation_class``) with the Idempotency-Key header documented."""

    @dataclass
    class WithIdempotencyKey(base):  # type: ignore[valid-type,misc]
        def __post_init__(self) -> None:
            parent = getattr(super(), "__post_init__", None)
            if parent is not None:
                parent()
            operation: Operation = self
            operation.parameters = [*(operation.parameters or []), IDEMPOTENCY_KEY]

    return WithIdempotencyKey
