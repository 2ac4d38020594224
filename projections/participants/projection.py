"""Tables and event handlers of the participants' read model."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from openinno.domain import Account, Challenge, Organisation, Submission, SupportTally
from openinno.domain.personal import ERASED
from openinno.domain.values import ChallengeSpec, Prize
from projections.participants import drafts, teams
from projections.projection import Item, Projection
from projections.sql import insert, update, upsert
from projections.triggers import pg_counted_triggers, pg_function
from projections.values import iso, iso_text, to_json
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS pt_people ("
    " account_id TEXT PRIMARY KEY, display_name TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pt_organisations ("
    " organisation_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " logo_sha256 TEXT, logo_media_type TEXT)",
    "CREATE TABLE IF NOT EXISTS pt_challenges ("
    " challenge_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, status TEXT NOT NULL,"
    " title TEXT NOT NULL, brief TEXT NOT NULL, rules TEXT NOT NULL, eligibility TEXT NOT NULL,"
    " category TEXT NOT NULL, language TEXT NOT NULL, visibility TEXT NOT NULL,"
    " voting_mode TEXT NOT NULL, voting_threshold INTEGER, ip_terms TEXT NOT NULL,"
    " prizes TEXT NOT NULL, prize_total DOUBLE PRECISION NOT NULL, currency TEXT NOT NULL,"
    " criteria TEXT NOT NULL, opens_at TEXT NOT NULL, closes_at TEXT NOT NULL,"
    " review_ends_at TEXT NOT NULL, drafted_at TEXT NOT NULL, published_at TEXT,"
    " terms_sha256 TEXT, search_text TEXT NOT NULL,"
    " submission_count INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS pt_challenges_closes ON pt_challenges (closes_at, challenge_id)",
    "CREATE TABLE IF NOT EXISTS pt_questions ("
    " question_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, position BIGINT NOT NULL,"
    " asked_by TEXT NOT NULL, asked_at TEXT NOT NULL, text TEXT NOT NULL,"
    " answer TEXT, answered_at TEXT, hidden INTEGER NOT NULL DEFAULT 0,"
    " hidden_reason TEXT, hidden_at TEXT)",
    "CREATE INDEX IF NOT EXISTS pt_questions_challenge ON pt_questions (challenge_id, position)",
    "CREATE TABLE IF NOT EXISTS pt_announcements ("
    " announcement_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, position BIGINT NOT NULL,"
    " kind TEXT NOT NULL, text TEXT NOT NULL, posted_at TEXT NOT NULL,"
    # Why a moderator hid it (issue 24; NULL: shown).
    " hidden_reason TEXT)",
    "CREATE TABLE IF NOT EXISTS pt_submissions ("
    " submission_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, solver_id TEXT NOT NULL,"
    " team_ids TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL,"
    " status TEXT NOT NULL, version INTEGER NOT NULL, content_sha256 TEXT NOT NULL,"
    " accepted_terms_sha256 TEXT NOT NULL, submitted_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL, shortlisted INTEGER NOT NULL DEFAULT 0, award_place INTEGER,"
    " support_count INTEGER NOT NULL DEFAULT 0,"
    " threshold_reached INTEGER NOT NULL DEFAULT 0,"
    # Why a moderator hid the entry (issue 24; NULL: shown): the gallery shows this
    # in its place.
    " hidden_reason TEXT,"
    # Why the entry was disqualified (issue 24; NULL otherwise): its authors read it
    # beside the status on "My submissions".
    " status_reason TEXT)",
    "CREATE INDEX IF NOT EXISTS pt_submissions_challenge ON pt_submissions (challenge_id)",
    # The orders big lists page in (keyset paging in SQL: an index range + LIMIT, not
    # a sort of a 150,000-entry challenge): the public gallery, most supported first
    # (``queries.public_gallery_page``), and a challenge's entries in submission order
    # (the API's ``/challenges/{id}/submissions``).
    "CREATE INDEX IF NOT EXISTS pt_submissions_gallery"
    " ON pt_submissions (challenge_id, support_count DESC, submitted_at, submission_id)",
    "CREATE INDEX IF NOT EXISTS pt_submissions_submitted"
    " ON pt_submissions (challenge_id, submitted_at, submission_id)",
    "CREATE TABLE IF NOT EXISTS pt_authors ("
    " submission_id TEXT NOT NULL, account_id TEXT NOT NULL,"
    " PRIMARY KEY (account_id, submission_id))",
    "CREATE TABLE IF NOT EXISTS pt_receipts ("
    " receipt_id TEXT PRIMARY KEY, submission_id TEXT NOT NULL, version INTEGER NOT NULL,"
    " content_sha256 TEXT NOT NULL, recorded_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pt_tallies ("
    " tally_id TEXT PRIMARY KEY, submission_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pt_awards ("
    " challenge_id TEXT NOT NULL, place INTEGER NOT NULL, submission_id TEXT NOT NULL,"
    " agreement_id TEXT NOT NULL, PRIMARY KEY (challenge_id, place))",
    # The sponsor's funnel, per challenge, kept by triggers on pt_submissions (below):
    # always what counting the challenge's rows gives (``COUNTED``), so a dashboard of a
    # 150,000-entry challenge reads one row instead of counting them on every view.
    "CREATE TABLE IF NOT EXISTS pt_challenge_counts ("
    " challenge_id TEXT PRIMARY KEY, submissions INTEGER NOT NULL DEFAULT 0,"
    " eligible INTEGER NOT NULL DEFAULT 0, shortlisted INTEGER NOT NULL DEFAULT 0,"
    " awarded INTEGER NOT NULL DEFAULT 0, threshold_crossings INTEGER NOT NULL DEFAULT 0)",
)

# What one pt_submissions row adds to its challenge's counts: the funnel's definition.
# ``challenge_dashboard``'s counters equal these summed over the challenge's rows
# (tests/projections/test_dashboard_counters.py counts them so and compares).
COUNTED = {
    "submissions": "1",
    "eligible": "CASE WHEN {r}.status NOT IN ('withdrawn', 'disqualified') THEN 1 ELSE 0 END",
    "shortlisted": "{r}.shortlisted",
    "awarded": "CASE WHEN {r}.award_place IS NOT NULL THEN 1 ELSE 0 END",
    "threshold_crossings": "{r}.threshold_reached",
}
# The columns those shares read (an update of any other column moves no count).
COUNTED_COLUMNS = ("status", "shortlisted", "award_place", "threshold_reached")
_COUNTS = ", ".join(COUNTED)
_ADD_COUNTS = ", ".join(f"{c} = pt_challenge_counts.{c} + excluded.{c}" for c in COUNTED)


def _counted(row: str, sign: str = "") -> str:
    return ", ".join(f"{sign}({e.format(r=row)})" for e in COUNTED.values())


def _sqlite_count(row: str, sign: str) -> str:
    """Add (sign '') or take away (sign '-') ``row``'s (new/old) share of the counts."""
    return (
        f"INSERT INTO pt_challenge_counts (challenge_id, {_COUNTS})"
        f" VALUES ({row}.challenge_id, {_counted(row, sign)})"
        f" ON CONFLICT (challenge_id) DO UPDATE SET {_ADD_COUNTS};"
    )


