"""Entry drafts (issue 21), given-when-then: saved, edited, submitted once or
discarded; looser rules than an entry's, the same bounds."""

from __future__ import annotations

import pytest

from openinno.domain import EntryDraft
from openinno.domain.entry_draft import check_draft_content
from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.values import FileRef, SubmissionContent
from tests.domain.helpers import SOLVER, at, given, new_id, recorded

ROUGH = SubmissionContent(title="Kites", summary="")


def a_draft() -> EntryDraft:
    draft = EntryDraft(
        id=new_id(), actor_id=SOLVER, challenge_id=new_id(), content=ROUGH, timestamp=at(1)
    )
    return given(draft)  # type: ignore[return-value]


def test_a_draft_may_be_unfinished_but_is_bounded():
    assert check_draft_content(ROUGH, max_files=2) == ROUGH
    with pytest.raises(InvalidInput) as e:
        check_draft_content(SubmissionContent(title=" ", summary="x"), max_files=2)
    assert e.value.field == "title"
    many = tuple(FileRef(f"{i}.pdf", "a" * 64, 1, "application/pdf") for i in range(3))
    with pytest.raises(InvalidInput):
        check_draft_content(SubmissionContent(title="Kites", summary="", files=many), max_files=2)


def test_a_draft_is_edited_until_submitted_then_closed():
    draft = a_draft()
    finished = SubmissionContent(title="Kites", summary="Solar kites.")
    draft.edit(SOLVER, finished, at(2))
    with pytest.raises(InvalidInput):
        draft.edit(SOLVER, finished, at(2))
    entry = new_id()
    draft.mark_submitted(SOLVER, entry, at(3))
    assert recorded(draft) == ["Edited", "Submitted"]
    assert (draft.status, draft.submission_id, draft.content) == ("submitted", entry, finished)
    for change in (
        lambda: draft.edit(SOLVER, ROUGH, at(4)),
        lambda: draft.mark_submitted(SOLVER, new_id(), at(4)),
        lambda: draft.discard(SOLVER, at(4)),
    ):
        with pytest.raises(InvalidState):
            change()
    assert recorded(draft) == []


def test_a_discarded_draft_cannot_be_submitted():
    draft = a_draft()
    draft.discard(SOLVER, at(2))
    assert recorded(draft) == ["Discarded"]
    with pytest.raises(InvalidState):
        draft.mark_submitted(SOLVER, new_id(), at(3))
