"""Questions participants ask: what can I enter, what does this challenge say,
what did I submit, what do others support, who won."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from openinno.domain.blind import BLIND, AuthorVisibility
from projections.db import Db, Row
from projections.values import from_json, iso

PAGE_SIZE = 20

# sort name -> (column, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "closing": ("closes_at", False),
    "newest": ("published_at", True),
    "prize": ("prize_total", True),
}

CATALOGUE_COLUMNS = (
    "challenge_id, organisation_id, status, title, category, language, prize_total, currency,"
    " prizes, opens_at, closes_at, published_at, submission_count"
)


@dataclass(frozen=True)
class Page:
    items: list[Row]
    next_cursor: str | None


def _encode_cursor(value: Any, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([value, key]).encode()).decode()


def decode_catalogue_cursor(sort: str, cursor: str) -> tuple[Any, str]:
    """The sort value and challenge id a catalogue cursor carries; ValueError for
    anything ``open_challenges`` did not give out.  Checked here, before any query:
    the databases refuse NUL bytes in text and integers past 64 bits (a 500), and
    JSON admits NaN and Infinity."""
    if sort not in SORTS or len(cursor) > 1000:
        raise ValueError("bad cursor")
    decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    if not isinstance(decoded, list) or len(decoded) != 2:
        raise ValueError("bad cursor")
    value, key = decoded
    if not isinstance(key, str):
        raise ValueError("bad cursor")
    key = str(UUID(key))  # ValueError unless a UUID
    column, _descending = SORTS[sort]
    if column == "prize_total":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("bad cursor")
        if not math.isfinite(value) or abs(value) > 1e300:
            raise ValueError("bad cursor")
    # Otherwise a stored timestamp (projections.values.iso), or NULL for an unpublished one.
    elif value is not None and (not isinstance(value, str) or not _TIMESTAMP.match(value)):
        raise ValueError("bad cursor")
    return value, key


_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{1,20}Z$")


def _phase_condition(phase: str, now: str) -> tuple[str, list[Any]]:
    """Phases a visitor sees: upcoming, open, closed (in review), awarded, cancelled."""
    if phase == "open":
        return "status = 'published' AND opens_at <= ? AND closes_at > ?", [now, now]
    if phase == "upcoming":
        return "status = 'published' AND opens_at > ?", [now]
    if phase == "closed":
        return "status = 'published' AND closes_at <= ?", [now]
    if phase in ("awarded", "cancelled"):
        return "status = ?", [phase]
    raise ValueError(f"unknown phase {phase!r}")


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5_query(search: str) -> str:
    """A visitor's search as an FTS5 query that cannot be a syntax error, read as
    PostgreSQL's ``websearch_to_tsquery`` reads it: words and "quoted phrases" all
    required, ``a or b`` either (binding tighter than the implicit AND), ``-word``
    excluded (where something else is required).  Every word is an FTS5 string
    (quotes doubled), so FTS5's own syntax (``AND``, ``*``, ``:``, ``NEAR``,
    parentheses, an odd quote) is never interpreted: it would be an error (a
    500), not a search."""
    required: list[list[str]] = []  # each: alternatives joined by OR
    excluded: list[str] = []
    alternative = False
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', search):
        if not phrase and word.lower() == "or" and required:
            alternative = True
            continue
        negate = not phrase and word.startswith("-")
        text = (phrase or word.removeprefix("-") if negate else phrase or word).replace('"', "")
        if not text.strip():
            continue
        if negate:
            excluded.append(_fts5_string(text))
        elif alternative:
            required[-1].append(_fts5_string(text))
        else:
            required.append([_fts5_string(text)])
        alternative = False
    if not required:
        return '""'  # nothing required: matches nothing (an empty phrase)
    parts = [terms[0] if len(terms) == 1 else f"({' OR '.join(terms)})" for terms in required]
    return " AND ".join(parts) + "".join(f" NOT {term}" for term in excluded)


def _search_condition(dialect: str, search: str) -> tuple[str, str]:
    """The catalogue's full-text condition and its parameter.  PostgreSQL: the
    GIN-indexed ``search_vector`` against ``websearch_to_tsquery`` (every word
    required, "quoted phrases", ``or``, ``-word``; it never raises on odd input);
    SQLite: the FTS5 table, every word or quoted phrase required (``fts5_query``).
    Both with the 'simple' word rules (see participants.projection)."""
    if dialect == "postgres":
        return "search_vector @@ websearch_to_tsquery('simple', ?)", search
    return (
        "challenge_id IN (SELECT challenge_id FROM pt_challenges_fts"
        " WHERE pt_challenges_fts MATCH ?)",
        fts5_query(search),
    )


def open_challenges(
    db: Db,
    *,
    now: datetime,
    search: str = "",
    phases: tuple[str, ...] = ("open", "upcoming"),
    category: str | None = None,
    language: str | None = None,
    min_prize: float | None = None,
    closing_within: timedelta | None = None,
    sort: str = "closing",
    limit: int = PAGE_SIZE,
    cursor: str | None = None,
) -> Page:
    """The public catalogue: never drafts.  ``search`` is full-text over title and
    brief (whole words, any case; see ``_search_condition``); ``closing_within``
    keeps challenges open now that close soon."""
    at = iso(now)
    where: list[str] = ["status <> 'draft'"]
    params: list[Any] = []
    if phases:
        parts = [_phase_condition(p, at) for p in phases]
        where.append("(" + " OR ".join(f"({sql})" for sql, _ in parts) + ")")
        for _, p in parts:
            params += p
    if search.strip():
        condition, value = _search_condition(db.dialect, search)
        where.append(condition)
        params.append(value)
    if category:
        where.append("category = ?")
        params.append(category)
    if language:
        where.append("language = ?")
        params.append(language)
    if min_prize is not None:
        where.append("prize_total >= ?")
        params.append(min_prize)
    if closing_within is not None:
        where.append("status = 'published' AND closes_at > ? AND closes_at <= ?")
        params += [at, iso(now + closing_within)]
    column, descending = SORTS[sort]
    op, direction = ("<", "DESC") if descending else (">", "ASC")
    if cursor:
        value, key = decode_catalogue_cursor(sort, cursor)
        where.append(f"({column} {op} ? OR ({column} = ? AND challenge_id {op} ?))")
        params += [value, value, key]
    rows = db.rows(
        f"SELECT {CATALOGUE_COLUMNS} FROM pt_challenges WHERE {' AND '.join(where)} "
        f"ORDER BY {column} {direction}, challenge_id {direction} LIMIT ?",
        [*params, limit + 1],
    )
    more = len(rows) > limit
    items = [_catalogue_item(r) for r in rows[:limit]]
    next_cursor = None
    if more:
        last = rows[limit - 1]
        next_cursor = _encode_cursor(last[column], last["challenge_id"])
    return Page(items, next_cursor)


def _catalogue_item(row: Row) -> Row:
    return {**row, "prizes": from_json(row["prizes"])}


def challenge_page(db: Db, challenge_id: UUID, seen_by: AuthorVisibility = BLIND) -> Row | None:
    """Everything on a challenge's public page; ``None`` for drafts and unknown ids.
    Questions a moderator hid stay listed, marked hidden, without their text.  The
    winners' names only where ``seen_by`` may know them (``results``)."""
    rows = db.rows(
        "SELECT c.*, o.name AS organisation_name, o.logo_sha256 AS organisation_logo"
        " FROM pt_challenges c "
        "LEFT JOIN pt_organisations o ON o.organisation_id = c.organisation_id "
        "WHERE c.challenge_id = ? AND c.status NOT IN ('draft', 'discarded')",
        (str(challenge_id),),
    )
    if not rows:
        return None
    page = dict(rows[0])
    page.pop("search_text")
    page.pop("search_vector", None)  # PostgreSQL's full-text column
    page["prizes"] = from_json(page["prizes"])
    page["criteria"] = from_json(page["criteria"])
    questions = db.rows(
        "SELECT question_id, asked_at, text, answer, answered_at, hidden, hidden_reason "
        "FROM pt_questions WHERE challenge_id = ? ORDER BY position",
        (str(challenge_id),),
    )
    page["questions"] = [_question(q) for q in questions]
    page["announcements"] = db.rows(
        "SELECT announcement_id, kind, CASE WHEN hidden_reason IS NULL THEN text ELSE ''"
        " END AS text, posted_at, hidden_reason FROM pt_announcements "
        "WHERE challenge_id = ? ORDER BY position",
        (str(challenge_id),),
    )
    page["counts"] = {
        "submissions": page.pop("submission_count"),
        "questions": sum(1 for q in questions if not q["hidden"]),
        "answered": sum(1 for q in questions if q["answer"] and not q["hidden"]),
        "announcements": len(page["announcements"]),
    }
    page["results"] = results(db, challenge_id, seen_by)
    return page


