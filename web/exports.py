"""The sponsor's streaming exports (issue 27): entries and reviews as CSV or JSON
Lines, a chunk per page of rows read on a keyset (projections/sifting/exports.py),
over a connection of the export's own (it is read while the response streams, after
the handler's thread moved on).  Constant memory whatever the challenge's size.

CSV cells are formula-safe: a cell a spreadsheet would run (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'`` (OWASP's
CSV injection advice).  Names appear only where the exporter may know them
(``AuthorVisibility``: blind before the reveal)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

from openinno.domain.blind import AuthorVisibility
from projections.db import ReadStore, open_db
from projections.sifting import exports

KINDS = ("entries", "reviews")
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> str:
    """A CSV cell's text, never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(_RISKY) else text


def _batched(rows: Iterable[dict[str, Any]], size: int = 500) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def csv_chunks(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for batch in _batched(rows):
        for row in batch:
            writer.writerow([safe(row.get(c)) for c in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    tail = buffer.getvalue()
    if tail:
        yield tail


def jsonl_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for batch in _batched(rows):
        yield "".join(
            json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in batch
        )


def chunks(
    store: ReadStore, challenge_id: UUID, kind: str, fmt: str, seen_by: AuthorVisibility
) -> Iterator[str]:
    db = open_db(store)
    try:
        cid = str(challenge_id)
        if kind == "entries":
            rows: Iterable[dict[str, Any]] = exports.entries(
                db, cid, exports.names_for(db, seen_by)
            )
            columns = list(exports.ENTRY_COLUMNS)
        else:
            names = exports.criteria_names(db, cid)
            rows = (
                {
                    **{k: v for k, v in r.items() if k != "scores"},
                    **(
                        {f"score:{n}": r["scores"].get(n) for n in names}
                        if fmt == "csv"
                        else {"scores": r["scores"]}
                    ),
                }
                for r in exports.reviews(db, cid)
            )
            columns = [
                "review_id",
                "submission_id",
                "pseudonym",
                "reviewer_id",
                "round",
                "scored_version",
                "conflict",
                "weighted_total",
                *(f"score:{n}" for n in names),
            ]
        yield from csv_chunks(columns, rows) if fmt == "csv" else jsonl_chunks(rows)
    finally:
        db.close()


def filename(challenge_id: UUID, kind: str, fmt: str) -> str:
    return f"{kind}-{challenge_id}.{fmt}"
