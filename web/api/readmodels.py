"""Read-only questions the API asks that no query in ``projections/`` answers yet
(candidates to move there).  Plain SQL against the read-model tables."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from openinno.domain.blind import AuthorVisibility
from projections.db import Db, Row
from projections.participants.queries import identities

LIVE_ONLY = "AND s.status NOT IN ('withdrawn', 'disqualified') "


def challenge_entries(
    db: Db,
    challenge_id: UUID,
    *,
    live_only: bool,
    after: tuple[str, str] | None,
    limit: int,
    seen_by: AuthorVisibility,
) -> list[Row]:
    """A challenge's entries in submission order (keyset: ``after`` is the last
    (submitted_at, submission_id) sent), with pseudonyms and support counts.
    ``solver_id`` and ``solver_name``: None where ``seen_by`` may not know who wrote
    the entry (blind review, ``AuthorVisibility.sees``)."""
    sql = (
        "SELECT s.submission_id, s.title,"
        " s.summary, s.status, s.version, s.content_sha256, s.submitted_at, s.updated_at,"
        " s.support_count, s.shortlisted, s.threshold_reached, s.award_place,"
        " n.number AS pseudonym_number "
        "FROM pt_submissions s "
        "LEFT JOIN rv_entries e ON e.submission_id = s.submission_id "
        "LEFT JOIN rv_pseudonyms n ON n.challenge_id = e.challenge_id"
        " AND n.entry_key = e.entry_key "
        "WHERE s.challenge_id = ? "
    )
    params: list[Any] = [str(challenge_id)]
    if live_only:
        sql += LIVE_ONLY
    if after is not None:
        # A row comparison: the databases seek it in pt_submissions_submitted (the OR
        # form is a filter read from the challenge's first entry on every page).
        sql += "AND (s.submitted_at, s.submission_id) > (?, ?) "
        params += [after[0], after[1]]
    sql += "ORDER BY s.submitted_at, s.submission_id LIMIT ?"
    params.append(limit)
    rows = db.rows(sql, params)
    named = identities(db, [r["submission_id"] for r in rows], seen_by)
    nobody: Row = {"solver_id": None, "solver_name": None}
    return [{**r, **named.get(r["submission_id"], nobody)} for r in rows]
