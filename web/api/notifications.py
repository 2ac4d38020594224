"""The account's own notifications: newest first, and marking them read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from openinno.application import OpenInno
from openinno.domain.errors import InvalidInput
from projections.db import Row
from projections.notifications import queries as notifications
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.reads import ApiReads, MinPosition
from web.pages import notices

NOTIFICATIONS = (notifications.NAME,)
# An id is the notification's log position and kind: "1234.awarded".
_ID = r"^[0-9]{1,18}\.[a-z_]{1,40}$"


class NotificationView(msgspec.Struct, frozen=True):
    id: Annotated[str, msgspec.Meta(examples=["1234.awarded"])]
    kind: str
    read: bool
    link: Annotated[str, msgspec.Meta(description="The page it is about, a path on this site.")]
    text: Annotated[str, msgspec.Meta(description="In the account's language and time zone.")]
    created_at: datetime
    position: Annotated[int, msgspec.Meta(description="The log position of its event.")]


class NotificationList(msgspec.Struct, frozen=True):
    items: list[NotificationView]
    next_cursor: str | None
    unread: int


class MarkRead(Strict):
    """Either ``ids`` (yours; others' and unknown ones are ignored), or ``up_to``: every
    notification of yours up to that log position (``position`` of an item)."""

    ids: list[Annotated[str, msgspec.Meta(pattern=_ID)]] | None = None
    up_to: Annotated[int, msgspec.Meta(ge=0, le=2**62)] | None = None


class MarkedRead(msgspec.Struct, frozen=True):
    unread: int


def notification_id(row: Row) -> str:
    return f"{int(row['position'])}.{row['kind']}"


def view(row: Row, locale: str, time_zone: str) -> NotificationView:
    return NotificationView(
        id=notification_id(row),
        kind=row["kind"],
        read=bool(row["is_read"]),
        link=notices.link(row),
        text=notices.text(row, locale, time_zone),
        created_at=datetime.fromisoformat(row["created_at"]),
        position=int(row["position"]),
    )


@get(
    "/notifications",
    tags=["notifications"],
    summary="Your notifications, newest first",
    security=SECURITY,
    responses=problem_spec(401, 422, 503),
    sync_to_thread=True,
)
@signed_in
def list_notifications(
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> NotificationList:
    account = openinno.get_account(actor)
    db = reads.at_least(openinno, min_position, NOTIFICATIONS)
    kind = "notifications"
    before = decode_key(kind, cursor, (int, str))
    rows = notifications.page(
        db, actor, before=None if before is None else (before[0], before[1]), limit=limit + 1
    )
    chunk, next_cursor = keyset_page(kind, rows, lambda r: (int(r["position"]), r["kind"]), limit)
    return NotificationList(
        [view(r, account.locale, account.time_zone) for r in chunk],
        next_cursor,
        notifications.unread_count(db, actor),
    )


@post(
    "/notifications/read",
    tags=["notifications"],
    summary="Mark notifications of yours read (by id, or all up to a position); idempotent",
    status_code=200,
    operation_class=body_example({"ids": ["1234.awarded"]}),
    security=SECURITY,
    responses=problem_spec(401, 422),
    sync_to_thread=True,
)
@signed_in
def mark_notifications_read(
    data: JSONBody[MarkRead],
    actor: NamedDependency[UUID],
    reads: NamedDependency[ApiReads],
) -> MarkedRead:
    if (data.ids is None) == (data.up_to is None):
        raise InvalidInput("Send either ids or up_to.", field="ids")
    db = reads.writable()  # the primary's, when reads go to a replica
    if data.ids is not None:
        keys = []
        for value in data.ids[:500]:
            position, _, kind = value.partition(".")
            keys.append((int(position), kind))
        notifications.mark_read(db, actor, keys)
    else:
        assert data.up_to is not None
        notifications.mark_all_read(db, actor, data.up_to)
    return MarkedRead(notifications.unread_count(db, actor))


HANDLERS: list[Any] = [list_notifications, mark_notifications_read]