# PostgreSQL: per statement, each changed row's share added (new rows) and taken away
# (old rows), grouped by challenge, one upsert; an update that moves no count (a
# support count, a revision) changes nothing.
_PG_SHARES = {
    "INSERT": f"SELECT n.challenge_id, {_counted('n')} FROM new_rows n",
    "DELETE": f"SELECT o.challenge_id, {_counted('o', '-')} FROM old_rows o",
    "UPDATE": (
        f"SELECT n.challenge_id, {_counted('n')} FROM new_rows n"
        f" UNION ALL SELECT o.challenge_id, {_counted('o', '-')} FROM old_rows o"
    ),
}
_PG_COUNT = (
    f"INSERT INTO pt_challenge_counts AS t (challenge_id, {_COUNTS})"
    f" SELECT challenge_id, {', '.join(f'SUM({c})' for c in COUNTED)}"
    f" FROM ({{shares}}) AS d (challenge_id, {_COUNTS}) GROUP BY challenge_id"
    f" HAVING {' OR '.join(f'SUM({c}) <> 0' for c in COUNTED)}"
    f" ON CONFLICT (challenge_id) DO UPDATE SET"
    f" {', '.join(f'{c} = t.{c} + excluded.{c}' for c in COUNTED)};"
)
_PG_COUNT_FUNCTION = (
    "BEGIN"
    f" IF TG_OP = 'INSERT' THEN {_PG_COUNT.format(shares=_PG_SHARES['INSERT'])}"
    f" ELSIF TG_OP = 'UPDATE' THEN {_PG_COUNT.format(shares=_PG_SHARES['UPDATE'])}"
    f" ELSE {_PG_COUNT.format(shares=_PG_SHARES['DELETE'])}"
    " END IF; RETURN NULL; END"
)