def _question(row: Row) -> Row:
    if row["hidden"]:
        return {
            "question_id": row["question_id"],
            "asked_at": row["asked_at"],
            "hidden": True,
            "hidden_reason": row["hidden_reason"],
            "text": None,
            "answer": None,
            "answered_at": None,
        }
    return {**row, "hidden": False, "hidden_reason": None}


def my_submissions(db: Db, account_id: UUID) -> list[Row]:
    """The submissions this person authored (alone or in a team), newest first,
    each with its status, current version and every receipt."""
    rows = db.rows(
        "SELECT s.submission_id, s.challenge_id, c.title AS challenge_title,"
        " c.closes_at AS challenge_closes_at, s.title,"
        " s.status, s.version, s.content_sha256, s.accepted_terms_sha256, s.submitted_at,"
        " s.updated_at, s.shortlisted, s.award_place, s.support_count, s.status_reason,"
        " s.hidden_reason "
        "FROM pt_authors a JOIN pt_submissions s ON s.submission_id = a.submission_id "
        "LEFT JOIN pt_challenges c ON c.challenge_id = s.challenge_id "
        "WHERE a.account_id = ? ORDER BY s.submitted_at DESC, s.submission_id",
        (str(account_id),),
    )
    if not rows:
        return []
    marks = ", ".join("?" * len(rows))
    receipts = db.rows(
        "SELECT receipt_id, submission_id, version, content_sha256, recorded_at "
        f"FROM pt_receipts WHERE submission_id IN ({marks}) ORDER BY submission_id, version",
        [r["submission_id"] for r in rows],
    )
    by_submission: dict[str, list[Row]] = {}
    for receipt in receipts:
        by_submission.setdefault(receipt["submission_id"], []).append(receipt)
    return [
        {**r, "shortlisted": bool(r["shortlisted"]), "receipts": by_submission[r["submission_id"]]}
        for r in rows
    ]


