"""Comments as a viewer may read them (issue 24), for the API (and pages to come):
on an entry, a comment by one of its authors names them only to those who may know
the entry's authors (blind review, decision 15); everyone else reads "an author of
this entry".  A hidden comment shows its reason in place of its text."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from openinno.application import OpenInno
from openinno.domain import Submission
from projections.db import Row
from projections.values import parse_iso


class CommentView(msgspec.Struct, frozen=True):
    id: UUID
    parent_id: UUID | None
    # "author" (of the entry commented on) or "participant".
    by: str
    author_id: UUID | None
    author_name: str | None
    text: str
    posted_at: datetime
    edited_at: datetime | None
    versions: int
    hidden_reason: str | None


def comment_views(
    openinno: OpenInno, viewer: UUID | None, rows: list[Row], submission: Submission | None
) -> list[CommentView]:
    authors = {str(a) for a in submission.author_ids} if submission is not None else set()
    named = submission is None or openinno.may_see_authors(viewer, submission)
    views = []
    for r in rows:
        by_author = r["author_id"] in authors
        shown = named or not by_author
        hidden = r["hidden_reason"]
        views.append(
            CommentView(
                id=UUID(r["comment_id"]),
                parent_id=UUID(r["parent_id"]) if r["parent_id"] else None,
                by="author" if by_author else "participant",
                author_id=UUID(r["author_id"]) if shown else None,
                author_name=r["author_name"] if shown else None,
                text="" if hidden else r["text"],
                posted_at=parse_iso(r["posted_at"]),
                edited_at=parse_iso(r["edited_at"]) if r["edited_at"] else None,
                versions=int(r["versions"]),
                hidden_reason=hidden,
            )
        )
    return views