# The funnel counted from the rows at once: what the triggers keep, for a rebuild that
# ran without them (``Projection.recount``).  Every challenge with a row gets its row,
# as the triggers give it one at its first entry (rows are never deleted).
_SUMS = ", ".join(f"SUM({e.format(r='s')})" for e in COUNTED.values())
POSTGRES_RECOUNT = (
    "DELETE FROM pt_challenge_counts",
    f"INSERT INTO pt_challenge_counts (challenge_id, {_COUNTS})"
    f" SELECT s.challenge_id, {_SUMS}"
    " FROM pt_submissions s GROUP BY s.challenge_id",
)

# Catalogue search (``queries.open_challenges``): full text over title and brief.
#
# One configuration for every language, 'simple' (lower-cased words, no stemming,
# no stop words), not a per-language one: the catalogue holds challenges in en, pl,
# fr, es and ru side by side (a title often in one language and the brief in
# another), PostgreSQL ships no Polish stemmer, and a query's language is unknown:
# stemming a row with its own configuration would match a query only if the
# searcher happened to type in that language and the query were stemmed alike.
# 'simple' matches the same whole words in every language, and SQLite's FTS5
# ``unicode61`` tokenizer matches alike (with ``remove_diacritics 0``: 'simple'
# keeps diacritics too, so "zolc" does not find "żółć" on either store).  The cost:
# no stemming, "kite" does not find "kites".  (PostgreSQL lower-cases non-ASCII
# letters by the database's LC_CTYPE: a UTF-8 one, as ``C.UTF-8``, is needed.)
POSTGRES_DDL = (
    # Only where missing: ALTER TABLE locks the table exclusively even when IF NOT
    # EXISTS finds the column, and this runs at every runner's start.
    "DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = 'pt_challenges'"
    " AND column_name = 'search_vector') THEN"
    " ALTER TABLE pt_challenges ADD COLUMN search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, title || ' ' || brief)) STORED;"
    " END IF; END $do$",
    "CREATE INDEX IF NOT EXISTS pt_challenges_search ON pt_challenges USING GIN (search_vector)",
    pg_function("pt_count_submissions", _PG_COUNT_FUNCTION),
    *pg_counted_triggers("pt_submissions", "pt_count_submissions"),
)
# An FTS5 table of its own (keyed by challenge id; an external-content table would
# key it by rowid, which VACUUM may renumber), kept in step by triggers, so every
# way Writes changes pt_challenges (insert, upsert, update) updates it too.
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS pt_challenges_fts USING fts5("
    "challenge_id UNINDEXED, title, brief, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS pt_challenges_fts_insert AFTER INSERT ON pt_challenges"
    " BEGIN INSERT INTO pt_challenges_fts (challenge_id, title, brief)"
    " VALUES (new.challenge_id, new.title, new.brief); END",
    "CREATE TRIGGER IF NOT EXISTS pt_challenges_fts_update AFTER UPDATE OF title, brief"
    " ON pt_challenges WHEN old.title IS NOT new.title OR old.brief IS NOT new.brief"
    " BEGIN DELETE FROM pt_challenges_fts WHERE challenge_id = old.challenge_id;"
    " INSERT INTO pt_challenges_fts (challenge_id, title, brief)"
    " VALUES (new.challenge_id, new.title, new.brief); END",
    "CREATE TRIGGER IF NOT EXISTS pt_challenges_fts_delete AFTER DELETE ON pt_challenges"
    " BEGIN DELETE FROM pt_challenges_fts WHERE challenge_id = old.challenge_id; END",
    # A read model built before the search table existed: fill it once (empty table).
    "INSERT INTO pt_challenges_fts (challenge_id, title, brief)"
    " SELECT challenge_id, title, brief FROM pt_challenges"
    " WHERE NOT EXISTS (SELECT 1 FROM pt_challenges_fts)",
    # The funnel's counts (see COUNTED), row by row.
    "CREATE TRIGGER IF NOT EXISTS pt_submissions_counted_insert AFTER INSERT ON pt_submissions"
    f" BEGIN {_sqlite_count('new', '')} END",
    "CREATE TRIGGER IF NOT EXISTS pt_submissions_counted_update AFTER UPDATE OF"
    f" challenge_id, {', '.join(COUNTED_COLUMNS)} ON pt_submissions"
    f" BEGIN {_sqlite_count('old', '-')} {_sqlite_count('new', '')} END",
    "CREATE TRIGGER IF NOT EXISTS pt_submissions_counted_delete AFTER DELETE ON pt_submissions"
    f" BEGIN {_sqlite_count('old', '-')} END",
)