# Drafts shown at once (a person's open drafts are few; the API pages through them).
MY_DRAFTS_LIMIT = 100


def my_drafts(
    db: Db, account_id: UUID, *, after: tuple[str, str] | None = None, limit: int = MY_DRAFTS_LIMIT
) -> list[Row]:
    """The open entry drafts this person may use: their own, and those of the teams
    they are on; latest saved first (keyset after ``after``: saved_at, draft_id).
    Drafts are private: no other query reads them."""
    me = str(account_id)
    sql = (
        "SELECT d.draft_id, d.challenge_id, c.title AS challenge_title, d.team_id,"
        " t.name AS team_name, d.title, d.files, d.saved_at, d.author_id "
        "FROM pt_drafts d LEFT JOIN pt_challenges c ON c.challenge_id = d.challenge_id "
        "LEFT JOIN pt_teams t ON t.team_id = d.team_id "
        "WHERE d.status = 'draft' AND (d.author_id = ? OR d.team_id IN ("
        "SELECT m.team_id FROM pt_my_teams m WHERE m.person = ? AND m.state = 'member')) "
    )
    params: list[Any] = [me, me]
    if after is not None:
        sql += "AND (d.saved_at, d.draft_id) < (?, ?) "
        params += [after[0], after[1]]
    sql += "ORDER BY d.saved_at DESC, d.draft_id DESC LIMIT ?"
    params.append(limit)
    return db.rows(sql, params)


