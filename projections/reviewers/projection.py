"""Tables and event handlers of the reviewers' read model.

Blind by construction: no row here holds a solver's account id, name or email.
Each entry gets a per-challenge number (in order of submission) keyed by a
one-way hash of challenge and entry (not solver: nothing links one author's entries); identities appear only in the queries,
joined from the participants' tables, after ``Challenge.IdentitiesRevealed``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from openinno.domain import Challenge, Review, ReviewAssignment, Submission
from openinno.domain.values import ChallengeSpec
from projections.projection import Item, Projection
from projections.reviewers.scoring import weighted_total
from projections.sql import insert, update, upsert
from projections.triggers import pg_counted_triggers, pg_function
from projections.values import event_name, from_json, iso, iso_text, to_json
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS rv_challenges ("
    " challenge_id TEXT PRIMARY KEY, title TEXT NOT NULL, criteria TEXT NOT NULL,"
    " review_ends_at TEXT NOT NULL, status TEXT NOT NULL,"
    " revealed INTEGER NOT NULL DEFAULT 0,"
    # k where the challenge assigns entries to reviewers (decision 0023), else NULL:
    # every accepted reviewer reviews every entry.
    " assignment_k INTEGER,"
    # Review rounds (issue 20): the later rounds' criteria (a JSON list of criteria
    # lists, rounds 2, 3, ...), and the round under way.
    " rounds_criteria TEXT NOT NULL DEFAULT '[]', current_round INTEGER NOT NULL DEFAULT 1)",
    # Each later round's entries: the shortlist the round before it advanced.
    "CREATE TABLE IF NOT EXISTS rv_round_entries ("
    " challenge_id TEXT NOT NULL, round INTEGER NOT NULL, submission_id TEXT NOT NULL,"
    " PRIMARY KEY (challenge_id, round, submission_id))",
    # Who reviews what, where the challenge assigns (ReviewAssignment streams).  The
    # key's prefix finds a reviewer's entries; the second index an entry's reviewers.
    "CREATE TABLE IF NOT EXISTS rv_assigned ("
    " challenge_id TEXT NOT NULL, reviewer_id TEXT NOT NULL, submission_id TEXT NOT NULL,"
    " PRIMARY KEY (challenge_id, reviewer_id, submission_id))",
    "CREATE INDEX IF NOT EXISTS rv_assigned_entry ON rv_assigned (submission_id)",
    # Per (challenge, reviewer): their assigned entries that are live (not withdrawn or
    # disqualified), kept by triggers on rv_assigned and rv_entries (below) as
    # rv_progress is, so that progress per reviewer is one probe, not a count over the
    # challenge's assignment (300,000 rows at the bench's volume).  A row exists only
    # while the count is above zero: exactly the rows counting gives, however reached.
    "CREATE TABLE IF NOT EXISTS rv_assigned_counts ("
    " challenge_id TEXT NOT NULL, reviewer_id TEXT NOT NULL, assigned INTEGER NOT NULL,"
    " PRIMARY KEY (challenge_id, reviewer_id))",
    "CREATE TABLE IF NOT EXISTS rv_released ("
    " challenge_id TEXT NOT NULL, reviewer_id TEXT NOT NULL, reason TEXT NOT NULL,"
    " PRIMARY KEY (challenge_id, reviewer_id))",
    "CREATE TABLE IF NOT EXISTS rv_reviewers ("
    " challenge_id TEXT NOT NULL, reviewer_id TEXT NOT NULL, accepted INTEGER NOT NULL,"
    " round INTEGER NOT NULL DEFAULT 1,"
    " PRIMARY KEY (challenge_id, reviewer_id))",
    "CREATE TABLE IF NOT EXISTS rv_pseudonyms ("
    " challenge_id TEXT NOT NULL, entry_key TEXT NOT NULL, number INTEGER NOT NULL,"
    " PRIMARY KEY (challenge_id, entry_key),"
    # Numbers are unique per challenge by construction; the constraint's index (built
    # with the table, so also during a rebuild) makes PSEUDONYM's MAX(number) one index
    # probe instead of a scan of the challenge's entries for every submission.
    " UNIQUE (challenge_id, number))",
    "CREATE TABLE IF NOT EXISTS rv_entries ("
    " submission_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, entry_key TEXT NOT NULL,"
    " title TEXT NOT NULL, summary TEXT NOT NULL, version INTEGER NOT NULL,"
    " content_sha256 TEXT NOT NULL, status TEXT NOT NULL, shortlisted INTEGER NOT NULL,"
    " submitted_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rv_entries_challenge ON rv_entries (challenge_id)",
    # The queue pages through a challenge in pseudonym order: each entry's number, its
    # row found by this index (one entry per number since issue 21).
    "CREATE INDEX IF NOT EXISTS rv_entries_entrant ON rv_entries (challenge_id, entry_key)",
    "CREATE TABLE IF NOT EXISTS rv_reviews ("
    " review_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, submission_id TEXT NOT NULL,"
    " reviewer_id TEXT NOT NULL, scores TEXT, comment TEXT NOT NULL DEFAULT '',"
    " conflict INTEGER NOT NULL DEFAULT 0, scored_at TEXT,"
    " revisions INTEGER NOT NULL DEFAULT 0,"
    # The review's weighted total (scoring.weighted_total), set with the scores: the
    # ranking's z-scores and order are computed in SQL from it.
    " total DOUBLE PRECISION,"
    # The version the scores are of (issue 20; NULL in reviews recorded before versions
    # were bound: decision 0020, see queries.CURRENT).
    " scored_version INTEGER, scored_sha256 TEXT,"
    # 1 where the scored version is the entry's current one (queries.CURRENT), kept by
    # ``CURRENT_STATEMENT`` at the end of each batch that scores or revises: the
    # progress counters count only such reviews (stale ones apart).
    " current INTEGER NOT NULL DEFAULT 0,"
    # The review round (issue 20): its totals use that round's criteria.
    " round INTEGER NOT NULL DEFAULT 1,"
    # One review per entry and reviewer (its id is derived from both).  The queue joins
    # each entry to my review of it by this index, and the counters' triggers find an
    # entry's reviews by it: a constraint's index, built with the table, so also during
    # a rebuild (secondary indexes come at its end).
    " UNIQUE (submission_id, reviewer_id))",
    "CREATE INDEX IF NOT EXISTS rv_reviews_challenge ON rv_reviews (challenge_id)",
    # The review progress, kept by triggers on rv_reviews and rv_entries (below): per
    # challenge and reviewer, the counted reviews (scored, no conflict) and the declared
    # conflicts, of entries not withdrawn or disqualified; per challenge, its live
    # entries and its entries with a counted review (of any status: the funnel's
    # "reviewed").  Always what counting the rows gives, read in one probe.
    "CREATE TABLE IF NOT EXISTS rv_progress ("
    " challenge_id TEXT NOT NULL, reviewer_id TEXT NOT NULL,"
    " done INTEGER NOT NULL DEFAULT 0, conflicts INTEGER NOT NULL DEFAULT 0,"
    " stale INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (challenge_id, reviewer_id))",
    "CREATE TABLE IF NOT EXISTS rv_counts ("
    " challenge_id TEXT PRIMARY KEY, live INTEGER NOT NULL DEFAULT 0,"
    " reviewed INTEGER NOT NULL DEFAULT 0)",
)

TABLES = (
    "rv_challenges",
    "rv_assigned",
    "rv_assigned_counts",
    "rv_released",
    "rv_round_entries",
    "rv_reviewers",
    "rv_pseudonyms",
    "rv_entries",
    "rv_reviews",
    "rv_progress",
    "rv_counts",
)

# --- the counters' triggers (see projections/triggers.py) ---------------------------------
#
# A review's share of its (challenge, reviewer)'s progress: 1 to ``done`` if counted
# (scored, no conflict), 1 to ``conflicts`` if conflicted; nothing where its entry is
# dead (withdrawn or disqualified).  An entry with no row counts as live: a batch's rows
# are written table by table, so a review may be written before its entry in the same
# batch; once both are, as at the end of every batch, "not dead" is "live", as
# ``queries.PROGRESS_COUNTED`` counts.  ``reviewed`` counts the (challenge, entry)
# pairs with a counted review; ``live`` the entries not dead.
COUNTED = (
    "CASE WHEN {r}.scores IS NOT NULL AND {r}.conflict = 0 AND {r}.current = 1 THEN 1 ELSE 0 END"
)
# Scored, no conflict, but of an earlier version (issue 20: re-review).
STALE = (
    "CASE WHEN {r}.scores IS NOT NULL AND {r}.conflict = 0 AND {r}.current = 0 THEN 1 ELSE 0 END"
)
CONFLICTED = "CASE WHEN {r}.conflict = 1 THEN 1 ELSE 0 END"
DEAD = "CASE WHEN {r}.status IN ('withdrawn', 'disqualified') THEN 1 ELSE 0 END"
_NOT_DEAD = (
    "NOT EXISTS (SELECT 1 FROM rv_entries e WHERE e.submission_id = {r}.submission_id"
    " AND e.status IN ('withdrawn', 'disqualified'))"
)
# Counted reviews of ``r``'s (challenge, entry) now, by the unique (submission_id,
# reviewer_id) index: a few rows.
_NOW_COUNTED = (
    "(SELECT COUNT(*) FROM rv_reviews c WHERE c.submission_id = {r}.submission_id"
    " AND c.challenge_id = {r}.challenge_id AND c.scores IS NOT NULL AND c.conflict = 0"
    " AND c.current = 1)"
)


def _f(template: str, r: str) -> str:
    return template.format(r=r)


def _add(table: str, key: str, columns: tuple[str, ...], alias: str = "") -> str:
    target = alias or table
    sets = ", ".join(f"{c} = {target}.{c} + excluded.{c}" for c in columns)
    return f" ON CONFLICT ({key}) DO UPDATE SET {sets};"


_PROGRESS = ("done", "conflicts", "stale")


def _sqlite_review_progress(r: str, sign: str) -> str:
    """Add (sign '') or take away ('-') review ``r``'s share of its progress."""
    return (
        "INSERT INTO rv_progress (challenge_id, reviewer_id, done, conflicts, stale)"
        f" SELECT {r}.challenge_id, {r}.reviewer_id,"
        f" {sign}({_f(COUNTED, r)}), {sign}({_f(CONFLICTED, r)}), {sign}({_f(STALE, r)})"
        f" WHERE ({r}.scores IS NOT NULL OR {r}.conflict <> 0) AND {_f(_NOT_DEAD, r)}"
        + _add("rv_progress", "challenge_id, reviewer_id", _PROGRESS)
    )


