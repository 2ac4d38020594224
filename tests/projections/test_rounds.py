"""Review rounds (issue 20): screening by many reviewers, then a jury on the shortlist,
each round with its reviewers and its own rubric; the shortlist of one round is the
entry list of the next.  An award (and its IP agreement) never names a version that
no reviewer of the FINAL round scored, unless the sponsor records why."""

from __future__ import annotations

import itertools
from datetime import timedelta
from uuid import UUID

import pytest

from openinno.application import OpenInno
from openinno.domain.errors import NotFound, UnreviewedVersion, WindowClosed
from openinno.domain.values import Criterion, ReviewRound, Voting
from projections.db import Db
from projections.reviewers import queries as reviewers
from projections.service import ReadSide
from tests.support.story import Scene

SCREEN = {"originality": 7, "feasibility": 6, "fun": 8}
JURY_CRITERIA = (Criterion("wow", 60), Criterion("brand fit", 40, 1, 5))
JURY = {"wow": 9, "brand fit": 4}


def a_rounds_challenge(cast: Scene, app: OpenInno) -> tuple[UUID, str, UUID, UUID]:
    challenge, terms = cast.open_challenge(
        later_rounds=(ReviewRound("Jury", JURY_CRITERIA),),
        voting=Voting("shortlist_then_public"),
        award_rule="weighted",
        public_weight=40,
    )
    screener, juror = cast.reviewer, cast.account("juror")
    app.invite_reviewer(cast.sponsor, challenge, screener)
    app.invite_reviewer(cast.sponsor, challenge, juror, round=2)
    for person in (screener, juror):
        app.accept_reviewer_invitation(person, challenge)
    return challenge, terms, screener, juror


