"""Tables and event handlers of the entries' search (issue 27): what a sponsor or a
reviewer sifts a challenge's entries by.

One row per entry (``sf_entries``) with every column a filter or a sort reads, so a
search is one indexed walk of one table: the status, the review round it reached,
its support and whether it crossed the threshold, the shortlist and the award, and
its score, the mean weighted total (0..100) of the reviews that count (scored, no
conflict declared, of the entry's current version), ``-1`` while none does.

Blind by construction, as the reviewers' tables: no row holds an author's account
id or name, and the text searched is the entry's title and summary only, so nobody
can find an entry by who wrote it (decision 0015); names are joined at the end by
``participants.queries.identities`` for those who may know them.

Full text: on PostgreSQL a generated ``tsvector`` in the challenge's language
(``english``, ``french``, ``spanish``, ``russian``; ``simple`` for Polish, which
PostgreSQL ships no stemmer for, and where the language is not known yet), so
"kites" finds "kite"; the query is parsed with the same configuration (every entry
of a challenge has the challenge's language).  On SQLite an FTS5 table kept by
triggers, with the catalogue's word rules (no stemming).  Decision 0033."""

from __future__ import annotations

from typing import Any

from openinno.domain import Challenge, Duplicates, EntryTags, Review, Submission, SupportTally
from projections.projection import Item, Projection
from projections.reviewers.projection import TOTAL as REVIEWERS_TOTAL
from projections.sifting import duplicates
from projections.sql import insert, update
from projections.values import iso_text, to_json
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS sf_challenges ("
    " challenge_id TEXT PRIMARY KEY, language TEXT NOT NULL, criteria TEXT NOT NULL,"
    " rounds_criteria TEXT NOT NULL DEFAULT '[]')",
    "CREATE TABLE IF NOT EXISTS sf_entries ("
    " submission_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL,"
    # The challenge's language (NULL until known: see LANGUAGE_OF).
    " language TEXT,"
    " title TEXT NOT NULL, summary TEXT NOT NULL, version INTEGER NOT NULL,"
    " status TEXT NOT NULL, round INTEGER NOT NULL DEFAULT 1,"
    " shortlisted INTEGER NOT NULL DEFAULT 0, awarded INTEGER NOT NULL DEFAULT 0,"
    " threshold_reached INTEGER NOT NULL DEFAULT 0,"
    " support_count INTEGER NOT NULL DEFAULT 0,"
    " score DOUBLE PRECISION NOT NULL DEFAULT -1, review_count INTEGER NOT NULL DEFAULT 0,"
    " submitted_at TEXT NOT NULL,"
    # The log position of its submission: unique, never renumbered, so the SQLite
    # full-text table is keyed by it (its rowid: matches read without its content).
    " received_position BIGINT NOT NULL)",
    # One index per sort, each ending in the key's tie-breaker: a page of any sort is a
    # walk of its index from the cursor (backwards: every sort is best or newest first).
    "CREATE INDEX IF NOT EXISTS sf_entries_recent"
    " ON sf_entries (challenge_id, submitted_at, submission_id)",
    "CREATE INDEX IF NOT EXISTS sf_entries_support"
    " ON sf_entries (challenge_id, support_count, submission_id)",
    "CREATE INDEX IF NOT EXISTS sf_entries_score ON sf_entries (challenge_id, score, submission_id)",
    # The reviews an entry's score is computed from (its weighted total, as the
    # reviewers' read model computes it: ``REVIEWERS_TOTAL``).
    "CREATE TABLE IF NOT EXISTS sf_reviews ("
    " review_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, submission_id TEXT NOT NULL,"
    " round INTEGER NOT NULL DEFAULT 1, scores TEXT, scored_version INTEGER,"
    " conflict INTEGER NOT NULL DEFAULT 0, total DOUBLE PRECISION)",
    "CREATE INDEX IF NOT EXISTS sf_reviews_entry ON sf_reviews (submission_id)",
    # The reviews export walks a challenge's reviews on this key (exports.py).
    "CREATE INDEX IF NOT EXISTS sf_reviews_challenge ON sf_reviews (challenge_id, review_id)",
    "CREATE TABLE IF NOT EXISTS sf_tallies ("
    " tally_id TEXT PRIMARY KEY, submission_id TEXT NOT NULL)",
    # The tags sponsors and reviewers put on entries by hand (EntryTags streams).
    "CREATE TABLE IF NOT EXISTS sf_tags ("
    " challenge_id TEXT NOT NULL, submission_id TEXT NOT NULL, tag TEXT NOT NULL,"
    " PRIMARY KEY (submission_id, tag))",
    "CREATE INDEX IF NOT EXISTS sf_tags_challenge ON sf_tags (challenge_id, tag)",
)