def _sqlite_reviewed(r: str, before: str) -> str:
    """The change of "``r``'s (challenge, entry) has a counted review" made by one row
    change: ``before``, the pair's counted reviews before it, in terms of ``now``."""
    return (
        "INSERT INTO rv_counts (challenge_id, reviewed)"
        f" SELECT {r}.challenge_id, (now > 0) - ({before} > 0)"
        f" FROM (SELECT {_f(_NOW_COUNTED, r)} AS now) WHERE (now > 0) <> ({before} > 0)"
        + _add("rv_counts", "challenge_id", ("reviewed",))
    )


def _sqlite_entry_progress(r: str, sign: str) -> str:
    """Where entry ``r`` is dead, its reviews' shares given back (sign '') or taken
    away ('-'): an entry dying moves every counted review of it."""
    return (
        "INSERT INTO rv_progress (challenge_id, reviewer_id, done, conflicts, stale)"
        f" SELECT v.challenge_id, v.reviewer_id,"
        f" {sign}SUM({_f(COUNTED, 'v')}), {sign}SUM({_f(CONFLICTED, 'v')}),"
        f" {sign}SUM({_f(STALE, 'v')})"
        f" FROM rv_reviews v WHERE v.submission_id = {r}.submission_id"
        f" AND {r}.status IN ('withdrawn', 'disqualified')"
        " GROUP BY v.challenge_id, v.reviewer_id"
        + _add("rv_progress", "challenge_id, reviewer_id", _PROGRESS)
    )


