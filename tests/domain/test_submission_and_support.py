import pytest

from openinno.domain import SolverEntries, Submission, SupportTally, Vote
from openinno.domain.errors import (
    AlreadySupported,
    InvalidInput,
    InvalidState,
    SubmissionLimitReached,
)
from openinno.domain.submission import check_content, content_sha256
from openinno.domain.values import FileRef, SubmissionContent
from tests.domain.helpers import SOLVER, SPONSOR, at, given, new_id, recorded

CONTENT = SubmissionContent(
    title="Sand filter kit",
    summary="Three barrels and gravel.",
    files=(FileRef("plan.pdf", 1234, "application/pdf", "a" * 64),),
)


def a_submission() -> Submission:
    digest = content_sha256(CONTENT)
    return given(
        Submission(
            id=new_id(),
            actor_id=SOLVER,
            challenge_id=new_id(),
            team_ids=(),
            content=CONTENT,
            accepted_terms_sha256="t" * 64,
            content_sha256=digest,
            receipt_id=new_id(),
            timestamp=at(2),
        )
    )


def test_a_submission_carries_a_receipt_for_its_exact_content():
    submission = a_submission()
    assert submission.receipt.content_sha256 == content_sha256(CONTENT)
    assert submission.receipt.recorded_at == at(2)
    assert submission.receipt.version == 1


def test_the_content_hash_covers_every_file_hash():
    changed = SubmissionContent(
        title=CONTENT.title,
        summary=CONTENT.summary,
        files=(FileRef("plan.pdf", 1234, "application/pdf", "b" * 64),),
    )
    assert content_sha256(changed) != content_sha256(CONTENT)


def test_revisions_keep_every_version_with_its_own_receipt():
    submission = a_submission()
    revised = SubmissionContent(title="Sand filter kit v2", summary="Now with charcoal.")
    submission.revise(SOLVER, revised, new_id(), at(3))
    assert recorded(submission) == ["Revised"]
    assert [r.version for r in submission.receipts] == [1, 2]
    assert submission.versions[0][0] == CONTENT
    with pytest.raises(InvalidInput):
        submission.revise(SOLVER, revised, new_id(), at(4))
    with pytest.raises(InvalidState):
        submission.revise(SPONSOR, CONTENT, new_id(), at(4))


def test_withdrawn_entries_cannot_change_or_win():
    submission = a_submission()
    submission.withdraw(SOLVER, "Changed my mind", at(3))
    assert recorded(submission) == ["Withdrawn"]
    with pytest.raises(InvalidState):
        submission.revise(SOLVER, CONTENT, new_id(), at(4))
    with pytest.raises(InvalidState):
        submission.award(SPONSOR, 1, new_id(), at(31))


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (SubmissionContent(title="x", summary="ok"), "title"),
        (SubmissionContent(title="A title", summary=" "), "summary"),
        (
            SubmissionContent(
                title="A title", summary="ok", files=(CONTENT.files[0], CONTENT.files[0])
            ),
            "files",
        ),
    ],
)
def test_bad_content_is_refused(content, field):
    with pytest.raises(InvalidInput) as refused:
        check_content(content, max_files=5)
    assert refused.value.field == field


def test_the_entry_count_holds_the_limit_and_withdrawal_frees_a_slot():
    entries = given(
        SolverEntries(id=new_id(), challenge_id=new_id(), solver_id=SOLVER, timestamp=at())
    )
    first, second = new_id(), new_id()
    entries.count_entry(first, 2, at(1))
    entries.count_entry(second, 2, at(1))
    with pytest.raises(SubmissionLimitReached):
        entries.count_entry(new_id(), 2, at(1))
    entries.release_entry(first, at(2))
    entries.count_entry(new_id(), 2, at(3))
    assert recorded(entries) == ["EntryCounted", "EntryCounted", "EntryReleased", "EntryCounted"]


def test_a_vote_can_be_retracted_and_cast_again_but_never_twice_at_once():
    vote = given(
        Vote(
            id=new_id(),
            actor_id=SOLVER,
            submission_id=new_id(),
            challenge_id=new_id(),
            timestamp=at(),
        )
    )
    with pytest.raises(AlreadySupported):
        vote.recast(SOLVER, at(1))
    vote.retract(SOLVER, at(1))
    with pytest.raises(InvalidState):
        vote.retract(SOLVER, at(1))
    vote.recast(SOLVER, at(2))
    assert recorded(vote) == ["Retracted", "Recast"]


def test_the_tally_crosses_its_threshold_once():
    tally = given(SupportTally(id=new_id(), submission_id=new_id(), timestamp=at()))
    tally.change(+1, at())
    assert not tally.crosses_threshold(2)
    tally.change(+1, at())
    assert tally.crosses_threshold(2)
    tally.mark_threshold(2, at())
    tally.change(-1, at())
    tally.change(+1, at())
    assert not tally.crosses_threshold(2)
    assert recorded(tally) == [
        "SupportChanged",
        "SupportChanged",
        "ThresholdCrossed",
        "SupportChanged",
        "SupportChanged",
    ]
    with pytest.raises(InvalidState):
        tally.change(+2, at())


def test_the_submission_is_flagged_for_review_once():
    submission = a_submission()
    submission.reach_support_threshold(SOLVER, 10_000, 10_000, at(5))
    submission.reach_support_threshold(SOLVER, 10_001, 10_000, at(5))
    assert recorded(submission) == ["SupportThresholdReached"]
