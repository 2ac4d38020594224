"""Opaque cursors for every list: ``?cursor=`` from the previous page's
``next_cursor`` (null on the last page), ``?limit=`` items per page.

A cursor is the sort key of the last item sent, tagged with the list it belongs
to, base64url-encoded; clients must treat it as opaque.  Lists are keyset
paginated in SQL (``WHERE (sort key) > (cursor) ORDER BY sort key LIMIT n + 1``:
an item added or removed between pages neither repeats nor skips another, and no
list is read whole to send one page); a cursor from another list, or a broken
one, is a 422.  The ranking's cursor also carries the last rank, so its pages
continue the numbering without counting."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from litestar.params import QueryParameter

from openinno.domain.errors import InvalidInput
from web.cursors import storable

T = TypeVar("T")
Key = tuple[Any, ...]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

Cursor = Annotated[
    str | None,
    QueryParameter(
        name="cursor",
        max_length=2000,
        description="Opaque: the `next_cursor` of the previous page.",
    ),
]
Limit = Annotated[
    int,
    QueryParameter(name="limit", ge=1, le=MAX_LIMIT, description="Items per page."),
]


def encode_cursor(kind: str, key: Key) -> str:
    raw = json.dumps([kind, list(key)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        tag, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("This cursor is not one we gave out.", field="cursor") from None
    if tag != kind or not isinstance(key, list):
        raise InvalidInput("This cursor belongs to another list.", field="cursor")
    return key


def decode_key(kind: str, cursor: str | None, types: tuple[type, ...]) -> tuple[Any, ...] | None:
    """The sort key inside ``cursor`` (None without one), checked against the
    types of the list's key: anything else is a 422, never a 500 from the query."""
    if not cursor:
        return None
    key = decode_cursor(kind, cursor)
    if len(key) != len(types) or not all(
        isinstance(k, t) and not (isinstance(k, bool) and t is not bool)
        for k, t in zip(key, types, strict=True)
    ):
        raise InvalidInput("This cursor is not one we gave out.", field="cursor")
    if not all(map(storable, key)) or any(
        isinstance(k, int) and not -(2**62) <= k <= 2**62 for k in key
    ):
        raise InvalidInput("This cursor is not one we gave out.", field="cursor")
    return tuple(key)


def keyset_page(
    kind: str, rows: Sequence[T], key: Callable[[T], Key], limit: int
) -> tuple[list[T], str | None]:
    """``rows`` fetched with ``LIMIT limit + 1``: the page, and the cursor after its
    last row when there is more."""
    chunk = list(rows[:limit])
    more = len(rows) > limit
    return chunk, encode_cursor(kind, key(chunk[-1])) if more and chunk else None