# Near-duplicates (duplicates.py): each entry's MinHash signature of its current
# version, with its receipt (the log position and time of its submission: which of
# a cluster came first), and its LSH buckets, one per band.
DUPLICATES_DDL = (
    "CREATE TABLE IF NOT EXISTS sf_signatures ("
    " submission_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL,"
    " received_position BIGINT NOT NULL, received_at TEXT NOT NULL, signature TEXT NOT NULL,"
    # The earliest receipt of the duplicates the sponsor merged it with (it included).
    " merged_into TEXT)",
    "CREATE TABLE IF NOT EXISTS sf_buckets ("
    " challenge_id TEXT NOT NULL, band INTEGER NOT NULL, bucket BIGINT NOT NULL,"
    " submission_id TEXT NOT NULL, PRIMARY KEY (challenge_id, band, bucket, submission_id))",
    "CREATE INDEX IF NOT EXISTS sf_buckets_entry ON sf_buckets (submission_id)",
)

TABLES = (
    "sf_challenges",
    "sf_entries",
    "sf_reviews",
    "sf_tallies",
    "sf_tags",
    "sf_signatures",
    "sf_buckets",
)

# The PostgreSQL text search configuration of each language the platform has
# (domain.values.LOCALES); any other, and NULL, is 'simple'.
CONFIGURATIONS = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian"}


def configuration(language: str | None) -> str:
    return CONFIGURATIONS.get(language or "", "simple")


def _configuration_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'::regconfig" for k, v in CONFIGURATIONS.items())
    return f"CASE {column} {cases} ELSE 'simple'::regconfig END"


POSTGRES_DDL = (
    # Only where missing (an ALTER TABLE locks the table even when it finds the column).
    "DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = 'sf_entries'"
    " AND column_name = 'search_vector') THEN"
    " ALTER TABLE sf_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
    f" (to_tsvector({_configuration_sql('language')}, title || ' ' || summary)) STORED;"
    " END IF; END $do$",
    "CREATE INDEX IF NOT EXISTS sf_entries_search ON sf_entries USING GIN (search_vector)",
)
# An FTS5 table keyed by submission id, kept by triggers (as pt_challenges_fts).
# ``remove_diacritics 2``: "cafe" finds "café" (PostgreSQL's configurations keep
# accents; the embedded store is the small one, where finding more is the kinder error).
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS sf_entries_fts USING fts5("
    "title, summary, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE INDEX IF NOT EXISTS sf_entries_received ON sf_entries (received_position)",
    "CREATE TRIGGER IF NOT EXISTS sf_entries_fts_insert AFTER INSERT ON sf_entries"
    " BEGIN INSERT INTO sf_entries_fts (rowid, title, summary)"
    " VALUES (new.received_position, new.title, new.summary); END",
    "CREATE TRIGGER IF NOT EXISTS sf_entries_fts_update AFTER UPDATE OF title, summary"
    " ON sf_entries WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary"
    " BEGIN DELETE FROM sf_entries_fts WHERE rowid = old.received_position;"
    " INSERT INTO sf_entries_fts (rowid, title, summary)"
    " VALUES (new.received_position, new.title, new.summary); END",
    "CREATE TRIGGER IF NOT EXISTS sf_entries_fts_delete AFTER DELETE ON sf_entries"
    " BEGIN DELETE FROM sf_entries_fts WHERE rowid = old.received_position; END",
)


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


# Each published challenge's language, by challenge id: a cache of facts of the log
# (the language is frozen at publication), so an entry's row is written with it at
# once.  Where it has no entry (a runner started after the publication), SQL sets it
# at the end of the batch (LANGUAGE_OF): the row ends the same either way.
PUBLISHED_LANGUAGES: dict[str, str] = {}
LANGUAGE_OF = (
    "UPDATE sf_entries SET language = (SELECT c.language FROM sf_challenges c"
    " WHERE c.challenge_id = sf_entries.challenge_id) WHERE submission_id = ?"
)


def on_published(db: Writes, item: Item) -> None:
    spec = item.event.terms.spec
    cid = str(item.originator_id)
    PUBLISHED_LANGUAGES[cid] = spec.language
    later = [[c for c in r.criteria] for r in spec.later_rounds or ()]
    insert(
        db,
        "sf_challenges",
        {
            "challenge_id": cid,
            "language": spec.language,
            "criteria": to_json(spec.criteria),
            "rounds_criteria": to_json(later),
        },
    )