def _sqlite_live(r: str, sign: str) -> str:
    return (
        "INSERT INTO rv_counts (challenge_id, live)"
        f" VALUES ({r}.challenge_id, {sign}(1 - {_f(DEAD, r)}))"
        + _add("rv_counts", "challenge_id", ("live",))
    )


_ADD_ASSIGNED = (
    " ON CONFLICT (challenge_id, reviewer_id) DO UPDATE SET"
    " assigned = rv_assigned_counts.assigned + excluded.assigned;"
)


def _sqlite_assigned(r: str, sign: str) -> str:
    """Assigned row ``r`` counted (sign '') or no longer ('-'), where its entry is live;
    a count that reaches zero leaves no row."""
    return (
        "INSERT INTO rv_assigned_counts (challenge_id, reviewer_id, assigned)"
        f" SELECT {r}.challenge_id, {r}.reviewer_id, {sign}1 WHERE {_f(_NOT_DEAD, r)}"
        + _ADD_ASSIGNED
        + " DELETE FROM rv_assigned_counts WHERE challenge_id = "
        f"{r}.challenge_id AND reviewer_id = {r}.reviewer_id AND assigned = 0;"
    )


def _sqlite_entry_assigned(r: str, sign: str) -> str:
    """Where entry ``r`` is dead, its assigned rows counted again (sign '') or no
    longer ('-')."""
    return (
        "INSERT INTO rv_assigned_counts (challenge_id, reviewer_id, assigned)"
        f" SELECT a.challenge_id, a.reviewer_id, {sign}COUNT(*) FROM rv_assigned a"
        f" WHERE a.submission_id = {r}.submission_id"
        f" AND {r}.status IN ('withdrawn', 'disqualified')"
        " GROUP BY a.challenge_id, a.reviewer_id" + _ADD_ASSIGNED
    )


# An entry's dying or living again changes only its own challenge's counts.
_ZERO_ASSIGNED = (
    "DELETE FROM rv_assigned_counts WHERE challenge_id = {r}.challenge_id AND assigned = 0;"
)

_SAME_ENTRY = "old.challenge_id = new.challenge_id AND old.submission_id = new.submission_id"
SQLITE_DDL = (
    "CREATE TRIGGER IF NOT EXISTS rv_reviews_counted_insert AFTER INSERT ON rv_reviews BEGIN "
    + _sqlite_review_progress("new", "")
    + _sqlite_reviewed("new", f"now - {_f(COUNTED, 'new')}")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_reviews_counted_update AFTER UPDATE OF"
    " challenge_id, submission_id, reviewer_id, scores, conflict, current ON rv_reviews BEGIN "
    + _sqlite_review_progress("old", "-")
    + _sqlite_review_progress("new", "")
    # The new row's entry had its counted reviews now less the new row, plus the old row
    # if it was of the same entry; the old row's entry, if another, now plus the old row.
    + _sqlite_reviewed(
        "new",
        f"now - {_f(COUNTED, 'new')}"
        f" + CASE WHEN {_SAME_ENTRY} THEN {_f(COUNTED, 'old')} ELSE 0 END",
    )
    + _sqlite_reviewed("old", f"now + CASE WHEN {_SAME_ENTRY} THEN 0 ELSE {_f(COUNTED, 'old')} END")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_reviews_counted_delete AFTER DELETE ON rv_reviews BEGIN "
    + _sqlite_review_progress("old", "-")
    + _sqlite_reviewed("old", f"now + {_f(COUNTED, 'old')}")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_entries_counted_insert AFTER INSERT ON rv_entries BEGIN "
    + _sqlite_live("new", "")
    + " END",
    # An entry written dead (submitted and withdrawn in one batch) after its reviews.
    "CREATE TRIGGER IF NOT EXISTS rv_entries_counted_insert_dead AFTER INSERT ON rv_entries"
    f" WHEN {_f(DEAD, 'new')} = 1 BEGIN " + _sqlite_entry_progress("new", "-") + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_entries_counted_update AFTER UPDATE OF"
    " challenge_id, submission_id, status ON rv_entries BEGIN "
    + _sqlite_live("old", "-")
    + _sqlite_entry_progress("old", "")
    + _sqlite_live("new", "")
    + _sqlite_entry_progress("new", "-")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_entries_counted_delete AFTER DELETE ON rv_entries BEGIN "
    + _sqlite_live("old", "-")
    + _sqlite_entry_progress("old", "")
    + " END",
    # Assigned entries per reviewer (rv_assigned_counts): rows of rv_assigned are only
    # inserted and deleted; an entry's status moves its assigned rows in or out.
    "CREATE TRIGGER IF NOT EXISTS rv_assigned_counted_insert AFTER INSERT ON rv_assigned BEGIN "
    + _sqlite_assigned("new", "")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_assigned_counted_delete AFTER DELETE ON rv_assigned BEGIN "
    + _sqlite_assigned("old", "-")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_entries_assigned_counted_insert_dead AFTER INSERT ON"
    f" rv_entries WHEN {_f(DEAD, 'new')} = 1 BEGIN "
    + _sqlite_entry_assigned("new", "-")
    + _f(_ZERO_ASSIGNED, "new")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_entries_assigned_counted_update AFTER UPDATE OF"
    " challenge_id, submission_id, status ON rv_entries BEGIN "
    + _sqlite_entry_assigned("old", "")
    + _sqlite_entry_assigned("new", "-")
    + _f(_ZERO_ASSIGNED, "old")
    + _f(_ZERO_ASSIGNED, "new")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS rv_entries_assigned_counted_delete AFTER DELETE ON rv_entries"
    " BEGIN " + _sqlite_entry_assigned("old", "") + " END",
)

