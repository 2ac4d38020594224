"""Questions lawyers ask: how did this submission's rights pass, who did what to
this record and when, which agreements wait on what.  Exports as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from openinno.domain.errors import InvalidInput
from projections.db import Db, Row
from projections.values import from_json, iso

CHAIN_COLUMNS = ("position", "event_id", "step", "actor_id", "at", "authors", "details")


@dataclass(frozen=True)
class AsOf:
    """A past moment: only what was recorded up to this log position and/or time.
    Each row is one recorded event, so filtering rows replays exactly the events
    recorded by then."""

    position: int | None = None
    time: datetime | None = None

    def where(self) -> tuple[str, tuple[object, ...]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.position is not None:
            clauses.append("position <= ?")
            params.append(self.position)
        if self.time is not None:
            clauses.append("at <= ?")
            params.append(iso(self.time))
        return "".join(f" AND {c}" for c in clauses), tuple(params)


NOW = AsOf()
# Positions read at a time while looking for the end of a command's events.
_RUN_PAGE = 64


def whole_commands(db: Db, as_of: AsOf) -> AsOf:
    """``as_of`` with its position moved to the end of the command that wrote the event
    there: a command's events are written in one transaction (consecutive positions,
    one actor, one time from the injected clock), so no moment shows part of one
    (an award without the agreement drafted with it).  A time never cuts a command:
    its events share their time."""
    if as_of.position is None:
        return as_of
    rows = db.rows(
        "SELECT position, actor_id, at FROM lg_events WHERE position <= ?"
        " ORDER BY position DESC LIMIT 1",
        (as_of.position,),
    )
    if not rows:
        return as_of
    last, actor, at = int(rows[0]["position"]), rows[0]["actor_id"], rows[0]["at"]
    while True:
        after = db.rows(
            "SELECT position, actor_id, at FROM lg_events WHERE position > ?"
            " ORDER BY position LIMIT ?",
            (last, _RUN_PAGE),
        )
        for row in after:
            if row["actor_id"] != actor or row["at"] != at:
                return AsOf(max(last, as_of.position), as_of.time)
            last = int(row["position"])
        if len(after) < _RUN_PAGE:
            return AsOf(max(last, as_of.position), as_of.time)


def parse_as_of(value: str | None) -> AsOf:
    """`?as_of=` is a log position (digits) or an ISO 8601 time with its zone."""
    if not value:
        return NOW
    if value.isdigit():
        return AsOf(position=int(value))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("as_of is a log position or an ISO 8601 time.", field="as_of") from None
    if moment.tzinfo is None:
        raise InvalidInput(
            "Give as_of with its time zone, e.g. 2026-11-23T12:00:00Z.", field="as_of"
        )
    return AsOf(time=moment)


def _step(row: Row) -> Row:
    """``authors``: each author of the step's version with when they accepted the terms
    (None on steps that record no version)."""
    authors = row["authors"]
    return {
        **row,
        "details": from_json(row["details"]),
        "authors": None if authors is None else from_json(authors),
    }


def chain_of_title(db: Db, submission_id: UUID, as_of: AsOf = NOW) -> list[Row]:
    """Every step from first submission to ownership transferred, in log order."""
    as_of = whole_commands(db, as_of)
    where, params = as_of.where()
    rows = db.rows(
        "SELECT position, event_id, step, actor_id, at, details, authors FROM lg_chain "
        f"WHERE submission_id = ?{where} ORDER BY position",
        (str(submission_id), *params),
    )
    return [_step(r) for r in rows]


def chain_of_title_page(
    db: Db, submission_id: UUID, as_of: AsOf = NOW, *, after: int | None, limit: int
) -> list[Row]:
    """``chain_of_title`` a page at a time (keyset): at most ``limit`` steps after
    log position ``after``."""
    as_of = whole_commands(db, as_of)
    where, params = as_of.where()
    keyset = " AND position > ?" if after is not None else ""
    rows = db.rows(
        "SELECT position, event_id, step, actor_id, at, details, authors FROM lg_chain "
        f"WHERE submission_id = ?{where}{keyset} ORDER BY position LIMIT ?",
        (str(submission_id), *params, *(() if after is None else (after,)), limit),
    )
    return [_step(r) for r in rows]


def ownership_transferred(db: Db, submission_id: UUID, as_of: AsOf = NOW) -> bool:
    """Whether the chain's last transfer or rescission (as of) is a transfer."""
    as_of = whole_commands(db, as_of)
    where, params = as_of.where()
    rows = db.rows(
        "SELECT step FROM lg_chain WHERE submission_id = ?"
        f" AND step IN ('ownership_transferred', 'rescinded'){where}"
        " ORDER BY position DESC LIMIT 1",
        (str(submission_id), *params),
    )
    return bool(rows) and rows[0]["step"] == "ownership_transferred"


