"""Review that binds (issue 20): each review records the version it scored, review
runs when the challenge says, and an award names a version some reviewer scored or
the sponsor's reason for awarding it unscored."""

from __future__ import annotations

import itertools
from decimal import Decimal
from uuid import UUID

import pytest

from openinno.domain import Review, Submission
from openinno.domain.errors import InvalidState, UnreviewedVersion, WindowClosed
from openinno.domain.review import scored_versions
from openinno.domain.submission import content_sha256
from openinno.domain.values import Award, Criterion, SubmissionContent
from tests.domain.helpers import REVIEWER, SOLVER, SPONSOR, at, given, new_id, recorded
from tests.domain.test_challenge import a_published

CRITERIA = (Criterion("impact", 50), Criterion("cost", 30), Criterion("clarity", 20))
SCORES = {"impact": Decimal(7), "cost": Decimal(6), "clarity": Decimal(8)}
OTHER_REVIEWER = UUID(int=4)


def an_entry(challenge_id: UUID) -> Submission:
    content = SubmissionContent("Sand filter", "A slow sand filter for 5,000 people.")
    return given(
        Submission(
            id=new_id(),
            actor_id=SOLVER,
            challenge_id=challenge_id,
            team_ids=(),
            content=content,
            accepted_terms_sha256="t" * 64,
            content_sha256=content_sha256(content),
            receipt_id=new_id(),
            timestamp=at(2),
        )
    )


def revise(entry: Submission, n: int, day: float = 3) -> None:
    entry.revise(
        SOLVER, SubmissionContent(f"Sand filter {n}", "Now with a pump."), new_id(), at(day)
    )


def a_review(entry: Submission, reviewer: UUID = REVIEWER) -> Review:
    return given(
        Review(
            id=new_id(),
            actor_id=reviewer,
            challenge_id=entry.challenge_id,
            submission_id=entry.id,
            timestamp=at(31),
        )
    )


def score(review: Review, entry: Submission, day: float = 31) -> None:
    """What ``record_review`` does: the scores of the entry's current version."""
    review.record_scores(
        review.reviewer_id,
        CRITERIA,
        SCORES,
        "",
        at(day),
        content_sha256=entry.content_sha256,
        version=len(entry.versions),
    )


def hashes(entry: Submission) -> list[str]:
    return [digest for _content, digest in entry.versions]


class TestReviewsRecordTheirVersion:
    def test_scores_name_the_version_scored_and_a_revision_leaves_them_stale(self):
        challenge = a_published()
        entry = an_entry(challenge.id)
        review = a_review(entry)
        score(review, entry)
        [event] = review.collect_events()
        assert (event.content_sha256, event.version) == (entry.content_sha256, 1)
        revise(entry, 2)
        assert review.scored_version == 1
        assert scored_versions([review], hashes(entry)) == {hashes(entry)[0]}
        assert entry.content_sha256 not in scored_versions([review], hashes(entry))
        score(review, entry, 32)
        assert recorded(review) == ["ScoresRevised"]
        assert review.scored_version == 2
        assert scored_versions([review], hashes(entry)) == {entry.content_sha256}

    def test_a_conflicted_review_scores_nothing(self):
        entry = an_entry(new_id())
        review = a_review(entry)
        score(review, entry)
        review.declare_conflict(REVIEWER, "I know the team", at(32))
        assert scored_versions([review], hashes(entry)) == frozenset()

    def test_an_old_review_without_a_version_scored_the_only_version_or_an_unknown_one(self):
        """Decision 0020: scores recorded before versions were bound count for version
        1 while the entry never had another; after a revision, for no version."""
        entry = an_entry(new_id())
        review = a_review(entry)
        review.record_scores(REVIEWER, CRITERIA, SCORES, "", at(31))  # no version: old
        assert review.scored_content(hashes(entry)) == entry.content_sha256
        revise(entry, 2)
        assert review.scored_content(hashes(entry)) is None


