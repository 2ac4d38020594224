"""Tables and event handlers of the decisions log (``dc_decisions``): one row per
decision event, keyed by its position in the log."""

from __future__ import annotations

from collections.abc import Callable

from openinno.domain import (
    Account,
    Appeal,
    Challenge,
    IpAgreement,
    Organisation,
    Submission,
    Vote,
)
from projections.projection import Handler, Item, Projection
from projections.sql import insert
from projections.values import iso_text
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS dc_decisions ("
    " position BIGINT PRIMARY KEY, kind TEXT NOT NULL, subject_id TEXT NOT NULL,"
    " actor_id TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS dc_decisions_kind ON dc_decisions (kind, position)",
)


def _decision(kind: str, subject: Callable[[Item], str] | None = None) -> Handler:
    """A handler recording the event as a decision of ``kind`` about its stream (or
    about what ``subject`` names in the payload)."""

    def record(w: Writes, item: Item) -> None:
        assert item.data is not None
        d = item.data
        insert(
            w,
            "dc_decisions",
            {
                "position": item.position,
                "kind": kind,
                "subject_id": subject(item) if subject else str(item.originator_id),
                "actor_id": str(d["actor_id"]),
                "reason": d.get("reason") or d.get("role") or "",
                "at": iso_text(d["timestamp"]),
            },
        )

    return record


def _member(item: Item) -> str:
    assert item.data is not None
    return str(item.data["account_id"])


def _appeal_decided(w: Writes, item: Item) -> None:
    assert item.data is not None
    _decision(f"appeal_{item.data['outcome']}")(w, item)


PROJECTION = Projection(
    name="decisions",
    tables=("dc_decisions",),
    ddl=DDL,
    insert_only=("dc_decisions",),
    handlers={},
    plain={
        Account.Deactivated: _decision("account_deactivated"),
        Account.Reactivated: _decision("account_reactivated"),
        Account.RoleGranted: _decision("role_granted"),
        Account.RoleRevoked: _decision("role_revoked"),
        Organisation.MemberRemoved: _decision("member_removed", _member),
        Challenge.Cancelled: _decision("challenge_cancelled"),
        Challenge.QuestionHidden: _decision("question_hidden"),
        Submission.Disqualified: _decision("entry_disqualified"),
        IpAgreement.Disputed: _decision("agreement_disputed"),
        IpAgreement.Rescinded: _decision("agreement_rescinded"),
        Vote.Voided: _decision("vote_voided"),
        # Appeals (issue 24): each decision, and what an upheld one undid.
        Appeal.Decided: _appeal_decided,
        Submission.Reinstated: _decision("entry_reinstated"),
        Challenge.QuestionRestored: _decision("question_restored"),
        # Moderation (issue 24).
        Submission.Hidden: _decision("entry_hidden"),
        Submission.Shown: _decision("entry_shown"),
        Challenge.AnnouncementHidden: _decision("announcement_hidden"),
        # Re-awards (issue 24): the challenge's, and each entry's place taken back.
        Challenge.WinnersReawarded: _decision("winners_reawarded"),
        Submission.AwardRevoked: _decision("award_revoked"),
    },
    # rare events: a small share of a rebuild
    rebuild_cost=0.1,
)
