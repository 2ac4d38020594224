"""Tables and handlers of the moderation read model.

``md_targets``: every entry, question and announcement, with its challenge, a short
excerpt (an entry's title, never its authors: blind review) and whether a moderator
hid it, with the reason; ``md_reports``: one row per report, keyed by its position;
``md_challenges``: each challenge's organisation, whose owners and managers moderate
it.  Report counts are counted by the queue's query, never kept as counters."""

from __future__ import annotations

from typing import Any

from openinno.domain import Account, Challenge, Comment, Organisation, Report, Submission
from openinno.domain.personal import ERASED
from projections.projection import Item, Projection
from projections.sql import insert, update, upsert
from projections.values import iso_text
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS md_challenges ("
    " challenge_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, title TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS md_targets ("
    " target_id TEXT PRIMARY KEY, kind TEXT NOT NULL, challenge_id TEXT NOT NULL,"
    " excerpt TEXT NOT NULL, hidden INTEGER NOT NULL DEFAULT 0, hidden_reason TEXT,"
    " hidden_at TEXT)",
    "CREATE TABLE IF NOT EXISTS md_reports ("
    " position BIGINT PRIMARY KEY, target_id TEXT NOT NULL, reporter_id TEXT NOT NULL,"
    " reason TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS md_reports_target ON md_reports (target_id, position)",
    # Comments (issue 24): each with its thread; ``text`` the latest version (every
    # version stays in the log).
    "CREATE TABLE IF NOT EXISTS md_comments ("
    " comment_id TEXT PRIMARY KEY, position BIGINT NOT NULL, challenge_id TEXT NOT NULL,"
    " submission_id TEXT, parent_id TEXT, author_id TEXT NOT NULL, text TEXT NOT NULL,"
    " posted_at TEXT NOT NULL, edited_at TEXT, versions INTEGER NOT NULL DEFAULT 1,"
    " hidden_reason TEXT)",
    "CREATE INDEX IF NOT EXISTS md_comments_on ON md_comments (challenge_id, submission_id)",
    # Who moderates which organisation's challenges: its owners and managers.
    "CREATE TABLE IF NOT EXISTS md_members ("
    " organisation_id TEXT NOT NULL, account_id TEXT NOT NULL, role TEXT NOT NULL,"
    " PRIMARY KEY (organisation_id, account_id))",
)
TABLES = ("md_challenges", "md_targets", "md_reports", "md_members", "md_comments")
EXCERPT = 200


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


def _target(w: Writes, target_id: str, kind: str, challenge_id: str, excerpt: str) -> None:
    upsert(
        w,
        "md_targets",
        {
            "target_id": target_id,
            "kind": kind,
            "challenge_id": challenge_id,
            "excerpt": " ".join(excerpt.split())[:EXCERPT],
        },
    )


def on_organisation_created(w: Writes, item: Item) -> None:
    upsert(
        w,
        "md_members",
        {
            "organisation_id": str(item.originator_id),
            "account_id": _data(item)["actor_id"],
            "role": "owner",
        },
    )


def on_member_added(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "md_members",
        {
            "organisation_id": str(item.originator_id),
            "account_id": d["account_id"],
            "role": d["role"],
        },
    )


def on_member_removed(w: Writes, item: Item) -> None:
    update(
        w,
        "md_members",
        {"organisation_id": str(item.originator_id), "account_id": _data(item)["account_id"]},
        {"role": "removed"},
    )


def on_drafted(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "md_challenges",
        {
            "challenge_id": str(item.originator_id),
            "organisation_id": d["organisation_id"],
            "title": d["spec"]["title"],
        },
    )


def on_draft_edited(w: Writes, item: Item) -> None:
    update(
        w,
        "md_challenges",
        {"challenge_id": str(item.originator_id)},
        {"title": _data(item)["spec"]["title"]},
    )


def on_question_asked(w: Writes, item: Item) -> None:
    d = _data(item)
    _target(w, d["question_id"], "question", str(item.originator_id), d["text"])


def on_announcement(w: Writes, item: Item) -> None:
    d = _data(item)
    _target(w, d["announcement_id"], "announcement", str(item.originator_id), d["text"])


def _hidden(w: Writes, target_id: str, item: Item) -> None:
    d = _data(item)
    update(
        w,
        "md_targets",
        {"target_id": target_id},
        {"hidden": 1, "hidden_reason": d["reason"], "hidden_at": iso_text(d["timestamp"])},
    )