class TestWhenReviewRuns:
    def test_after_close_is_the_default_and_refuses_scoring_before_the_close(self):
        challenge = a_published()
        assert challenge.spec.review_runs == "after_close"
        assert challenge.terms is not None
        assert challenge.terms.spec.review_timing == "after_close"  # explicit in the terms
        challenge.invite_reviewer(SPONSOR, REVIEWER, at(1))
        challenge.accept_reviewer_invitation(REVIEWER, at(1))
        with pytest.raises(WindowClosed, match="Review starts when submissions close"):
            challenge.require_reviewing(REVIEWER, at(29))
        challenge.require_reviewing(REVIEWER, at(30))
        with pytest.raises(WindowClosed):
            challenge.require_reviewing(REVIEWER, at(45))

    def test_rolling_review_scores_while_submissions_are_open(self):
        challenge = a_published(review_timing="rolling")
        challenge.invite_reviewer(SPONSOR, REVIEWER, at(1))
        challenge.accept_reviewer_invitation(REVIEWER, at(1))
        challenge.require_reviewing(REVIEWER, at(2))

    def test_closing_review_early_needs_an_announcement_and_ends_scoring(self):
        challenge = a_published()
        challenge.invite_reviewer(SPONSOR, REVIEWER, at(1))
        challenge.accept_reviewer_invitation(REVIEWER, at(1))
        given(challenge)
        with pytest.raises(WindowClosed):
            challenge.close_review_early(SPONSOR, new_id(), "Done", at(10))
        with pytest.raises(Exception, match="Write something"):
            challenge.close_review_early(SPONSOR, new_id(), "  ", at(31))
        announcement = new_id()
        challenge.close_review_early(SPONSOR, announcement, "The jury is done.", at(31))
        assert recorded(challenge) == ["ReviewClosedEarly"]
        assert announcement in challenge.announcements
        with pytest.raises(WindowClosed):
            challenge.require_reviewing(REVIEWER, at(32))
        with pytest.raises(InvalidState):
            challenge.close_review_early(SPONSOR, new_id(), "Again", at(32))
        with pytest.raises(InvalidState):
            challenge.extend_deadline(SPONSOR, at(40), new_id(), "More time", at(32))

    def test_award_waits_for_the_end_of_review_or_its_early_close(self):
        challenge = a_published()
        award = Award(new_id(), 1, new_id(), "c" * 64, 1)
        scored = {award.submission_id: {"c" * 64}}
        with pytest.raises(WindowClosed, match="close review early"):
            challenge.award(SPONSOR, (award,), at(31), scored)
        challenge.close_review_early(SPONSOR, new_id(), "The jury is done.", at(31))
        challenge.award(SPONSOR, (award,), at(31), scored)
        assert challenge.awards == (award,)


class TestTheAwardGuard:
    def test_an_unscored_version_needs_the_sponsors_reason_which_is_recorded(self):
        challenge = a_published()
        entry = an_entry(challenge.id)
        review = a_review(entry)
        score(review, entry)
        revise(entry, 2)
        scored = {entry.id: scored_versions([review], hashes(entry))}
        award = Award(entry.id, 1, new_id(), entry.content_sha256, 2)
        with pytest.raises(UnreviewedVersion, match="version 2"):
            challenge.award(SPONSOR, (award,), at(45), scored)
        with pytest.raises(UnreviewedVersion):
            challenge.award(SPONSOR, (Award(entry.id, 1, new_id(), None, None, "ok"),), at(45), {})
        blank = Award(entry.id, 1, new_id(), entry.content_sha256, 2, "   ")
        with pytest.raises(UnreviewedVersion):
            challenge.award(SPONSOR, (blank,), at(45), scored)
        reason = Award(entry.id, 1, new_id(), entry.content_sha256, 2, " Jury saw it live. ")
        challenge.award(SPONSOR, (reason,), at(45), scored)
        [event] = challenge.collect_events()
        assert event.awards[0].override_reason == "Jury saw it live."
        assert event.awards[0].content_sha256 == entry.content_sha256


# --- every order of revise / score / conflict / award ------------------------------------

STEPS = ("revise", "score_a", "score_b", "conflict_b", "award", "award_with_reason")


def play(steps: tuple[str, ...]) -> None:
    """Plays ``steps`` on one entry with two reviewers; whenever an award is recorded,
    the version it names was the last one a reviewer without a conflict scored, or
    the award carries a reason.  The oracle is a model kept here (which version each
    reviewer last scored), not the code under test."""
    challenge = a_published()
    entry = an_entry(challenge.id)
    reviews = {REVIEWER: a_review(entry), OTHER_REVIEWER: a_review(entry, OTHER_REVIEWER)}
    last_scored: dict[UUID, int] = {}
    conflicted: set[UUID] = set()
    for n, step in enumerate(steps):
        if step == "revise":
            revise(entry, n)
        elif step.startswith("score"):
            reviewer = REVIEWER if step == "score_a" else OTHER_REVIEWER
            if reviewer in conflicted:
                continue
            score(reviews[reviewer], entry)
            last_scored[reviewer] = len(entry.versions)
        elif step == "conflict_b":
            if OTHER_REVIEWER not in conflicted:
                reviews[OTHER_REVIEWER].declare_conflict(OTHER_REVIEWER, "Knows them", at(31))
                conflicted.add(OTHER_REVIEWER)
        else:
            reason = "Seen by the jury in person" if step == "award_with_reason" else None
            award = Award(entry.id, 1, new_id(), entry.content_sha256, len(entry.versions), reason)
            scored = {entry.id: scored_versions(reviews.values(), hashes(entry))}
            current = len(entry.versions)
            reviewed = any(v == current for r, v in last_scored.items() if r not in conflicted)
            if challenge.awards:
                continue
            if reviewed or reason:
                challenge.award(SPONSOR, (award,), at(45), scored)
                awarded = challenge.awards[0]
                assert awarded.content_sha256 == entry.content_sha256
                assert awarded.version == current
                assert reviewed or awarded.override_reason
            else:
                with pytest.raises(UnreviewedVersion):
                    challenge.award(SPONSOR, (award,), at(45), scored)
                assert not challenge.awards


@pytest.mark.parametrize("length", [1, 2, 3, 4])
def test_no_award_points_at_an_unscored_version_without_a_reason(length):
    """Exhaustive over every sequence of up to four steps (1,554 orders)."""
    for steps in itertools.product(STEPS, repeat=length):
        play(steps)
