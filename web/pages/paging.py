"""Cursor pagination for pages.  The cursor is the sort key of the last row shown,
so the next page starts right after it even when rows were added or removed in
between.  Lists that grow with a challenge (the public gallery, the review queue,
the sponsor's ranking) page in SQL: their routes build a ``Paged`` from a keyset
query and ``encode``; ``page`` pages in the route, after the query read every row,
for lists that stay small (a stream's history, an organisation's agreements)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from litestar.exceptions import ValidationException

from web.cursors import storable

# Read at call time, so tests can make pages small.
PAGE_SIZE = 20

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Paged:
    items: list[Any]
    cursor: str  # the cursor this page was asked with ("" for the first page)
    next_cursor: str | None


def encode(key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode(cursor: str) -> Key:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationException("bad cursor") from None
    if not isinstance(value, list) or not all(map(storable, value)):
        raise ValidationException("bad cursor")
    return tuple(value)


def keyset(rows: Sequence[Any], cursor: str, size: int, key: Callable[[Any], Key]) -> Paged:
    """A page from a keyset query asked for ``size + 1`` rows: the first ``size``,
    and a next cursor (the last one's key) only if the extra row came back."""
    items = list(rows[:size])
    more = len(rows) > size
    return Paged(items, cursor, encode(key(items[-1])) if more else None)


def page(
    rows: Sequence[Any],
    key: Callable[[Any], Key],
    cursor: str = "",
    limit: int | None = None,
) -> Paged:
    """The rows after ``cursor`` (rows are in ``key`` order), at most ``limit``."""
    size = limit or PAGE_SIZE
    start = 0
    if cursor:
        after = decode(cursor)
        try:
            start = next((i for i, row in enumerate(rows) if key(row) > after), len(rows))
        except TypeError:  # a cursor whose values do not compare with this list's keys
            raise ValidationException("bad cursor") from None
    chunk = list(rows[start : start + size])
    more = start + size < len(rows)
    return Paged(chunk, cursor, encode(key(chunk[-1])) if more and chunk else None)