# PostgreSQL: per statement, the changed rows at once.  ``changes`` are the rows'
# versions with a sign: +1 for new rows, -1 for old ones (an update: only rows whose
# counted columns changed, both versions).
_REVIEW_COLUMNS = "challenge_id, reviewer_id, submission_id, counted, conflicted, stale, sign"


def _review_version(r: str, sign: int) -> str:
    return (
        f"{r}.challenge_id, {r}.reviewer_id, {r}.submission_id,"
        f" {_f(COUNTED, r)}, {_f(CONFLICTED, r)}, {_f(STALE, r)}, {sign}"
    )


_REVIEW_CHANGES = {
    "INSERT": f"SELECT {_review_version('n', 1)} FROM new_rows n"
    " WHERE n.scores IS NOT NULL OR n.conflict <> 0",
    "DELETE": f"SELECT {_review_version('o', -1)} FROM old_rows o"
    " WHERE o.scores IS NOT NULL OR o.conflict <> 0",
    "UPDATE": (
        "SELECT x.* FROM new_rows n JOIN old_rows o ON o.review_id = n.review_id"
        f" CROSS JOIN LATERAL (VALUES ({_review_version('n', 1)}),"
        f" ({_review_version('o', -1)})) AS x ({_REVIEW_COLUMNS})"
        " WHERE (n.challenge_id, n.reviewer_id, n.submission_id,"
        f" {_f(COUNTED, 'n')}, {_f(CONFLICTED, 'n')}, {_f(STALE, 'n')})"
        " IS DISTINCT FROM (o.challenge_id, o.reviewer_id, o.submission_id,"
        f" {_f(COUNTED, 'o')}, {_f(CONFLICTED, 'o')}, {_f(STALE, 'o')})"
    ),
}


def _pg_reviews(changes: str) -> str:
    progress = (
        f"WITH ch ({_REVIEW_COLUMNS}) AS ({changes}) "
        "INSERT INTO rv_progress AS t (challenge_id, reviewer_id, done, conflicts, stale)"
        " SELECT challenge_id, reviewer_id, SUM(sign * counted), SUM(sign * conflicted),"
        " SUM(sign * stale)"
        f" FROM ch WHERE {_f(_NOT_DEAD, 'ch')}"
        " GROUP BY challenge_id, reviewer_id"
        " HAVING SUM(sign * counted) <> 0 OR SUM(sign * conflicted) <> 0"
        " OR SUM(sign * stale) <> 0"
        + _add("rv_progress", "challenge_id, reviewer_id", _PROGRESS, "t")
    )
    # Per (challenge, entry): k, the statement's change of its counted reviews; before
    # the statement it had now - k.
    reviewed = (
        f"WITH ch ({_REVIEW_COLUMNS}) AS ({changes}),"
        " k AS (SELECT challenge_id, submission_id, SUM(sign * counted) AS k FROM ch"
        " GROUP BY challenge_id, submission_id HAVING SUM(sign * counted) <> 0),"
        f" d AS (SELECT k.challenge_id, k.k, {_f(_NOW_COUNTED, 'k')} AS now FROM k) "
        "INSERT INTO rv_counts AS t (challenge_id, reviewed)"
        " SELECT challenge_id, SUM(CASE WHEN now > 0 THEN 1 ELSE 0 END"
        " - CASE WHEN now - k > 0 THEN 1 ELSE 0 END) FROM d GROUP BY challenge_id"
        " HAVING SUM(CASE WHEN now > 0 THEN 1 ELSE 0 END"
        " - CASE WHEN now - k > 0 THEN 1 ELSE 0 END) <> 0"
        + _add("rv_counts", "challenge_id", ("reviewed",), "t")
    )
    return f"{progress} {reviewed}"


_ENTRY_COLUMNS = "challenge_id, submission_id, dead, sign"
_ENTRY_CHANGES = {
    "INSERT": f"SELECT n.challenge_id, n.submission_id, {_f(DEAD, 'n')}, 1 FROM new_rows n",
    "DELETE": f"SELECT o.challenge_id, o.submission_id, {_f(DEAD, 'o')}, -1 FROM old_rows o",
    "UPDATE": (
        "SELECT x.* FROM new_rows n JOIN old_rows o ON o.submission_id = n.submission_id"
        f" CROSS JOIN LATERAL (VALUES (n.challenge_id, n.submission_id, {_f(DEAD, 'n')}, 1),"
        f" (o.challenge_id, o.submission_id, {_f(DEAD, 'o')}, -1)) AS x ({_ENTRY_COLUMNS})"
        f" WHERE (n.challenge_id, {_f(DEAD, 'n')}) IS DISTINCT FROM"
        f" (o.challenge_id, {_f(DEAD, 'o')})"
    ),
}


def _pg_entries(changes: str) -> str:
    live = (
        f"WITH ch ({_ENTRY_COLUMNS}) AS ({changes}) "
        "INSERT INTO rv_counts AS t (challenge_id, live)"
        " SELECT challenge_id, SUM(sign * (1 - dead)) FROM ch GROUP BY challenge_id"
        " HAVING SUM(sign * (1 - dead)) <> 0" + _add("rv_counts", "challenge_id", ("live",), "t")
    )
    # A dead entry's version takes its reviews' shares away (new) or gives them back (old).
    progress = (
        f"WITH ch ({_ENTRY_COLUMNS}) AS ({changes}) "
        "INSERT INTO rv_progress AS t (challenge_id, reviewer_id, done, conflicts, stale)"
        f" SELECT v.challenge_id, v.reviewer_id, SUM(-ch.sign * ({_f(COUNTED, 'v')})),"
        f" SUM(-ch.sign * ({_f(CONFLICTED, 'v')})), SUM(-ch.sign * ({_f(STALE, 'v')}))"
        " FROM ch JOIN rv_reviews v ON v.submission_id = ch.submission_id WHERE ch.dead = 1"
        " GROUP BY v.challenge_id, v.reviewer_id"
        f" HAVING SUM(-ch.sign * ({_f(COUNTED, 'v')})) <> 0"
        f" OR SUM(-ch.sign * ({_f(CONFLICTED, 'v')})) <> 0"
        f" OR SUM(-ch.sign * ({_f(STALE, 'v')})) <> 0"
        + _add("rv_progress", "challenge_id, reviewer_id", _PROGRESS, "t")
    )
    # A dead entry's version takes its assigned rows out of the counts (new) or puts
    # them back (old); counts that reach zero leave no row.
    assigned = (
        f"WITH ch ({_ENTRY_COLUMNS}) AS ({changes}) "
        "INSERT INTO rv_assigned_counts AS t (challenge_id, reviewer_id, assigned)"
        " SELECT a.challenge_id, a.reviewer_id, SUM(-ch.sign)"
        " FROM ch JOIN rv_assigned a ON a.submission_id = ch.submission_id WHERE ch.dead = 1"
        " GROUP BY a.challenge_id, a.reviewer_id HAVING SUM(-ch.sign) <> 0"
        " ON CONFLICT (challenge_id, reviewer_id) DO UPDATE SET"
        " assigned = t.assigned + excluded.assigned;"
        " DELETE FROM rv_assigned_counts WHERE assigned = 0;"
    )
    return f"{live} {progress} {assigned}"


