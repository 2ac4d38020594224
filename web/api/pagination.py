"""Opaque cursors for every list: ``?cursor=`` from the previous page's
``next_cursor`` (null on the last page), ``?limit=`` items per page.

A cursor is the sort key of the last item sent, tagged with the list it belongs
to, base64url-encoded; clients must treat it as opaque.  Lists are keyset
paginated (an item added or removed between pages neither repeats nor skips
another); a cursor from another list, or a broken one, is a 422."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from litestar.params import Parameter

from openinno.domain.errors import InvalidInput

T = TypeVar("T")
Key = tuple[Any, ...]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

Cursor = Annotated[
    str | None,
    Parameter(
        query="cursor",
        max_length=2000,
        description="Opaque: the `next_cursor` of the previous page.",
    ),
]
Limit = Annotated[
    int,
    Parameter(query="limit", ge=1, le=MAX_LIMIT, description="Items per page."),
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


def page(
    kind: str, items: Sequence[T], key: Callable[[T], Key], cursor: str | None, limit: int
) -> tuple[list[T], str | None]:
    """One page of ``items`` ordered by ``key`` (a total order: end it with an id)."""
    ordered = sorted(items, key=key)
    if cursor:
        after = decode_cursor(kind, cursor)
        try:
            ordered = [item for item in ordered if list(key(item)) > after]
        except TypeError:
            raise InvalidInput("This cursor is not one we gave out.", field="cursor") from None
    chunk = ordered[:limit]
    more = len(ordered) > limit
    return chunk, encode_cursor(kind, key(chunk[-1])) if more and chunk else None