@dataclass(frozen=True)
class TeamsPage:
    items: list[Row]
    # The keyset of the next page (the last row's ``since`` and team id), or None.
    next_after: tuple[str, str] | None


def my_teams_and_invitations(
    db: Db,
    account_id: UUID,
    email: str,
    *,
    after: tuple[str, str] | None,
    limit: int,
    now: datetime | None = None,
) -> TeamsPage:
    """The teams this person is on and the invitations waiting for their answer (by
    account id or by ``email``, their own normalised address), latest change first,
    keyset-paged after ``after``.  Disbanded teams are left out, and with ``now``
    invitations to challenges closed by then (they can no longer be accepted).  Rows:
    team_id, name, challenge_id, challenge_title, closes_at, state (``member`` or
    ``invited``), since, lead (whether this person leads the team)."""
    me = str(account_id)
    sql = (
        "SELECT m.team_id, m.state, m.since, t.name, t.challenge_id, t.lead_id,"
        " c.title AS challenge_title, c.closes_at "
        "FROM pt_my_teams m JOIN pt_teams t ON t.team_id = m.team_id "
        "LEFT JOIN pt_challenges c ON c.challenge_id = t.challenge_id "
        "WHERE m.person IN (?, ?) AND m.state IN ('member', 'invited')"
        " AND t.lead_id IS NOT NULL "
    )
    params: list[Any] = [me, email]
    if now is not None:
        sql += "AND (m.state = 'member' OR c.closes_at > ?) "
        params.append(iso(now))
    if after is not None:
        sql += "AND (m.since, m.team_id) < (?, ?) "
        params += [after[0], after[1]]
    sql += "ORDER BY m.since DESC, m.team_id DESC LIMIT ?"
    params.append(limit)
    rows = db.rows(sql, params)
    # One row per team: on it (an e-mail invitation may stay open beside the membership
    # when the invitee was invited both ways), else invited.
    by_team: dict[str, Row] = {}
    for r in rows:
        seen = by_team.get(r["team_id"])
        if seen is None or r["state"] == "member":
            by_team[r["team_id"]] = {
                "team_id": r["team_id"],
                "name": r["name"],
                "challenge_id": r["challenge_id"],
                "challenge_title": r["challenge_title"],
                "closes_at": r["closes_at"],
                "state": r["state"],
                "since": r["since"],
                "lead": r["lead_id"] == me,
            }
    next_after = (rows[-1]["since"], rows[-1]["team_id"]) if len(rows) == limit else None
    return TeamsPage(list(by_team.values()), next_after)


def public_gallery(db: Db, challenge_id: UUID) -> list[Row] | None:
    """Live entries of a public challenge with their support counts, most supported
    first; ``None`` where the challenge has no public gallery.  No author names:
    reviewers may browse the gallery too."""
    challenge = db.rows(
        "SELECT visibility FROM pt_challenges WHERE challenge_id = ? AND status <> 'draft'",
        (str(challenge_id),),
    )
    if not challenge or challenge[0]["visibility"] != "public":
        return None
    return db.rows(
        f"SELECT {GALLERY_COLUMNS} FROM pt_submissions "
        "WHERE challenge_id = ? AND status NOT IN ('withdrawn', 'disqualified') "
        "ORDER BY support_count DESC, submitted_at, submission_id",
        (str(challenge_id),),
    )


# An entry a moderator hid (issue 24) keeps its place, its title and summary replaced
# by the reason (``hidden_reason``).
GALLERY_COLUMNS = (
    "submission_id, CASE WHEN hidden_reason IS NULL THEN title ELSE '' END AS title,"
    " CASE WHEN hidden_reason IS NULL THEN summary ELSE '' END AS summary,"
    " version, submitted_at, support_count,"
    " shortlisted, threshold_reached, award_place, hidden_reason"
)
LIVE = "status NOT IN ('withdrawn', 'disqualified')"

# A gallery page's position: the last entry shown's (support_count, submitted_at,
# submission_id), the gallery's sort key.
GalleryKey = tuple[int, str, str]