_ASSIGNED_COLUMNS = "challenge_id, reviewer_id, submission_id, sign"
_ASSIGNED_CHANGES = {
    "INSERT": "SELECT n.challenge_id, n.reviewer_id, n.submission_id, 1 FROM new_rows n",
    "DELETE": "SELECT o.challenge_id, o.reviewer_id, o.submission_id, -1 FROM old_rows o",
    "UPDATE": "SELECT n.challenge_id, n.reviewer_id, n.submission_id, 1 FROM new_rows n"
    " UNION ALL SELECT o.challenge_id, o.reviewer_id, o.submission_id, -1 FROM old_rows o",
}


def _pg_assigned(changes: str) -> str:
    return (
        f"WITH ch ({_ASSIGNED_COLUMNS}) AS ({changes}) "
        "INSERT INTO rv_assigned_counts AS t (challenge_id, reviewer_id, assigned)"
        f" SELECT challenge_id, reviewer_id, SUM(sign) FROM ch WHERE {_f(_NOT_DEAD, 'ch')}"
        " GROUP BY challenge_id, reviewer_id HAVING SUM(sign) <> 0"
        " ON CONFLICT (challenge_id, reviewer_id) DO UPDATE SET"
        " assigned = t.assigned + excluded.assigned;"
        " DELETE FROM rv_assigned_counts WHERE assigned = 0;"
    )


def _pg_function(apply: Callable[[str], str], changes: dict[str, str]) -> str:
    return (
        f"BEGIN IF TG_OP = 'INSERT' THEN {apply(changes['INSERT'])}"
        f" ELSIF TG_OP = 'UPDATE' THEN {apply(changes['UPDATE'])}"
        f" ELSE {apply(changes['DELETE'])} END IF; RETURN NULL; END"
    )


POSTGRES_DDL = (
    pg_function("rv_count_reviews", _pg_function(_pg_reviews, _REVIEW_CHANGES)),
    *pg_counted_triggers("rv_reviews", "rv_count_reviews"),
    pg_function("rv_count_entries", _pg_function(_pg_entries, _ENTRY_CHANGES)),
    *pg_counted_triggers("rv_entries", "rv_count_entries"),
    pg_function("rv_count_assigned", _pg_function(_pg_assigned, _ASSIGNED_CHANGES)),
    *pg_counted_triggers("rv_assigned", "rv_count_assigned"),
)


# The progress counted from the rows at once: what the triggers keep, for a rebuild
# that ran without them (``Projection.recount``).  A (challenge, reviewer) with a scored
# or conflicted review gets a row (zero where its entries are dead); a challenge with an
# entry or a counted review gets one.
POSTGRES_RECOUNT = (
    "DELETE FROM rv_progress",
    "INSERT INTO rv_progress (challenge_id, reviewer_id, done, conflicts, stale)"
    f" SELECT v.challenge_id, v.reviewer_id,"
    f" SUM(CASE WHEN {_f(_NOT_DEAD, 'v')} THEN {_f(COUNTED, 'v')} ELSE 0 END),"
    f" SUM(CASE WHEN {_f(_NOT_DEAD, 'v')} THEN {_f(CONFLICTED, 'v')} ELSE 0 END),"
    f" SUM(CASE WHEN {_f(_NOT_DEAD, 'v')} THEN {_f(STALE, 'v')} ELSE 0 END)"
    " FROM rv_reviews v WHERE v.scores IS NOT NULL OR v.conflict <> 0"
    " GROUP BY v.challenge_id, v.reviewer_id",
    "DELETE FROM rv_counts",
    "INSERT INTO rv_counts (challenge_id, live, reviewed)"
    " SELECT challenge_id, SUM(live), SUM(reviewed) FROM ("
    f" SELECT e.challenge_id, 1 - {_f(DEAD, 'e')}, 0 FROM rv_entries e"
    " UNION ALL SELECT c.challenge_id, 0, COUNT(DISTINCT c.submission_id) FROM rv_reviews c"
    " WHERE c.scores IS NOT NULL AND c.conflict = 0 AND c.current = 1"
    " GROUP BY c.challenge_id"
    ") AS n (challenge_id, live, reviewed) GROUP BY challenge_id",
    "DELETE FROM rv_assigned_counts",
    "INSERT INTO rv_assigned_counts (challenge_id, reviewer_id, assigned)"
    " SELECT a.challenge_id, a.reviewer_id, COUNT(*) FROM rv_assigned a"
    f" WHERE {_f(_NOT_DEAD, 'a')} GROUP BY a.challenge_id, a.reviewer_id",
)


def entry_key(challenge_id: UUID | str, submission_id: UUID | str) -> str:
    """One per entry (issue 21), not per solver: keyed by a solver, one author's
    entries shared a pseudonym and could be linked by those who judge them.  A hash,
    so the key is not the entry's id either."""
    return hashlib.sha256(f"pseudonym:{challenge_id}:{submission_id}".encode()).hexdigest()