TABLES = (
    "pt_people",
    "pt_organisations",
    "pt_challenges",
    "pt_questions",
    "pt_announcements",
    "pt_submissions",
    "pt_authors",
    "pt_receipts",
    "pt_tallies",
    "pt_awards",
    "pt_challenge_counts",
    *teams.TABLES,
    *drafts.TABLES,
)


def prize_sort_key(prizes: Sequence[Prize]) -> float:
    """The prizes' sum as a float, for ordering the catalogue only (each currency's
    sum is shown from ``prizes``).  A float sum never fails: an event recorded before
    amounts were bounded may hold one no Decimal context can add (``1E+999999999``
    raised ``decimal.Overflow`` here, for ever), which is ``inf`` as a float."""
    total = 0.0
    for prize in prizes:
        try:
            value = float(prize.amount)
        except (ValueError, ArithmeticError):  # a signalling NaN
            continue
        if not math.isnan(value):
            total += value
    return total


def spec_columns(spec: ChallengeSpec) -> dict[str, Any]:
    return {
        "title": spec.title,
        "brief": spec.brief,
        "rules": spec.rules,
        "eligibility": spec.eligibility,
        "category": spec.category,
        "language": spec.language,
        "visibility": spec.visibility,
        "voting_mode": spec.voting.mode,
        "voting_threshold": spec.voting.threshold,
        "ip_terms": spec.ip_terms,
        "prizes": to_json(spec.prizes),
        "prize_total": prize_sort_key(spec.prizes),
        "currency": spec.prizes[0].currency if spec.prizes else "",
        "criteria": to_json(spec.criteria),
        "opens_at": iso(spec.opens_at),
        "closes_at": iso(spec.closes_at),
        "review_ends_at": iso(spec.review_ends_at),
        "search_text": f"{spec.title}\n{spec.brief}".lower(),
    }


def _challenge(item: Item) -> str:
    return str(item.originator_id)


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


# --- people and organisations -------------------------------------------------------------


# Handlers named in ``plain`` below read ``item.data`` (the stored payload as plain
# JSON values: ids and times are already the strings the rows hold); those in
# ``envelope`` read only the envelope; the rest get the typed event (a challenge's
# spec: its nested values have defaults an old payload may lack).


def on_registered(db: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        db,
        "pt_people",
        {"account_id": str(item.originator_id), "display_name": d["display_name"].strip()},
    )


def on_profile_updated(db: Writes, item: Item) -> None:
    update(
        db,
        "pt_people",
        {"account_id": str(item.originator_id)},
        {"display_name": _data(item)["display_name"]},
    )


def on_account_erased(db: Writes, item: Item) -> None:
    # What a rebuild decodes of the person's name once their key is shredded.
    update(db, "pt_people", {"account_id": str(item.originator_id)}, {"display_name": ERASED})


def on_organisation_created(db: Writes, item: Item) -> None:
    upsert(
        db,
        "pt_organisations",
        {"organisation_id": str(item.originator_id), "name": _data(item)["name"]},
    )


def on_logo_changed(db: Writes, item: Item) -> None:
    logo = _data(item).get("logo")
    update(
        db,
        "pt_organisations",
        {"organisation_id": str(item.originator_id)},
        {
            "logo_sha256": logo["sha256"] if logo else None,
            "logo_media_type": logo["media_type"] if logo else None,
        },
    )


# --- challenges ---------------------------------------------------------------------------