def gallery_key(row: Row) -> GalleryKey:
    return (int(row["support_count"]), str(row["submitted_at"]), str(row["submission_id"]))


def public_gallery_page(
    db: Db, challenge_id: UUID, *, after: GalleryKey | None = None, limit: int = PAGE_SIZE
) -> list[Row] | None:
    """One page of ``public_gallery`` (same rows, same order: most supported first,
    then oldest, then by id), the entries after ``after``; ``None`` where the
    challenge has no public gallery.

    Keyset paging in SQL from the ``pt_submissions_gallery`` index: the order mixes
    directions (support descending, time ascending), which one row comparison cannot
    seek, so a page is read in two index ranges: the rest of the last entry's support
    level (``support_count = ?`` and ``(submitted_at, submission_id) > (?, ?)``),
    then, if the page is not full, the levels below (``support_count < ?``).  Each is
    an index range scan stopped by LIMIT: a page costs the same on page 1 and page
    7,000 of a 150,000-entry challenge."""
    cid = str(challenge_id)
    challenge = db.rows(
        "SELECT visibility FROM pt_challenges WHERE challenge_id = ? AND status <> 'draft'",
        (cid,),
    )
    if not challenge or challenge[0]["visibility"] != "public":
        return None
    select = f"SELECT {GALLERY_COLUMNS} FROM pt_submissions WHERE challenge_id = ? AND {LIVE} "
    order = "ORDER BY support_count DESC, submitted_at, submission_id LIMIT ?"
    if after is None:
        return db.rows(select + order, (cid, limit))
    support, submitted_at, submission_id = after
    rows = db.rows(
        select + "AND support_count = ? AND (submitted_at, submission_id) > (?, ?) " + order,
        (cid, support, submitted_at, submission_id, limit),
    )
    if len(rows) < limit:
        rows += db.rows(
            select + "AND support_count < ? " + order, (cid, support, limit - len(rows))
        )
    return rows


def identities(db: Db, submission_ids: Sequence[str], seen_by: AuthorVisibility) -> dict[str, Row]:
    """Solver ids and names of those of these submissions whose authors ``seen_by``
    may know (blind review's rule, ``AuthorVisibility.sees``), from the participants'
    tables (by key, so a page costs a page of probes).  The only query that joins an
    entry to its people: every list that names solvers takes them from here."""
    found: dict[str, Row] = {}
    ids = list(dict.fromkeys(submission_ids))
    if not ids or not (seen_by.revealed or seen_by.admin or seen_by.counterparty or seen_by.viewer):
        return found  # the common blind case costs no query
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        authors: dict[str, list[str]] = {}
        for a in db.rows(
            f"SELECT submission_id, account_id FROM pt_authors WHERE submission_id IN ({marks})",
            chunk,
        ):
            authors.setdefault(a["submission_id"], []).append(a["account_id"])
        for r in db.rows(
            "SELECT s.submission_id, s.solver_id, p.display_name AS solver_name, s.award_place "
            "FROM pt_submissions s LEFT JOIN pt_people p ON p.account_id = s.solver_id "
            f"WHERE s.submission_id IN ({marks})",
            chunk,
        ):
            who = authors.get(r["submission_id"]) or [r["solver_id"]]
            if seen_by.sees(who, awarded=r["award_place"] is not None):
                found[r["submission_id"]] = {
                    "solver_id": r["solver_id"],
                    "solver_name": r["solver_name"],
                }
    return found


def results(db: Db, challenge_id: UUID, seen_by: AuthorVisibility = BLIND) -> list[Row]:
    """Winners by place, once awarded (empty before); each winner's name only where
    ``seen_by`` may know it (blind review: for everyone once identities are revealed)."""
    rows = db.rows(
        "SELECT a.place, a.submission_id, s.title FROM pt_awards a "
        "JOIN pt_submissions s ON s.submission_id = a.submission_id "
        "WHERE a.challenge_id = ? ORDER BY a.place",
        (str(challenge_id),),
    )
    named = identities(db, [r["submission_id"] for r in rows], seen_by)
    return [
        {**r, "solver_name": named.get(r["submission_id"], {}).get("solver_name")} for r in rows
    ]