def _spec(spec: ChallengeSpec) -> dict[str, str]:
    return {
        "title": spec.title,
        "criteria": to_json(spec.criteria),
        "review_ends_at": iso(spec.review_ends_at),
    }


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


def _challenge(db: Writes, item: Item, **values: object) -> None:
    update(db, "rv_challenges", {"challenge_id": str(item.originator_id)}, values)


def on_drafted(db: Writes, item: Item) -> None:
    row = {"challenge_id": str(item.originator_id), "status": "draft", **_spec(item.event.spec)}
    insert(db, "rv_challenges", row)


def on_spec(db: Writes, item: Item) -> None:
    _challenge(db, item, **_spec(item.event.spec))


# Each published challenge's criteria, as rv_challenges holds them, by challenge id:
# what a review's weighted total is computed from, in Python, where the handler can
# tell the review's challenge (see ``on_scores``).  A cache of facts of the log, not
# state: criteria are frozen at publication (no later event changes them), so the
# entry is the same whichever run of the projection put it here; one per challenge.
# Where it has no entry (a runner started after the publication), SQL computes it.
PUBLISHED_CRITERIA: dict[str, list[dict[str, Any]]] = {}
# The same for later review rounds (issue 20), by (challenge id, round).
PUBLISHED_ROUND_CRITERIA: dict[tuple[str, int], list[dict[str, Any]]] = {}


def on_published(db: Writes, item: Item) -> None:
    published = item.event.terms.spec
    spec = _spec(published)
    cid = str(item.originator_id)
    PUBLISHED_CRITERIA[cid] = from_json(spec["criteria"])
    later = [from_json(to_json(r.criteria)) for r in published.later_rounds or ()]
    for n, criteria in enumerate(later, start=2):
        PUBLISHED_ROUND_CRITERIA[(cid, n)] = criteria
    _challenge(db, item, status="published", rounds_criteria=to_json(later), **spec)


def on_round_advanced(db: Writes, item: Item) -> None:
    d = _data(item)
    cid = str(item.originator_id)
    following = int(d["round"]) + 1
    _challenge(db, item, current_round=following)
    for sid in d["submission_ids"]:
        upsert(
            db, "rv_round_entries", {"challenge_id": cid, "round": following, "submission_id": sid}
        )


def on_deadline_extended(db: Writes, item: Item) -> None:
    _challenge(db, item, review_ends_at=iso_text(_data(item)["review_ends_at"]))


def on_awarded_winners(db: Writes, item: Item) -> None:
    _challenge(db, item, status="awarded")


def on_cancelled(db: Writes, item: Item) -> None:
    _challenge(db, item, status="cancelled")


def on_revealed(db: Writes, item: Item) -> None:
    _challenge(db, item, revealed=1)


def on_reviewer_invited(db: Writes, item: Item) -> None:
    row = {
        "challenge_id": str(item.originator_id),
        "reviewer_id": _data(item)["reviewer_id"],
        "accepted": 0,
        "round": _data(item).get("round") or 1,
    }
    upsert(db, "rv_reviewers", row)


def on_reviewer_accepted(db: Writes, item: Item) -> None:
    row = {
        "challenge_id": str(item.originator_id),
        "reviewer_id": _data(item)["actor_id"],
        "accepted": 1,
    }
    upsert(db, "rv_reviewers", row)


PSEUDONYM = (
    "INSERT INTO rv_pseudonyms (challenge_id, entry_key, number) "
    "SELECT ?, ?, COALESCE(MAX(number), 0) + 1 FROM rv_pseudonyms WHERE challenge_id = ? "
    "ON CONFLICT (challenge_id, entry_key) DO NOTHING"
)
# PSEUDONYM for a batch's submissions at once (PostgreSQL): each entry new to its
# challenge, in order of submission in the batch, numbered on from the
# challenge's highest number, as the statements one after another number them.
# (Window functions run after WHERE, so entries already numbered are not counted.)
# Each challenge's highest number is read once, in ``base``, below the sort the
# window needs, so every probe runs before the first row is inserted: probed per row
# while inserting, the backward index scan stepped over the rows this statement had
# already inserted (invisible to it), 1,000 heap fetches a row on average for 2,000 new
# entrants of one challenge, quadratic in a batch (measured: 64 of a 500,000-submission
# rebuild's 100 s of writes).
PSEUDONYMS = (
    "WITH v AS (SELECT u.challenge_id, u.entry_key, MIN(u.n) AS first"
    " FROM unnest(?::text[], ?::text[], ?::text[])"
    " WITH ORDINALITY AS u (challenge_id, entry_key, same_challenge_id, n)"
    " GROUP BY u.challenge_id, u.entry_key),"
    " fresh AS (SELECT v.challenge_id, v.entry_key, v.first FROM v"
    " WHERE NOT EXISTS (SELECT 1 FROM rv_pseudonyms p"
    " WHERE p.challenge_id = v.challenge_id AND p.entry_key = v.entry_key)),"
    " base AS MATERIALIZED (SELECT c.challenge_id,"
    " COALESCE((SELECT MAX(p.number) FROM rv_pseudonyms p"
    " WHERE p.challenge_id = c.challenge_id), 0) AS top"
    " FROM (SELECT DISTINCT challenge_id FROM fresh) c) "
    "INSERT INTO rv_pseudonyms (challenge_id, entry_key, number) "
    "SELECT f.challenge_id, f.entry_key,"
    " b.top + ROW_NUMBER() OVER (PARTITION BY f.challenge_id ORDER BY f.first) "
    "FROM fresh f JOIN base b ON b.challenge_id = f.challenge_id "
    "ON CONFLICT (challenge_id, entry_key) DO NOTHING"
)