def on_submitted(db: Writes, item: Item) -> None:
    d = _data(item)
    sid = str(item.originator_id)
    cid = d["challenge_id"]
    language = PUBLISHED_LANGUAGES.get(cid)
    insert(
        db,
        "sf_entries",
        {
            "submission_id": sid,
            "challenge_id": cid,
            "language": language,
            "title": d["content"]["title"],
            "summary": d["content"]["summary"],
            "version": 1,
            "status": "submitted",
            "submitted_at": iso_text(d["timestamp"]),
            "received_position": item.position,
        },
    )
    if language is None:
        db.merge(LANGUAGE_OF, sid, (sid,), None)
    text = f"{d['content']['title']} {d['content']['summary']}"
    values = duplicates.signature(text)
    insert(
        db,
        "sf_signatures",
        {
            "submission_id": sid,
            "challenge_id": cid,
            "received_position": item.position,
            "received_at": iso_text(d["timestamp"]),
            "signature": duplicates.encode(values),
        },
    )
    _buckets(db, cid, sid, values)


# Buckets as statements, in log order: a revision's delete runs before its inserts.
BUCKET = (
    "INSERT INTO sf_buckets (challenge_id, band, bucket, submission_id) VALUES (?, ?, ?, ?)"
    " ON CONFLICT DO NOTHING"
)
BUCKETS = (
    "INSERT INTO sf_buckets (challenge_id, band, bucket, submission_id)"
    " SELECT * FROM unnest(?::text[], ?::integer[], ?::bigint[], ?::text[]) ON CONFLICT DO NOTHING"
)
UNBUCKET = "DELETE FROM sf_buckets WHERE submission_id = ?"


def _buckets(db: Writes, challenge_id: str, sid: str, values: Any) -> None:
    for band, bucket in duplicates.buckets(values):
        db.execute(BUCKET, (challenge_id, band, bucket, sid), many=BUCKETS)


def _entry(db: Writes, item: Item, **values: object) -> None:
    update(db, "sf_entries", {"submission_id": str(item.originator_id)}, values)


# An entry's score and review count from its reviews as the batch leaves them: run
# (as statements run, in the order first seen) after every total the batch computes,
# so each review's scoring queues a total then a score, never merged out of order.
_SCORE_SET = (
    "UPDATE sf_entries SET"
    " score = COALESCE((SELECT CAST(ROUND(CAST(AVG(r.total) AS NUMERIC), 4)"
    " AS DOUBLE PRECISION) FROM sf_reviews r"
    " WHERE r.submission_id = sf_entries.submission_id AND r.conflict = 0"
    " AND r.total IS NOT NULL AND COALESCE(r.scored_version, 1) = sf_entries.version), -1),"
    " review_count = (SELECT COUNT(*) FROM sf_reviews r"
    " WHERE r.submission_id = sf_entries.submission_id AND r.conflict = 0"
    " AND r.total IS NOT NULL AND COALESCE(r.scored_version, 1) = sf_entries.version)"
)
SCORE_OF_ENTRY = f"{_SCORE_SET} WHERE submission_id = ?"
SCORE_OF_REVIEW = (
    f"{_SCORE_SET} WHERE submission_id = (SELECT submission_id FROM sf_reviews WHERE review_id = ?)"
)
TOTAL = {
    dialect: sql.replace("rv_reviews", "sf_reviews").replace("rv_challenges", "sf_challenges")
    for dialect, sql in REVIEWERS_TOTAL.items()
}


def on_revised(db: Writes, item: Item) -> None:
    d = _data(item)
    sid = str(item.originator_id)
    _entry(
        db,
        item,
        title=d["content"]["title"],
        summary=d["content"]["summary"],
        version=d["version"],
    )
    db.execute(SCORE_OF_ENTRY, (sid,))
    values = duplicates.signature(f"{d['content']['title']} {d['content']['summary']}")
    update(db, "sf_signatures", {"submission_id": sid}, {"signature": duplicates.encode(values)})
    db.execute(UNBUCKET, (sid,))
    # The challenge of the entry, from its signature's row (written at submission).
    for band, bucket in duplicates.buckets(values):
        db.execute(
            "INSERT INTO sf_buckets (challenge_id, band, bucket, submission_id)"
            " SELECT challenge_id, ?, ?, submission_id FROM sf_signatures"
            " WHERE submission_id = ? ON CONFLICT DO NOTHING",
            (band, bucket, sid),
        )


def on_review_started(db: Writes, item: Item) -> None:
    d = _data(item)
    insert(
        db,
        "sf_reviews",
        {
            "review_id": str(item.originator_id),
            "challenge_id": d["challenge_id"],
            "submission_id": d["submission_id"],
            "round": d.get("round") or 1,
        },
    )