def test_screening_then_a_jury_on_the_shortlist_with_its_own_rubric(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge, terms, screener, juror = a_rounds_challenge(cast, app)
    published = app.get_challenge(challenge, cast.sponsor)
    assert published.terms is not None
    assert published.terms.spec.award_rule == "weighted"
    assert published.terms.spec.public_weight == 40
    entries = [
        cast.submit(challenge, terms, solver=cast.account(f"s{i}"), title=f"Advert {i}")
        for i in range(3)
    ]
    cast.clock.advance(timedelta(days=28))
    for entry in entries:
        app.record_review(screener, entry, SCREEN)
    with pytest.raises(WindowClosed):  # the jury's round is not under way yet
        app.record_review(juror, entries[0], JURY)
    app.advance_round(cast.sponsor, challenge, entries[:2])
    with pytest.raises(WindowClosed):  # screening is over
        app.record_review(screener, entries[0], SCREEN)
    with pytest.raises(NotFound):  # not on the shortlist: not in the jury's round
        app.record_review(juror, entries[2], JURY)
    app.record_review(juror, entries[0], JURY)
    read_side.catch_up()
    queue = reviewers.my_review_queue(db, juror)
    assert {e["submission_id"] for e in queue} == {str(e) for e in entries[:2]}
    # The ranking is the jury's: its rubric's total (9/10 x 60 + 3/4 x 40 = 84).
    ranked = reviewers.scored_entries_page(db, challenge, after=None, limit=10)
    assert [(r["submission_id"], r["mean_total"]) for r in ranked] == [(str(entries[0]), 84.0)]

    app.close_review_early(cast.sponsor, challenge, "The jury is done.")
    # entries[1]: scored in screening only, so no reviewer of the final round scored it.
    with pytest.raises(UnreviewedVersion):
        app.award(cast.sponsor, challenge, [(entries[0], 1), (entries[1], 2)])
    awarded = app.award(
        cast.sponsor,
        challenge,
        [(entries[0], 1), (entries[1], 2)],
        override_reasons={entries[1]: "Second place by the public vote."},
    )
    second = app.get_agreement(cast.sponsor, awarded.agreement_ids[1])
    assert second.override_reason == "Second place by the public vote."


@pytest.mark.parametrize(
    "screened, jury_scored, juror_recused, reason",
    list(itertools.product([False, True], repeat=4)),
)
def test_an_award_needs_a_final_round_score_of_its_version_or_a_reason(
    app: OpenInno, cast: Scene, screened, jury_scored, juror_recused, reason
):
    """Every combination of a screening score, a jury score, the juror recusing after
    scoring, and a reason: the award (and its agreement) names the entry's current
    version, and goes through without a reason exactly when a juror (final round)
    scored that version and still counts.  (Revisions after scoring: decision 0022's
    exhaustive test; entries cannot change once rounds advance, after closing.)"""
    challenge, terms, screener, juror = a_rounds_challenge(cast, app)
    solver = cast.account("solver1")
    entry = cast.submit(challenge, terms, solver=solver, title="Advert")
    cast.clock.advance(timedelta(days=28))
    if screened:
        app.record_review(screener, entry, SCREEN)
    app.advance_round(cast.sponsor, challenge, [entry])
    if jury_scored:
        app.record_review(juror, entry, JURY)
    if juror_recused:
        app.declare_conflict(juror, entry, "I know the agency.")
    app.close_review_early(cast.sponsor, challenge, "Done.")
    reasons = {entry: "Chosen at the final pitch."} if reason else None
    if (jury_scored and not juror_recused) or reason:
        awarded = app.award(cast.sponsor, challenge, [(entry, 1)], override_reasons=reasons)
        agreement = app.get_agreement(cast.sponsor, awarded.agreement_ids[0])
        assert agreement.content_sha256 == app.get_submission(solver, entry).content_sha256
        assert agreement.override_reason == ("Chosen at the final pitch." if reason else None)
    else:
        with pytest.raises(UnreviewedVersion):
            app.award(cast.sponsor, challenge, [(entry, 1)], override_reasons=reasons)


def test_jury_shortlist_then_public_vote_then_award_by_the_stated_rule(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    """The Doritos flow: screening, a jury round on the screening's shortlist, the
    jury's shortlist put to a public vote, the sponsor sees the counts beside the jury
    scores in the order the terms' rule (40 % public) gives, and awards by it."""
    from projections.sponsors import queries as sponsors

    challenge, terms, screener, juror = a_rounds_challenge(cast, app)
    entries = [
        cast.submit(challenge, terms, solver=cast.account(f"s{i}"), title=f"Advert {i}")
        for i in range(3)
    ]
    cast.clock.advance(timedelta(days=28))
    for entry in entries:
        app.record_review(screener, entry, SCREEN)
    app.advance_round(cast.sponsor, challenge, entries[:2])
    a, b = entries[:2]
    app.record_review(juror, a, JURY)  # 9/10 x 60 + 3/4 x 40 = 84
    app.record_review(juror, b, {"wow": 5, "brand fit": 2})  # 30 + 10 = 40
    app.publish_shortlist(cast.sponsor, challenge, [a, b])
    app.support(cast.account("fan0"), a)
    for i in range(1, 4):
        app.support(cast.account(f"fan{i}"), b)
    read_side.catch_up()
    jury_first = sponsors.shortlist_decision(db, challenge, "jury", 0)
    assert [r["submission_id"] for r in jury_first] == [str(a), str(b)]
    decided = sponsors.shortlist_decision(db, challenge, "weighted", 40)
    # a: 0.6 x 0.84 + 0.4 x 1/3 = 0.6373; b: 0.6 x 0.40 + 0.4 x 3/3 = 0.64
    assert [
        (r["submission_id"], r["jury_mean_total"], r["support_count"], r["score"]) for r in decided
    ] == [(str(b), 40.0, 3, 0.64), (str(a), 84.0, 1, 0.6373)]
    cast.clock.advance(timedelta(days=20))  # the vote and review end
    app.award(cast.sponsor, challenge, [(b, 1), (a, 2)])


def test_where_the_public_has_a_say_an_award_against_the_stated_rule_needs_a_reason(
    app: OpenInno, cast: Scene
):
    challenge, terms, _screener, juror = a_rounds_challenge(cast, app)  # weighted, 40 %
    a = cast.submit(challenge, terms, solver=cast.account("s1"), title="Crunch")
    b = cast.submit(challenge, terms, solver=cast.account("s2"), title="Dust")
    cast.clock.advance(timedelta(days=28))
    app.advance_round(cast.sponsor, challenge, [a, b])
    app.record_review(juror, a, JURY)  # 84
    app.record_review(juror, b, {"wow": 5, "brand fit": 2})  # 40
    app.publish_shortlist(cast.sponsor, challenge, [a, b])
    for i in range(3):
        app.support(cast.account(f"fan{i}"), b)
    app.support(cast.account("fan3"), a)
    cast.clock.advance(timedelta(days=20))
    # The rule gives b first (0.64 against 0.6373): the jury's favourite first is refused.
    with pytest.raises(UnreviewedVersion, match="weighted rule"):
        app.award(cast.sponsor, challenge, [(a, 1), (b, 2)])
    with pytest.raises(UnreviewedVersion, match="place 2"):  # each place departing
        app.award(cast.sponsor, challenge, [(a, 1), (b, 2)], override_reasons={a: "Fraud."})
    awarded = app.award(
        cast.sponsor,
        challenge,
        [(a, 1), (b, 2)],
        override_reasons={
            a: "The public vote was manipulated (report 7).",
            b: "The public vote was manipulated (report 7).",
        },
    )
    first = app.get_agreement(cast.sponsor, awarded.agreement_ids[0])
    assert first.override_reason == "The public vote was manipulated (report 7)."


SEMI_CRITERIA = (Criterion("craft", 100),)
FINAL_CRITERIA = (Criterion("wow", 100),)


# The guard is the write side's (the same on both stores); 108 challenges once suffice.
@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_with_three_rounds_only_the_last_rounds_score_of_the_current_version_backs_an_award(
    app: OpenInno, cast: Scene
):
    """Every combination, on a challenge of three rounds with rolling review: the
    screening round scored nothing, a version later revised (stale), or the current
    one; the middle round scored or not; the final round scored, recused after
    scoring, or neither; the rounds advanced to the first, the second or the last;
    a reason or none.  An award, and the agreement it drafts, names the entry's
    current version, and goes through without a reason exactly when a reviewer of
    the FINAL round scored that version and still counts (a screening or middle-round
    score never does); with a reason, it is recorded in both."""
    solver = cast.account("threerounds")
    screener, middle, final = cast.reviewer, cast.account("semi"), cast.account("final")
    outcomes = {"awarded": 0, "refused": 0}
    for screened, semi_scored, last, advanced_to, reason in itertools.product(
        ("none", "stale", "current"),
        (False, True),
        ("none", "scored", "recused"),
        (1, 2, 3),
        (False, True),
    ):
        challenge, terms = cast.open_challenge(
            review_timing="rolling",
            later_rounds=(ReviewRound("Semi", SEMI_CRITERIA), ReviewRound("Final", FINAL_CRITERIA)),
        )
        for person, round_number in ((screener, 1), (middle, 2), (final, 3)):
            app.invite_reviewer(cast.sponsor, challenge, person, round=round_number)
            app.accept_reviewer_invitation(person, challenge)
        entry = cast.submit(challenge, terms, solver=solver, title="Advert")
        if screened != "none":
            app.record_review(screener, entry, SCREEN)  # version 1
        app.revise_submission(solver, entry, "Advert", "A completely different idea.")
        if screened == "current":
            app.record_review(screener, entry, SCREEN)  # version 2
        cast.clock.advance(timedelta(days=28))  # submissions close: no more revisions
        if advanced_to >= 2:
            app.advance_round(cast.sponsor, challenge, [entry])
            if semi_scored:
                app.record_review(middle, entry, {"craft": 8})
        if advanced_to == 3:
            app.advance_round(cast.sponsor, challenge, [entry])
            if last in ("scored", "recused"):
                app.record_review(final, entry, {"wow": 9})
            if last == "recused":
                app.declare_conflict(final, entry, "I know the agency.")
        app.close_review_early(cast.sponsor, challenge, "Done.")
        reasons = {entry: "Chosen at the final pitch."} if reason else None
        final_scored = advanced_to == 3 and last == "scored"
        case = (screened, semi_scored, last, advanced_to, reason)
        current = app.get_submission(solver, entry)
        if final_scored or reason:
            awarded = app.award(cast.sponsor, challenge, [(entry, 1)], override_reasons=reasons)
            agreement = app.get_agreement(cast.sponsor, awarded.agreement_ids[0])
            (award,) = app.get_challenge(challenge).awards
            assert (award.content_sha256, award.version) == (current.content_sha256, 2), case
            assert (agreement.content_sha256, agreement.content_version) == (
                current.content_sha256,
                2,
            ), case
            expected = "Chosen at the final pitch." if reason else None
            assert award.override_reason == agreement.override_reason == expected, case
            outcomes["awarded"] += 1
        else:
            with pytest.raises(UnreviewedVersion):
                app.award(cast.sponsor, challenge, [(entry, 1)], override_reasons=reasons)
            assert app.get_challenge(challenge).awards == (), case
            outcomes["refused"] += 1
    # 108 cases: the 54 with a reason award, and of those without one the 6 where the
    # final round scored (3 screenings x 2 middle rounds); the other 48 are refused.
    assert outcomes == {"awarded": 60, "refused": 48}