def on_drafted(db: Writes, item: Item) -> None:
    e = item.event
    insert(
        db,
        "pt_challenges",
        {
            "challenge_id": _challenge(item),
            "organisation_id": str(e.organisation_id),
            "status": "draft",
            "drafted_at": iso(e.timestamp),
            **spec_columns(e.spec),
        },
    )


def on_draft_edited(db: Writes, item: Item) -> None:
    update(db, "pt_challenges", {"challenge_id": _challenge(item)}, spec_columns(item.event.spec))


def on_draft_discarded(db: Writes, item: Item) -> None:
    # Kept, marked: the organisation's list and every public query leave it out.
    update(db, "pt_challenges", {"challenge_id": _challenge(item)}, {"status": "discarded"})


def on_published(db: Writes, item: Item) -> None:
    e = item.event
    update(
        db,
        "pt_challenges",
        {"challenge_id": _challenge(item)},
        {
            "status": "published",
            "published_at": iso(e.timestamp),
            "terms_sha256": e.terms_sha256,
            **spec_columns(e.terms.spec),
        },
    )


def on_question_asked(db: Writes, item: Item) -> None:
    d = _data(item)
    insert(
        db,
        "pt_questions",
        {
            "question_id": d["question_id"],
            "challenge_id": _challenge(item),
            "position": item.position,
            "asked_by": d["actor_id"],
            "asked_at": iso_text(d["timestamp"]),
            "text": d["text"],
        },
    )


def on_question_answered(db: Writes, item: Item) -> None:
    d = _data(item)
    update(
        db,
        "pt_questions",
        {"question_id": d["question_id"]},
        {"answer": d["text"], "answered_at": iso_text(d["timestamp"])},
    )


def on_question_hidden(db: Writes, item: Item) -> None:
    d = _data(item)
    update(
        db,
        "pt_questions",
        {"question_id": d["question_id"]},
        {"hidden": 1, "hidden_reason": d["reason"], "hidden_at": iso_text(d["timestamp"])},
    )


def on_question_restored(db: Writes, item: Item) -> None:
    # An appeal of the hiding upheld (issue 24): shown again.
    update(
        db,
        "pt_questions",
        {"question_id": _data(item)["question_id"]},
        {"hidden": 0, "hidden_reason": None, "hidden_at": None},
    )


def _announce(db: Writes, item: Item, kind: str) -> None:
    d = _data(item)
    insert(
        db,
        "pt_announcements",
        {
            "announcement_id": d["announcement_id"],
            "challenge_id": _challenge(item),
            "position": item.position,
            "kind": kind,
            "text": d["text"],
            "posted_at": iso_text(d["timestamp"]),
        },
    )


def on_announcement(db: Writes, item: Item) -> None:
    _announce(db, item, "announcement")


def on_deadline_extended(db: Writes, item: Item) -> None:
    d = _data(item)
    _announce(db, item, "deadline_extended")
    update(
        db,
        "pt_challenges",
        {"challenge_id": _challenge(item)},
        {"closes_at": iso_text(d["closes_at"]), "review_ends_at": iso_text(d["review_ends_at"])},
    )


def on_review_closed_early(db: Writes, item: Item) -> None:
    """The sponsor's note that review ended early: an announcement everyone sees."""
    _announce(db, item, "review_closed_early")


def on_winners_awarded(db: Writes, item: Item) -> None:
    challenge_id = _challenge(item)
    update(db, "pt_challenges", {"challenge_id": challenge_id}, {"status": "awarded"})
    for award in _data(item)["awards"]:
        insert(
            db,
            "pt_awards",
            {
                "challenge_id": challenge_id,
                "place": award["place"],
                "submission_id": award["submission_id"],
                "agreement_id": award["agreement_id"],
            },
        )


def on_winners_reawarded(db: Writes, item: Item) -> None:
    """Places given anew after the award (issue 24): each replaces its place's row."""
    challenge_id = _challenge(item)
    for award in _data(item)["awards"]:
        upsert(
            db,
            "pt_awards",
            {
                "challenge_id": challenge_id,
                "place": award["place"],
                "submission_id": award["submission_id"],
                "agreement_id": award["agreement_id"],
            },
        )


def on_cancelled(db: Writes, item: Item) -> None:
    update(db, "pt_challenges", {"challenge_id": _challenge(item)}, {"status": "cancelled"})


# --- submissions and support --------------------------------------------------------------


