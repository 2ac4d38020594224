"""Given-when-then: the Appeal aggregate and the entry's side of an appeal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openinno.domain import Appeal, Submission
from openinno.domain.errors import AccessDenied, InvalidInput, InvalidState, WindowClosed
from openinno.domain.values import SubmissionContent
from tests.domain.helpers import SOLVER, SPONSOR, at, given, new_id, recorded


def an_appeal() -> Appeal:
    entry = new_id()
    return given(
        Appeal(
            id=new_id(),
            actor_id=SOLVER,
            ground="disqualification",
            challenge_id=new_id(),
            subject_id=entry,
            submission_id=entry,
            text="Mine.",
            files=(),
            timestamp=at(0),
        )
    )


def a_disqualified_entry() -> Submission:
    entry = Submission(
        id=new_id(),
        actor_id=SOLVER,
        challenge_id=new_id(),
        team_ids=(),
        content=SubmissionContent("Kites", "Up."),
        accepted_terms_sha256="a" * 64,
        content_sha256="b" * 64,
        receipt_id=new_id(),
        timestamp=at(0),
    )
    entry.disqualify(SPONSOR, "Copied.", at(1))
    return given(entry)


def test_an_answer_then_a_decision_closes_the_appeal():
    appeal = an_appeal()
    appeal.answer(SPONSOR, "Show us.", (), at(1))
    assert recorded(appeal) == ["Answered"] and appeal.status == "answered"
    with pytest.raises(InvalidInput):
        appeal.decide(SPONSOR, "maybe", "Hmm.", at(2))
    with pytest.raises(InvalidInput):
        appeal.decide(SPONSOR, "rejected", " ", at(2))
    appeal.decide(SPONSOR, "rejected", "No evidence.", at(2))
    assert recorded(appeal) == ["Decided"] and appeal.status == "rejected"
    with pytest.raises(InvalidState):
        appeal.answer(SOLVER, "But...", (), at(3))


def test_the_appellants_own_reply_leaves_it_open():
    appeal = an_appeal()
    appeal.answer(SOLVER, "More evidence.", (), at(1))
    assert appeal.status == "open"


def test_an_entry_is_appealed_once_per_disqualification_within_the_window():
    entry = a_disqualified_entry()
    week = timedelta(days=7)
    with pytest.raises(AccessDenied):
        entry.lodge_appeal(SPONSOR, new_id(), "disqualification", at(2), window=week)
    with pytest.raises(WindowClosed):
        entry.lodge_appeal(SOLVER, new_id(), "disqualification", at(8), window=week)
    appeal_id = new_id()
    entry.lodge_appeal(SOLVER, appeal_id, "disqualification", at(7.9), window=week)
    assert recorded(entry) == ["AppealLodged"]
    with pytest.raises(InvalidState):
        entry.lodge_appeal(SOLVER, new_id(), "disqualification", at(3), window=week)
    entry.reinstate(SPONSOR, appeal_id, "Upheld.", at(9))
    assert recorded(entry) == ["Reinstated"] and entry.status == "submitted"
    with pytest.raises(InvalidState):
        entry.reinstate(SPONSOR, appeal_id, "Again.", at(10))