def _shown(w: Writes, target_id: str) -> None:
    update(
        w,
        "md_targets",
        {"target_id": target_id},
        {"hidden": 0, "hidden_reason": None, "hidden_at": None},
    )


def on_question_hidden(w: Writes, item: Item) -> None:
    _hidden(w, _data(item)["question_id"], item)


def on_question_restored(w: Writes, item: Item) -> None:
    _shown(w, _data(item)["question_id"])


def on_announcement_hidden(w: Writes, item: Item) -> None:
    _hidden(w, _data(item)["announcement_id"], item)


def on_submitted(w: Writes, item: Item) -> None:
    d = _data(item)
    _target(w, str(item.originator_id), "entry", d["challenge_id"], d["content"]["title"])


def on_revised(w: Writes, item: Item) -> None:
    title = " ".join(_data(item)["content"]["title"].split())[:EXCERPT]
    update(w, "md_targets", {"target_id": str(item.originator_id)}, {"excerpt": title})


def on_entry_hidden(w: Writes, item: Item) -> None:
    _hidden(w, str(item.originator_id), item)


def on_entry_shown(w: Writes, item: Item) -> None:
    _shown(w, str(item.originator_id))


def on_comment_posted(w: Writes, item: Item) -> None:
    d = _data(item)
    comment = str(item.originator_id)
    insert(
        w,
        "md_comments",
        {
            "comment_id": comment,
            "position": item.position,
            "challenge_id": d["challenge_id"],
            "submission_id": d.get("submission_id"),
            "parent_id": d.get("parent_id"),
            "author_id": d["actor_id"],
            "text": d["text"],
            "posted_at": iso_text(d["timestamp"]),
            "versions": 1,
        },
    )
    _target(w, comment, "comment", d["challenge_id"], d["text"])


def on_comment_edited(w: Writes, item: Item) -> None:
    d = _data(item)
    comment = str(item.originator_id)
    update(
        w,
        "md_comments",
        {"comment_id": comment},
        {
            "text": d["text"],
            "edited_at": iso_text(d["timestamp"]),
            "versions": item.originator_version,
        },
    )
    update(
        w, "md_targets", {"target_id": comment}, {"excerpt": " ".join(d["text"].split())[:EXCERPT]}
    )


def on_account_erased(w: Writes, item: Item) -> None:
    """The author's comments read as erased, as a rebuild decodes them."""
    author = str(item.originator_id)
    w.execute(
        "UPDATE md_targets SET excerpt = ? WHERE kind = 'comment' AND target_id IN"
        " (SELECT comment_id FROM md_comments WHERE author_id = ?)",
        (ERASED, author),
    )
    w.execute("UPDATE md_comments SET text = ? WHERE author_id = ?", (ERASED, author))


def on_comment_hidden(w: Writes, item: Item) -> None:
    comment = str(item.originator_id)
    update(w, "md_comments", {"comment_id": comment}, {"hidden_reason": _data(item)["reason"]})
    _hidden(w, comment, item)


def on_reported(w: Writes, item: Item) -> None:
    d = _data(item)
    insert(
        w,
        "md_reports",
        {
            "position": item.position,
            "target_id": d["target_id"],
            "reporter_id": d["actor_id"],
            "reason": d["reason"],
            "at": iso_text(d["timestamp"]),
        },
    )


PROJECTION = Projection(
    name="moderation",
    tables=TABLES,
    ddl=DDL,
    insert_only=("md_reports",),
    handlers={},
    plain={
        Organisation.Created: on_organisation_created,
        Organisation.MemberAdded: on_member_added,
        Organisation.MemberRemoved: on_member_removed,
        Challenge.Drafted: on_drafted,
        Challenge.DraftEdited: on_draft_edited,
        Challenge.QuestionAsked: on_question_asked,
        Challenge.QuestionHidden: on_question_hidden,
        Challenge.QuestionRestored: on_question_restored,
        Challenge.AnnouncementPosted: on_announcement,
        Challenge.DeadlineExtended: on_announcement,
        Challenge.ReviewClosedEarly: on_announcement,
        Challenge.AnnouncementHidden: on_announcement_hidden,
        Submission.Submitted: on_submitted,
        Submission.Revised: on_revised,
        Submission.Hidden: on_entry_hidden,
        Submission.Shown: on_entry_shown,
        Report.Filed: on_reported,
        Comment.Posted: on_comment_posted,
        Comment.Edited: on_comment_edited,
        Comment.Hidden: on_comment_hidden,
        Account.Erased: on_account_erased,
    },
    rebuild_cost=0.5,
)