def chain_of_title_json(db: Db, submission_id: UUID, as_of: AsOf = NOW) -> str:
    document = {
        "submission_id": str(submission_id),
        "as_of": {"position": as_of.position, "time": as_of.time and iso(as_of.time)},
        "steps": chain_of_title(db, submission_id, as_of),
    }
    return json.dumps(document, indent=2, sort_keys=True)


def chain_of_title_csv(db: Db, submission_id: UUID, as_of: AsOf = NOW) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CHAIN_COLUMNS)
    for step in chain_of_title(db, submission_id, as_of):
        details = json.dumps(step["details"], sort_keys=True)
        authors = "" if step["authors"] is None else json.dumps(step["authors"])
        writer.writerow([*(step[c] for c in CHAIN_COLUMNS[:-2]), authors, details])
    return out.getvalue()


def stream_history(db: Db, originator_id: UUID, as_of: AsOf = NOW) -> list[Row]:
    """Who did what to one record (any aggregate) and when, with each change."""
    as_of = whole_commands(db, as_of)
    where, params = as_of.where()
    rows = db.rows(
        "SELECT position, originator_version AS version, event_type, actor_id, at, data "
        f"FROM lg_events WHERE originator_id = ?{where} ORDER BY originator_version",
        (str(originator_id), *params),
    )
    return [{**r, "data": from_json(r["data"])} for r in rows]


def stream_history_page(
    db: Db, originator_id: UUID, as_of: AsOf = NOW, *, after: int | None, limit: int
) -> list[Row]:
    """``stream_history`` a page at a time (keyset): at most ``limit`` events after
    stream version ``after``."""
    as_of = whole_commands(db, as_of)
    where, params = as_of.where()
    keyset = " AND originator_version > ?" if after is not None else ""
    rows = db.rows(
        "SELECT position, originator_version AS version, event_type, actor_id, at, data "
        f"FROM lg_events WHERE originator_id = ?{where}{keyset} "
        "ORDER BY originator_version LIMIT ?",
        (str(originator_id), *params, *(() if after is None else (after,)), limit),
    )
    return [{**r, "data": from_json(r["data"])} for r in rows]


def agreement_state(row: Row) -> str:
    """The same states as IpAgreement.state on the write side."""
    if row["rescinded"]:
        return "rescinded"
    if row["disputed"]:
        return "disputed"
    if row["transferred"]:
        return "transferred"
    if row["signatures"] < row["authors"]:
        return "awaiting_signature"
    if not row["countersigned"]:
        return "awaiting_countersignature"
    return "awaiting_payment"


# agreement_state in SQL, for filtering and paging in the database (same order of tests).
AGREEMENT_STATE_SQL = (
    "CASE WHEN rescinded <> 0 THEN 'rescinded' WHEN disputed <> 0 THEN 'disputed'"
    " WHEN transferred <> 0 THEN 'transferred'"
    " WHEN signatures < authors THEN 'awaiting_signature'"
    " WHEN countersigned = 0 THEN 'awaiting_countersignature'"
    " ELSE 'awaiting_payment' END"
)


def agreements_page(
    db: Db,
    organisation_id: UUID,
    state: str | None,
    *,
    after: tuple[str, str] | None,
    limit: int,
) -> list[Row]:
    """An organisation's agreements (optionally in one state) a page at a time, by
    (drafted_at, agreement_id) after ``after`` (keyset); each row has its ``state``."""
    sql = f"SELECT *, {AGREEMENT_STATE_SQL} AS state FROM lg_agreements WHERE organisation_id = ?"
    params: list[object] = [str(organisation_id)]
    if state is not None:
        sql += f" AND {AGREEMENT_STATE_SQL} = ?"
        params.append(state)
    if after is not None:
        sql += " AND (drafted_at > ? OR (drafted_at = ? AND agreement_id > ?))"
        params += [after[0], after[0], after[1]]
    sql += " ORDER BY drafted_at, agreement_id LIMIT ?"
    params.append(limit)
    return db.rows(sql, params)


def agreements_by_state(db: Db, organisation_id: UUID) -> dict[str, list[Row]]:
    """An organisation's agreements grouped by state (awaiting_signature,
    awaiting_countersignature, awaiting_payment, transferred, disputed, rescinded)."""
    rows = db.rows(
        "SELECT * FROM lg_agreements WHERE organisation_id = ? ORDER BY drafted_at, agreement_id",
        (str(organisation_id),),
    )
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(agreement_state(row), []).append(row)
    return grouped