def _receipt(db: Writes, item: Item, version: int, at: str) -> None:
    d = _data(item)
    insert(
        db,
        "pt_receipts",
        {
            "receipt_id": d["receipt_id"],
            "submission_id": str(item.originator_id),
            "version": version,
            "content_sha256": d["content_sha256"],
            "recorded_at": at,
        },
    )


def on_submitted(db: Writes, item: Item) -> None:
    d = _data(item)
    submission_id = str(item.originator_id)
    at = iso_text(d["timestamp"])
    content = d["content"]
    team_ids = d["team_ids"]
    insert(
        db,
        "pt_submissions",
        {
            "submission_id": submission_id,
            "challenge_id": d["challenge_id"],
            "solver_id": d["actor_id"],
            "team_ids": to_json(team_ids),
            "title": content["title"],
            "summary": content["summary"],
            "status": "submitted",
            "version": 1,
            "content_sha256": d["content_sha256"],
            "accepted_terms_sha256": d["accepted_terms_sha256"],
            "submitted_at": at,
            "updated_at": at,
        },
    )
    for author in (d["actor_id"], *team_ids):
        insert(db, "pt_authors", {"submission_id": submission_id, "account_id": author})
    _receipt(db, item, 1, at)
    db.add("pt_challenges", {"challenge_id": d["challenge_id"]}, "submission_count", 1)


def on_coauthorship_confirmed(db: Writes, item: Item) -> None:
    # Only confirmed co-authors are authors (their entries list it); ones only named
    # (Submission.CoauthorsNamed) are not.  ``team_ids`` keeps what Submitted recorded.
    insert(
        db,
        "pt_authors",
        {"submission_id": str(item.originator_id), "account_id": _data(item)["actor_id"]},
    )


def on_revised(db: Writes, item: Item) -> None:
    d = _data(item)
    at = iso_text(d["timestamp"])
    content = d["content"]
    update(
        db,
        "pt_submissions",
        {"submission_id": str(item.originator_id)},
        {
            "title": content["title"],
            "summary": content["summary"],
            "version": d["version"],
            "content_sha256": d["content_sha256"],
            "updated_at": at,
        },
    )
    _receipt(db, item, d["version"], at)


def _submission(db: Writes, item: Item, **values: Any) -> None:
    update(db, "pt_submissions", {"submission_id": str(item.originator_id)}, values)


def on_withdrawn(db: Writes, item: Item) -> None:
    _submission(db, item, status="withdrawn")


def on_disqualified(db: Writes, item: Item) -> None:
    _submission(db, item, status="disqualified", status_reason=_data(item)["reason"])


def on_reinstated(db: Writes, item: Item) -> None:
    # An appeal of the disqualification upheld (issue 24): submitted again, or awarded
    # again where the entry still holds its place (an admin disqualified a winner).
    place = _data(item).get("award_place")
    status = "awarded" if place is not None else "submitted"
    _submission(db, item, status=status, status_reason=None)


def on_award_revoked(db: Writes, item: Item) -> None:
    d = _data(item)
    _submission(db, item, status=d["status"], award_place=None)
    # A place given anew has its row replaced already (on_winners_reawarded); the place
    # a winner gave up by moving to another is left unawarded.  After the batch's row
    # changes, so a rebuild that inserts and replaces in one batch ends the same.
    db.execute("DELETE FROM pt_awards WHERE agreement_id = ?", (d["agreement_id"],))


def on_announcement_hidden(db: Writes, item: Item) -> None:
    d = _data(item)
    update(
        db,
        "pt_announcements",
        {"announcement_id": d["announcement_id"]},
        {"hidden_reason": d["reason"]},
    )


def on_entry_hidden(db: Writes, item: Item) -> None:
    _submission(db, item, hidden_reason=_data(item)["reason"])


def on_entry_shown(db: Writes, item: Item) -> None:
    _submission(db, item, hidden_reason=None)


def on_shortlisted(db: Writes, item: Item) -> None:
    _submission(db, item, shortlisted=1)


def on_threshold_reached(db: Writes, item: Item) -> None:
    _submission(db, item, threshold_reached=1)


def on_awarded(db: Writes, item: Item) -> None:
    _submission(db, item, status="awarded", award_place=_data(item)["place"])