def on_scores(db: Writes, item: Item) -> None:
    d = _data(item)
    review_id = str(item.originator_id)
    update(
        db,
        "sf_reviews",
        {"review_id": review_id},
        {"scores": to_json(d["scores"]), "scored_version": d.get("version")},
    )
    db.execute(TOTAL[db.db.dialect], (review_id,))
    db.execute(SCORE_OF_REVIEW, (review_id,))


def on_conflict(db: Writes, item: Item) -> None:
    review_id = str(item.originator_id)
    update(db, "sf_reviews", {"review_id": review_id}, {"conflict": 1})
    db.execute(SCORE_OF_REVIEW, (review_id,))


def on_round_advanced(db: Writes, item: Item) -> None:
    d = _data(item)
    following = int(d["round"]) + 1
    for sid in d["submission_ids"]:
        update(db, "sf_entries", {"submission_id": sid}, {"round": following})


def on_tally_opened(db: Writes, item: Item) -> None:
    row = {"tally_id": str(item.originator_id), "submission_id": _data(item)["submission_id"]}
    insert(db, "sf_tallies", row)


SUPPORT_COUNT = (
    "UPDATE sf_entries SET support_count = ? WHERE submission_id ="
    " (SELECT submission_id FROM sf_tallies WHERE tally_id = ?)"
)


def on_support_changed(db: Writes, item: Item) -> None:
    # The count is absolute: within a batch only a tally's latest count matters.
    tally_id = str(item.originator_id)
    db.merge(SUPPORT_COUNT, tally_id, (_data(item)["count"], tally_id), None)


def on_withdrawn(db: Writes, item: Item) -> None:
    _entry(db, item, status="withdrawn")


def on_disqualified(db: Writes, item: Item) -> None:
    _entry(db, item, status="disqualified")


def on_reinstated(db: Writes, item: Item) -> None:
    _entry(db, item, status="submitted")


def on_shortlisted(db: Writes, item: Item) -> None:
    _entry(db, item, shortlisted=1)


def on_awarded(db: Writes, item: Item) -> None:
    _entry(db, item, status="awarded", awarded=1)


def on_threshold_reached(db: Writes, item: Item) -> None:
    _entry(db, item, threshold_reached=1)


def on_threshold_withdrawn(db: Writes, item: Item) -> None:
    _entry(db, item, threshold_reached=0)


# Tags as statements, in log order (an entry tagged, untagged and tagged again in one
# batch ends as the log left it), as the reviewers' assignment is applied.
TAG = (
    "INSERT INTO sf_tags (challenge_id, submission_id, tag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
)
UNTAG = "DELETE FROM sf_tags WHERE submission_id = ? AND tag = ?"


def on_tagged(db: Writes, item: Item) -> None:
    d = _data(item)
    for sid in d["submission_ids"]:
        db.execute(TAG, (d["challenge_id"], sid, d["tag"]))


def on_untagged(db: Writes, item: Item) -> None:
    d = _data(item)
    for sid in d["submission_ids"]:
        db.execute(UNTAG, (sid, d["tag"]))


def on_merged(db: Writes, item: Item) -> None:
    d = _data(item)
    for sid in d["submission_ids"]:
        update(db, "sf_signatures", {"submission_id": sid}, {"merged_into": d["first_id"]})


PROJECTION = Projection(
    name="sifting",
    tables=TABLES,
    ddl=(*DDL, *DUPLICATES_DDL),
    dialect_ddl={"postgres": POSTGRES_DDL, "sqlite": SQLITE_DDL},
    dialect_tables={"sqlite": ("sf_entries_fts",)},
    handlers={Challenge.Published: on_published},
    plain={
        Submission.Submitted: on_submitted,
        Submission.Revised: on_revised,
        Review.Started: on_review_started,
        Review.ScoresRecorded: on_scores,
        Review.ScoresRevised: on_scores,
        Challenge.RoundAdvanced: on_round_advanced,
        SupportTally.Opened: on_tally_opened,
        SupportTally.SupportChanged: on_support_changed,
        EntryTags.Tagged: on_tagged,
        EntryTags.Untagged: on_untagged,
        Duplicates.Merged: on_merged,
    },
    envelope={
        Submission.Withdrawn: on_withdrawn,
        Submission.Disqualified: on_disqualified,
        Submission.Reinstated: on_reinstated,
        Submission.Shortlisted: on_shortlisted,
        Submission.Awarded: on_awarded,
        Submission.SupportThresholdReached: on_threshold_reached,
        Submission.SupportThresholdWithdrawn: on_threshold_withdrawn,
        Review.ConflictDeclared: on_conflict,
    },
)
