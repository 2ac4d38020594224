"""Tables and event handlers of the reviewers' read model.

Blind by construction: no row here holds a solver's account id, name or email.
Each solver gets a per-challenge number (in order of first entry) keyed by a
one-way hash of challenge and solver; identities appear only in the queries,
joined from the participants' tables, after ``Challenge.IdentitiesRevealed``."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from openinno.domain import Challenge, Review, Submission
from openinno.domain.values import ChallengeSpec
from projections.projection import Item, Projection
from projections.reviewers.scoring import weighted_total
from projections.sql import insert, update, upsert
from projections.values import event_name, from_json, iso, iso_text, to_json
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS rv_challenges ("
    " challenge_id TEXT PRIMARY KEY, title TEXT NOT NULL, criteria TEXT NOT NULL,"
    " review_ends_at TEXT NOT NULL, status TEXT NOT NULL,"
    " revealed INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS rv_reviewers ("
    " challenge_id TEXT NOT NULL, reviewer_id TEXT NOT NULL, accepted INTEGER NOT NULL,"
    " PRIMARY KEY (challenge_id, reviewer_id))",
    "CREATE TABLE IF NOT EXISTS rv_pseudonyms ("
    " challenge_id TEXT NOT NULL, solver_key TEXT NOT NULL, number INTEGER NOT NULL,"
    " PRIMARY KEY (challenge_id, solver_key),"
    # Numbers are unique per challenge by construction; the constraint's index (built
    # with the table, so also during a rebuild) makes PSEUDONYM's MAX(number) one index
    # probe instead of a scan of the challenge's solvers for every submission.
    " UNIQUE (challenge_id, number))",
    "CREATE TABLE IF NOT EXISTS rv_entries ("
    " submission_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, solver_key TEXT NOT NULL,"
    " title TEXT NOT NULL, summary TEXT NOT NULL, version INTEGER NOT NULL,"
    " content_sha256 TEXT NOT NULL, status TEXT NOT NULL, shortlisted INTEGER NOT NULL,"
    " submitted_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rv_entries_challenge ON rv_entries (challenge_id)",
    # The queue pages through a challenge in pseudonym order: each entrant's number,
    # then that entrant's entries by this index.
    "CREATE INDEX IF NOT EXISTS rv_entries_entrant ON rv_entries (challenge_id, solver_key)",
    "CREATE TABLE IF NOT EXISTS rv_reviews ("
    " review_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, submission_id TEXT NOT NULL,"
    " reviewer_id TEXT NOT NULL, scores TEXT, comment TEXT NOT NULL DEFAULT '',"
    " conflict INTEGER NOT NULL DEFAULT 0, scored_at TEXT,"
    " revisions INTEGER NOT NULL DEFAULT 0,"
    # The review's weighted total (scoring.weighted_total), set with the scores: the
    # ranking's z-scores and order are computed in SQL from it.
    " total DOUBLE PRECISION)",
    "CREATE INDEX IF NOT EXISTS rv_reviews_challenge ON rv_reviews (challenge_id)",
    # The queue joins each entry to my review of it.
    "CREATE INDEX IF NOT EXISTS rv_reviews_entry ON rv_reviews (submission_id, reviewer_id)",
)

TABLES = ("rv_challenges", "rv_reviewers", "rv_pseudonyms", "rv_entries", "rv_reviews")


def solver_key(challenge_id: UUID | str, solver_id: UUID | str) -> str:
    """Stable within a challenge, unlinkable across challenges, not the account id."""
    return hashlib.sha256(f"pseudonym:{challenge_id}:{solver_id}".encode()).hexdigest()


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


def on_published(db: Writes, item: Item) -> None:
    spec = _spec(item.event.terms.spec)
    PUBLISHED_CRITERIA[str(item.originator_id)] = from_json(spec["criteria"])
    _challenge(db, item, status="published", **spec)


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
    "INSERT INTO rv_pseudonyms (challenge_id, solver_key, number) "
    "SELECT ?, ?, COALESCE(MAX(number), 0) + 1 FROM rv_pseudonyms WHERE challenge_id = ? "
    "ON CONFLICT (challenge_id, solver_key) DO NOTHING"
)
# PSEUDONYM for a batch's submissions at once (PostgreSQL): each solver new to its
# challenge, in order of their first submission in the batch, numbered on from the
# challenge's highest number, as the statements one after another number them.
# (Window functions run after WHERE, so solvers already numbered are not counted.)
# Each challenge's highest number is read once, in ``base``, below the sort the
# window needs, so every probe runs before the first row is inserted: probed per row
# while inserting, the backward index scan stepped over the rows this statement had
# already inserted (invisible to it), 1,000 heap fetches a row on average for 2,000 new
# entrants of one challenge, quadratic in a batch (measured: 64 of a 500,000-submission
# rebuild's 100 s of writes).
PSEUDONYMS = (
    "WITH v AS (SELECT u.challenge_id, u.solver_key, MIN(u.n) AS first"
    " FROM unnest(?::text[], ?::text[], ?::text[])"
    " WITH ORDINALITY AS u (challenge_id, solver_key, same_challenge_id, n)"
    " GROUP BY u.challenge_id, u.solver_key),"
    " fresh AS (SELECT v.challenge_id, v.solver_key, v.first FROM v"
    " WHERE NOT EXISTS (SELECT 1 FROM rv_pseudonyms p"
    " WHERE p.challenge_id = v.challenge_id AND p.solver_key = v.solver_key)),"
    " base AS MATERIALIZED (SELECT c.challenge_id,"
    " COALESCE((SELECT MAX(p.number) FROM rv_pseudonyms p"
    " WHERE p.challenge_id = c.challenge_id), 0) AS top"
    " FROM (SELECT DISTINCT challenge_id FROM fresh) c) "
    "INSERT INTO rv_pseudonyms (challenge_id, solver_key, number) "
    "SELECT f.challenge_id, f.solver_key,"
    " b.top + ROW_NUMBER() OVER (PARTITION BY f.challenge_id ORDER BY f.first) "
    "FROM fresh f JOIN base b ON b.challenge_id = f.challenge_id "
    "ON CONFLICT (challenge_id, solver_key) DO NOTHING"
)


def on_submitted(db: Writes, item: Item) -> None:
    d = _data(item)
    challenge_id = d["challenge_id"]
    content = d["content"]
    key = solver_key(challenge_id, d["actor_id"])
    # Numbered in SQL at the end of the batch, in log order (nothing else writes here).
    db.execute(PSEUDONYM, (challenge_id, key, challenge_id), many=PSEUDONYMS)
    insert(
        db,
        "rv_entries",
        {
            "submission_id": str(item.originator_id),
            "challenge_id": challenge_id,
            "solver_key": key,
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


def on_revised(db: Writes, item: Item) -> None:
    d = _data(item)
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
        " FROM rv_challenges ch, json_each(ch.criteria) c"
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
        " FROM rv_challenges ch, jsonb_array_elements(CAST(ch.criteria AS JSONB))"
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
    }
    # The total needs the challenge's criteria.  Where the review started in this
    # batch (its row is pending here, as when a review is started and scored at once)
    # and the challenge's criteria are known, Python computes it now; otherwise SQL
    # does at the end of the batch (a handler cannot read the database: it describes
    # changes), from the review's final scores, so either way gives the same total
    # (tests/projections/test_set_based_writes.py).
    started = db.pending_row("rv_reviews", where)
    criteria = None if started is None else PUBLISHED_CRITERIA.get(started["challenge_id"])
    if criteria is not None:
        values["total"] = weighted_total(criteria, d["scores"])
    else:
        db.merge(TOTAL[db.db.dialect], where["review_id"], (where["review_id"],), None, many=TOTALS)
    db.update("rv_reviews", where, values)
    if event_name(item.topic) == REVISED:
        db.add("rv_reviews", where, "revisions", 1)


def on_conflict(db: Writes, item: Item) -> None:
    update(db, "rv_reviews", {"review_id": str(item.originator_id)}, {"conflict": 1})


PROJECTION = Projection(
    name="reviewers",
    tables=TABLES,
    ddl=DDL,
    handlers={
        Challenge.Drafted: on_drafted,
        Challenge.DraftEdited: on_spec,
        Challenge.Published: on_published,
    },
    plain={
        Challenge.DeadlineExtended: on_deadline_extended,
        Challenge.ReviewerInvited: on_reviewer_invited,
        Challenge.ReviewerAccepted: on_reviewer_accepted,
        Submission.Submitted: on_submitted,
        Submission.Revised: on_revised,
        Review.Started: on_review_started,
        Review.ScoresRecorded: on_scores,
        Review.ScoresRevised: on_scores,
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