def on_threshold_withdrawn(db: Writes, item: Item) -> None:
    """Reached only by votes since voided (issue 24): no longer past the threshold,
    and announced on the challenge (the page words it from ``text``'s numbers)."""
    d = _data(item)
    _submission(db, item, threshold_reached=0)
    insert(
        db,
        "pt_announcements",
        {
            "announcement_id": f"{item.originator_id}:{item.originator_version}",
            "challenge_id": str(d["challenge_id"]),
            "position": item.position,
            "kind": "support_threshold_withdrawn",
            "text": json.dumps(
                {
                    "submission_id": str(item.originator_id),
                    "threshold": d["threshold"],
                    "support_count": d["support_count"],
                    "voided": d["voided"],
                },
                sort_keys=True,
            ),
            "posted_at": iso_text(d["timestamp"]),
        },
    )


def on_tally_opened(db: Writes, item: Item) -> None:
    insert(
        db,
        "pt_tallies",
        {"tally_id": str(item.originator_id), "submission_id": _data(item)["submission_id"]},
    )


SUPPORT_COUNT = (
    "UPDATE pt_submissions SET support_count = ? WHERE submission_id = "
    "(SELECT submission_id FROM pt_tallies WHERE tally_id = ?)"
)


# SUPPORT_COUNT for a batch's tallies at once (one per tally: merged by tally).
SUPPORT_COUNTS = (
    "UPDATE pt_submissions s SET support_count = v.count"
    " FROM unnest(?::integer[], ?::text[]) AS v (count, tally_id)"
    " JOIN pt_tallies t ON t.tally_id = v.tally_id"
    " WHERE s.submission_id = t.submission_id"
)


def on_support_changed(db: Writes, item: Item) -> None:
    # The count is absolute: within a batch only a tally's latest count matters.
    tally_id = str(item.originator_id)
    db.merge(SUPPORT_COUNT, tally_id, (_data(item)["count"], tally_id), None, many=SUPPORT_COUNTS)


PROJECTION = Projection(
    name="participants",
    tables=TABLES,
    ddl=(*DDL, *teams.DDL, *drafts.DDL),
    insert_only=("pt_authors", "pt_receipts"),
    dialect_ddl={"postgres": POSTGRES_DDL, "sqlite": SQLITE_DDL},
    recount={"postgres": POSTGRES_RECOUNT},
    dialect_tables={"sqlite": ("pt_challenges_fts",)},
    handlers={
        Challenge.Drafted: on_drafted,
        Challenge.DraftEdited: on_draft_edited,
        Challenge.DraftDiscarded: on_draft_discarded,
        Challenge.Published: on_published,
    },
    plain={
        Account.Registered: on_registered,
        Account.ProfileUpdated: on_profile_updated,
        Account.Erased: on_account_erased,
        Organisation.Created: on_organisation_created,
        Organisation.LogoChanged: on_logo_changed,
        Challenge.QuestionAsked: on_question_asked,
        Challenge.QuestionAnswered: on_question_answered,
        Challenge.QuestionHidden: on_question_hidden,
        Challenge.QuestionRestored: on_question_restored,
        Challenge.AnnouncementHidden: on_announcement_hidden,
        Submission.Hidden: on_entry_hidden,
        Submission.Shown: on_entry_shown,
        Challenge.AnnouncementPosted: on_announcement,
        Challenge.DeadlineExtended: on_deadline_extended,
        Challenge.ReviewClosedEarly: on_review_closed_early,
        Challenge.WinnersAwarded: on_winners_awarded,
        Challenge.WinnersReawarded: on_winners_reawarded,
        Submission.AwardRevoked: on_award_revoked,
        Submission.Reinstated: on_reinstated,
        Submission.Disqualified: on_disqualified,
        Submission.Submitted: on_submitted,
        Submission.Revised: on_revised,
        Submission.CoauthorshipConfirmed: on_coauthorship_confirmed,
        Submission.Awarded: on_awarded,
        SupportTally.Opened: on_tally_opened,
        SupportTally.SupportChanged: on_support_changed,
        Submission.SupportThresholdWithdrawn: on_threshold_withdrawn,
        **teams.PLAIN,
        **drafts.PLAIN,
    },
    envelope={
        Challenge.Cancelled: on_cancelled,
        Submission.Withdrawn: on_withdrawn,
        Submission.Shortlisted: on_shortlisted,
        Submission.SupportThresholdReached: on_threshold_reached,
    },
)