def on_submitted(db: Writes, item: Item) -> None:
    d = _data(item)
    challenge_id = d["challenge_id"]
    content = d["content"]
    key = entry_key(challenge_id, item.originator_id)
    # Numbered in SQL at the end of the batch, in log order (nothing else writes here).
    db.execute(PSEUDONYM, (challenge_id, key, challenge_id), many=PSEUDONYMS)
    insert(
        db,
        "rv_entries",
        {
            "submission_id": str(item.originator_id),
            "challenge_id": challenge_id,
            "entry_key": key,
            "title": content["title"],
            "summary": content["summary"],
            "version": 1,
            "content_sha256": d["content_sha256"],
            "status": "submitted",
            "shortlisted": 0,
            "submitted_at": iso_text(d["timestamp"]),
        },
    )


def _entry(db: Writes, item: Item, **values: object) -> None:
    update(db, "rv_entries", {"submission_id": str(item.originator_id)}, values)


# Whether each review of an entry is of its current version (``rv_reviews.current``,
# queries.CURRENT in a column): recomputed at the end of a batch that scores one of
# its reviews or revises it, from the rows as the batch leaves them (so the order of
# the batch's events does not matter); only rows whose value changes are written.
_CURRENT_VALUE = (
    "CASE WHEN COALESCE(rv_reviews.scored_version, 1) = (SELECT e.version FROM rv_entries e"
    " WHERE e.submission_id = rv_reviews.submission_id) THEN 1 ELSE 0 END"
)
CURRENT_OF_ENTRY = (
    f"UPDATE rv_reviews SET current = {_CURRENT_VALUE}"
    f" WHERE submission_id = ? AND current <> {_CURRENT_VALUE}"
)
CURRENT_OF_ENTRIES = CURRENT_OF_ENTRY.replace(
    "WHERE submission_id = ?", "WHERE submission_id = ANY(?::text[])"
)
CURRENT_OF_REVIEW = (
    f"UPDATE rv_reviews SET current = {_CURRENT_VALUE}"
    f" WHERE review_id = ? AND current <> {_CURRENT_VALUE}"
)
CURRENT_OF_REVIEWS = CURRENT_OF_REVIEW.replace(
    "WHERE review_id = ?", "WHERE review_id = ANY(?::text[])"
)


def on_revised(db: Writes, item: Item) -> None:
    d = _data(item)
    submission_id = str(item.originator_id)
    db.merge(CURRENT_OF_ENTRY, submission_id, (submission_id,), None, many=CURRENT_OF_ENTRIES)
    _entry(
        db,
        item,
        title=d["content"]["title"],
        summary=d["content"]["summary"],
        version=d["version"],
        content_sha256=d["content_sha256"],
    )


def on_withdrawn(db: Writes, item: Item) -> None:
    _entry(db, item, status="withdrawn")


def on_disqualified(db: Writes, item: Item) -> None:
    _entry(db, item, status="disqualified")


def on_reinstated(db: Writes, item: Item) -> None:
    # An appeal of the disqualification upheld (issue 24): live again (awarded again
    # where it still holds its place).
    place = _data(item).get("award_place")
    _entry(db, item, status="awarded" if place is not None else "submitted")


def on_award_revoked(db: Writes, item: Item) -> None:
    # Re-awarded (issue 24): the entry's status after, as the event states it.
    _entry(db, item, status=_data(item)["status"])


def on_shortlisted(db: Writes, item: Item) -> None:
    _entry(db, item, shortlisted=1)


def on_submission_awarded(db: Writes, item: Item) -> None:
    _entry(db, item, status="awarded")


def on_review_started(db: Writes, item: Item) -> None:
    d = _data(item)
    insert(
        db,
        "rv_reviews",
        {
            "review_id": str(item.originator_id),
            "challenge_id": d["challenge_id"],
            "submission_id": d["submission_id"],
            "reviewer_id": d["actor_id"],
            "round": d.get("round") or 1,
        },
    )


REVISED = event_name(get_topic(Review.ScoresRevised))

# A review's weighted total from its stored scores and its challenge's criteria,
# the arithmetic of ``scoring.weighted_total`` in the same order (criteria in their
# order, weight x (score - min) / (max - min), rounded to 6 places).  Criteria are
# frozen once a challenge is published and no review exists before that, so a
# total never needs recomputing for a change of criteria.
TOTAL = {
    "sqlite": (
        "UPDATE rv_reviews SET total = (SELECT ROUND(SUM("
        " json_extract(c.value, '$.weight') * ((SELECT CAST(s.value AS REAL)"
        " FROM json_each(rv_reviews.scores) s"
        " WHERE s.key = json_extract(c.value, '$.name'))"
        " - json_extract(c.value, '$.min_score'))"
        " / (CAST(json_extract(c.value, '$.max_score') AS REAL)"
        " - json_extract(c.value, '$.min_score'))), 6)"
        " FROM rv_challenges ch, json_each(CASE WHEN rv_reviews.round <= 1 THEN ch.criteria"
        " ELSE json_extract(ch.rounds_criteria, '$[' || (rv_reviews.round - 2) || ']') END) c"
        " WHERE ch.challenge_id = rv_reviews.challenge_id) "
        "WHERE review_id = ?"
    ),
    "postgres": (
        "UPDATE rv_reviews r SET total = (SELECT CAST(ROUND(CAST(SUM("
        " CAST(c.value ->> 'weight' AS DOUBLE PRECISION)"
        " * (CAST(CAST(r.scores AS JSONB) ->> (c.value ->> 'name') AS DOUBLE PRECISION)"
        " - CAST(c.value ->> 'min_score' AS DOUBLE PRECISION))"
        " / (CAST(c.value ->> 'max_score' AS DOUBLE PRECISION)"
        " - CAST(c.value ->> 'min_score' AS DOUBLE PRECISION))) AS NUMERIC), 6)"
        " AS DOUBLE PRECISION)"
        " FROM rv_challenges ch, jsonb_array_elements(CASE WHEN r.round <= 1"
        " THEN CAST(ch.criteria AS JSONB)"
        " ELSE CAST(ch.rounds_criteria AS JSONB) -> (r.round - 2) END)"
        " WITH ORDINALITY AS c(value, n)"
        " WHERE ch.challenge_id = r.challenge_id) "
        "WHERE r.review_id = ?"
    ),
}
# The same for a batch's reviews at once (PostgreSQL; one statement, not one per
# review: the per-review statement doubled the reviewers' rebuild time).
TOTALS = TOTAL["postgres"].replace("WHERE r.review_id = ?", "WHERE r.review_id = ANY(?::text[])")


