"""An organisation's webhooks (owners and managers): register an endpoint for event
types (its signing secret is in this answer only), list and remove them, read an
endpoint's delivery log and queue a delivery again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.errors import InvalidState, NotFound
from openinno.domain.webhooks import MAX_URL, TYPES
from projections.db import Row
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.reads import ApiReads, MinPosition
from web.webhooks import outbox, signing
from web.webhooks.sender import MAX_ATTEMPTS_AGAIN
from web.webhooks.ssrf import check_endpoint

WEBHOOKS = ("webhooks",)
EventType = Annotated[str, msgspec.Meta(examples=["submission.received"])]


class NewWebhook(Strict):
    url: Annotated[str, msgspec.Meta(max_length=MAX_URL, examples=["https://example.com/hooks"])]
    types: Annotated[
        list[EventType],
        msgspec.Meta(min_length=1, max_length=len(TYPES), description="Of: " + ", ".join(TYPES)),
    ]


class WebhookView(msgspec.Struct, frozen=True):
    id: UUID
    url: str
    types: list[str]
    registered_at: datetime


class RegisteredWebhook(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    url: str
    types: list[str]
    secret: Annotated[
        str,
        msgspec.Meta(
            description="The signing secret (Standard Webhooks, whsec_...): shown only now."
        ),
    ]


class WebhookList(msgspec.Struct, frozen=True):
    items: list[WebhookView]


class AttemptView(msgspec.Struct, frozen=True):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int | None


class DeliveryView(msgspec.Struct, frozen=True):
    id: Annotated[str, msgspec.Meta(description="The webhook-id header: the same on retries.")]
    position: int
    type: str
    status: Annotated[str, msgspec.Meta(examples=["delivered"])]
    created_at: datetime
    attempts: list[AttemptView]
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    payload: Any


class DeliveryList(msgspec.Struct, frozen=True):
    items: list[DeliveryView]
    next_cursor: str | None


class Redelivery(msgspec.Struct, frozen=True):
    id: str
    status: str


def _when(text: Any) -> datetime | None:
    return None if text is None else datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def delivery_view(row: Row, attempts: list[Row]) -> DeliveryView:
    return DeliveryView(
        id=signing.message_id(str(row["webhook_id"]), int(row["position"])),
        position=int(row["position"]),
        type=str(row["type"]),
        status=str(row["status"]),
        created_at=_when(row["created_at"]),  # type: ignore[arg-type]
        attempts=[
            AttemptView(
                attempt=int(a["attempt"]),
                at=_when(a["at"]),  # type: ignore[arg-type]
                status_code=a["status_code"],
                error=a["error"],
                duration_ms=a["duration_ms"],
            )
            for a in attempts
        ],
        next_attempt_at=_when(row["next_attempt_at"]) if row["status"] == "queued" else None,
        delivered_at=_when(row["delivered_at"]),
        payload=msgspec.json.decode(str(row["payload"])),
    )


@post(
    "/organisations/{organisation_id:uuid}/webhooks",
    tags=["organisations"],
    summary="Register a webhook endpoint for event types (owners and managers)",
    description=(
        "Deliveries are signed per the Standard Webhooks specification with the secret "
        "in this answer, which is shown only once. Addresses that resolve to private, "
        "loopback or link-local addresses are refused."
    ),
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {"url": "https://example.com/hooks", "types": ["submission.received"]}
    ),
)
@signed_in
def register_webhook(
    organisation_id: FromPath[UUID],
    data: JSONBody[NewWebhook],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> RegisteredWebhook:
    openinno.webhooks(actor, organisation_id)  # who may: before any lookup of the address
    check_endpoint(data.url.strip(), openinno.settings.webhooks_allow_private)
    recorded = openinno.register_webhook(actor, organisation_id, data.url, data.types)
    hook = openinno.webhook(actor, organisation_id, recorded.id)
    return RegisteredWebhook(
        recorded.id,
        recorded.position,
        hook["url"],
        hook["types"],
        signing.endpoint_secret(signing.site_secret(openinno.settings), recorded.id),
    )


@get(
    "/organisations/{organisation_id:uuid}/webhooks",
    tags=["organisations"],
    summary="The organisation's webhook endpoints (owners and managers)",
    security=SECURITY,
    responses=problem_spec(401, 403, 404),
    sync_to_thread=True,
)
@signed_in
def list_webhooks(
    organisation_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> WebhookList:
    return WebhookList([WebhookView(**h) for h in openinno.webhooks(actor, organisation_id)])


@delete(
    "/organisations/{organisation_id:uuid}/webhooks/{webhook_id:uuid}",
    tags=["organisations"],
    summary="Remove a webhook endpoint; its queued deliveries are cancelled",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404),
    sync_to_thread=True,
)
@signed_in
def remove_webhook(
    organisation_id: FromPath[UUID],
    webhook_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.remove_webhook(actor, organisation_id, webhook_id)
    return Written(recorded.id, recorded.position)


@get(
    "/organisations/{organisation_id:uuid}/webhooks/{webhook_id:uuid}/deliveries",
    tags=["organisations"],
    summary="An endpoint's delivery log, newest first: each delivery with its attempts",
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 422, 503),
    sync_to_thread=True,
)
@signed_in
def list_deliveries(
    organisation_id: FromPath[UUID],
    webhook_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> DeliveryList:
    openinno.webhook(actor, organisation_id, webhook_id)
    db = reads.at_least(openinno, min_position, WEBHOOKS)
    kind = "deliveries"
    before = decode_key(kind, cursor, (int,))
    rows = outbox.deliveries(
        db, str(webhook_id), before=None if before is None else before[0], limit=limit + 1
    )
    chunk, next_cursor = keyset_page(kind, rows, lambda r: (int(r["position"]),), limit)
    attempts = outbox.attempts_of(db, str(webhook_id), [int(r["position"]) for r in chunk])
    return DeliveryList(
        [delivery_view(r, attempts.get(int(r["position"]), [])) for r in chunk], next_cursor
    )


@post(
    "/organisations/{organisation_id:uuid}/webhooks/{webhook_id:uuid}/deliveries/{position:int}/redeliver",
    tags=["organisations"],
    summary="Send a delivery again now (the same webhook-id); not one still queued",
    status_code=202,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409),
    sync_to_thread=True,
)
@signed_in
def redeliver(
    organisation_id: FromPath[UUID],
    webhook_id: FromPath[UUID],
    position: FromPath[int],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
) -> Redelivery:
    openinno.webhook(actor, organisation_id, webhook_id)
    db = reads.db()
    if not 0 < position < 2**62:
        raise NotFound("No delivery at position %(id)s.", id=str(position))
    if not outbox.redeliver(
        db, str(webhook_id), position, openinno.clock.now(), MAX_ATTEMPTS_AGAIN
    ):
        found = db.rows(
            "SELECT status FROM wh_deliveries WHERE webhook_id = ? AND position = ?",
            [str(webhook_id), position],
        )
        if not found:
            raise NotFound("No delivery at position %(id)s.", id=str(position))
        raise InvalidState("That delivery is still queued.")
    return Redelivery(signing.message_id(str(webhook_id), position), "queued")


HANDLERS: list[Any] = [register_webhook, list_webhooks, remove_webhook, list_deliveries, redeliver]
