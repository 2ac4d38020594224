"""The participants' table of entry drafts (issue 21), for "My submissions" only:
one row per draft, its challenge, author and team, title and state.  No other query
reads it: drafts are no entries (not in the gallery, counts, ranking or any list a
sponsor, reviewer or visitor reads)."""

from __future__ import annotations

from typing import Any

from openinno.domain import EntryDraft
from projections.projection import Handler, Item
from projections.sql import insert, update
from projections.values import iso_text
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS pt_drafts ("
    " draft_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, author_id TEXT NOT NULL,"
    " team_id TEXT, title TEXT NOT NULL, files INTEGER NOT NULL, status TEXT NOT NULL,"
    " saved_at TEXT NOT NULL, submission_id TEXT)",
    "CREATE INDEX IF NOT EXISTS pt_drafts_author ON pt_drafts (author_id, saved_at)",
    "CREATE INDEX IF NOT EXISTS pt_drafts_team ON pt_drafts (team_id)",
)

TABLES = ("pt_drafts",)


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


def _draft(db: Writes, item: Item, **values: Any) -> None:
    update(db, "pt_drafts", {"draft_id": str(item.originator_id)}, values)


def on_saved(db: Writes, item: Item) -> None:
    d = _data(item)
    row = {
        "draft_id": str(item.originator_id),
        "challenge_id": d["challenge_id"],
        "author_id": d["actor_id"],
        "team_id": d.get("team_id"),
        "title": d["content"]["title"],
        "files": len(d["content"].get("files", [])),
        "status": "draft",
        "saved_at": iso_text(d["timestamp"]),
        "submission_id": None,
    }
    insert(db, "pt_drafts", row)


def on_edited(db: Writes, item: Item) -> None:
    d = _data(item)
    content = d["content"]
    files = len(content.get("files", []))
    _draft(db, item, title=content["title"], files=files, saved_at=iso_text(d["timestamp"]))


def on_submitted(db: Writes, item: Item) -> None:
    _draft(db, item, status="submitted", submission_id=_data(item)["submission_id"])


def on_discarded(db: Writes, item: Item) -> None:
    _draft(db, item, status="discarded")


PLAIN: dict[type, Handler] = {
    EntryDraft.Saved: on_saved,
    EntryDraft.Edited: on_edited,
    EntryDraft.Submitted: on_submitted,
    EntryDraft.Discarded: on_discarded,
}