def on_scores(db: Writes, item: Item) -> None:
    d = _data(item)
    where = {"review_id": str(item.originator_id)}
    # Scores are decimals stored as strings: the JSON is the same as typed decoding's.
    values = {
        "scores": to_json(d["scores"]),
        "comment": d["comment"],
        "scored_at": iso_text(d["timestamp"]),
        # Absent from reviews recorded before versions were bound.
        "scored_version": d.get("version"),
        "scored_sha256": d.get("content_sha256"),
    }
    # The total needs the challenge's criteria.  Where the review started in this
    # batch (its row is pending here, as when a review is started and scored at once)
    # and the challenge's criteria are known, Python computes it now; otherwise SQL
    # does at the end of the batch (a handler cannot read the database: it describes
    # changes), from the review's final scores, so either way gives the same total
    # (tests/projections/test_set_based_writes.py).
    started = db.pending_row("rv_reviews", where)
    criteria = None
    if started is not None:
        round_number = int(started.get("round") or 1)
        criteria = (
            PUBLISHED_CRITERIA.get(started["challenge_id"])
            if round_number <= 1
            else PUBLISHED_ROUND_CRITERIA.get((started["challenge_id"], round_number))
        )
    if criteria is not None:
        values["total"] = weighted_total(criteria, d["scores"])
    else:
        db.merge(TOTAL[db.db.dialect], where["review_id"], (where["review_id"],), None, many=TOTALS)
    db.update("rv_reviews", where, values)
    review_id = where["review_id"]
    db.merge(CURRENT_OF_REVIEW, review_id, (review_id,), None, many=CURRENT_OF_REVIEWS)
    if event_name(item.topic) == REVISED:
        db.add("rv_reviews", where, "revisions", 1)


# Assignment (decision 0023): statements, not rows, so that an entry assigned and
# taken away in one batch ends as the log left it (statements run in log order).
ASSIGN = (
    "INSERT INTO rv_assigned (challenge_id, reviewer_id, submission_id) VALUES (?, ?, ?)"
    " ON CONFLICT DO NOTHING"
)
ASSIGN_MANY = (
    "INSERT INTO rv_assigned (challenge_id, reviewer_id, submission_id)"
    " SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ON CONFLICT DO NOTHING"
)
UNASSIGN = (
    "DELETE FROM rv_assigned WHERE challenge_id = ? AND reviewer_id = ? AND submission_id = ?"
)
UNASSIGN_MANY = (
    "DELETE FROM rv_assigned a USING unnest(?::text[], ?::text[], ?::text[])"
    " AS u (challenge_id, reviewer_id, submission_id)"
    " WHERE a.challenge_id = u.challenge_id AND a.reviewer_id = u.reviewer_id"
    " AND a.submission_id = u.submission_id"
)


def on_reviewers_assigned(db: Writes, item: Item) -> None:
    _challenge(db, item, assignment_k=_data(item)["k"])


def on_entries_assigned(db: Writes, item: Item) -> None:
    d = _data(item)
    for sid in d["submission_ids"]:
        db.execute(ASSIGN, (d["challenge_id"], d["reviewer_id"], sid), many=ASSIGN_MANY)


def on_entries_unassigned(db: Writes, item: Item) -> None:
    d = _data(item)
    for sid in d["submission_ids"]:
        db.execute(UNASSIGN, (d["challenge_id"], d["reviewer_id"], sid), many=UNASSIGN_MANY)


def on_reviewer_released(db: Writes, item: Item) -> None:
    d = _data(item)
    row = {
        "challenge_id": d["challenge_id"],
        "reviewer_id": d["reviewer_id"],
        "reason": d["reason"],
    }
    upsert(db, "rv_released", row)


def on_conflict(db: Writes, item: Item) -> None:
    update(db, "rv_reviews", {"review_id": str(item.originator_id)}, {"conflict": 1})


PROJECTION = Projection(
    name="reviewers",
    tables=TABLES,
    ddl=DDL,
    dialect_ddl={"postgres": POSTGRES_DDL, "sqlite": SQLITE_DDL},
    recount={"postgres": POSTGRES_RECOUNT},
    handlers={
        Challenge.Drafted: on_drafted,
        Challenge.DraftEdited: on_spec,
        Challenge.Published: on_published,
    },
    plain={
        Submission.Reinstated: on_reinstated,
        Submission.AwardRevoked: on_award_revoked,
        Challenge.DeadlineExtended: on_deadline_extended,
        Challenge.ReviewerInvited: on_reviewer_invited,
        Challenge.ReviewerAccepted: on_reviewer_accepted,
        Submission.Submitted: on_submitted,
        Submission.Revised: on_revised,
        Review.Started: on_review_started,
        Review.ScoresRecorded: on_scores,
        Review.ScoresRevised: on_scores,
        Challenge.ReviewersAssigned: on_reviewers_assigned,
        Challenge.RoundAdvanced: on_round_advanced,
        ReviewAssignment.EntriesAssigned: on_entries_assigned,
        ReviewAssignment.EntriesUnassigned: on_entries_unassigned,
        ReviewAssignment.Released: on_reviewer_released,
    },
    envelope={
        Challenge.WinnersAwarded: on_awarded_winners,
        Challenge.Cancelled: on_cancelled,
        Challenge.IdentitiesRevealed: on_revealed,
        Submission.Withdrawn: on_withdrawn,
        Submission.Disqualified: on_disqualified,
        Submission.Shortlisted: on_shortlisted,
        Submission.Awarded: on_submission_awarded,
        Review.ConflictDeclared: on_conflict,
    },
)
