"""Re-awarding after the award (issue 24, decision 0030): a winner disqualified for
good, or a score appeal upheld, opens places; the new winners get agreements drafted
as usual and the old agreements are rescinded with the reason, in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openinno.domain.errors import AccessDenied, InvalidInput, InvalidState
from openinno.domain.values import AppealRules
from tests.support.story import Scene, scene


@pytest.fixture
def s(app, clock) -> Scene:
    return scene(app, clock)


@pytest.fixture
def admin(s: Scene):
    admin = s.account("admin")
    s.app.grant_admin_as_operator(admin)
    return admin


def awarded(s: Scene):
    challenge_id, terms = s.open_challenge()
    first = s.submit(challenge_id, terms, title="First")
    second = s.submit(challenge_id, terms, solver=s.other_solver, title="Second")
    third = s.submit(challenge_id, terms, solver=s.public, title="Third")
    s.clock.advance(timedelta(days=45))
    agreements = s.award_unreviewed(challenge_id, [(first, 1), (second, 2)]).agreement_ids
    return challenge_id, (first, second, third), agreements


def test_a_place_opens_only_once_its_winner_is_disqualified_for_good(s, admin):
    challenge_id, (first, second, third), (agreement, _) = awarded(s)
    with pytest.raises(InvalidState, match="winner stands"):
        s.app.reaward(s.sponsor, challenge_id, [(third, 1)], "We changed our minds.")
    s.app.disqualify_submission(admin, first, "Plagiarised from a catalogue.")
    # The winner may still appeal: the terms' window (7 days) has not passed.
    with pytest.raises(InvalidState, match="may still appeal"):
        s.app.reaward(s.sponsor, challenge_id, [(third, 1)], "Its winner was disqualified.")
    appeal = s.app.appeal_submission(s.solver, first, "disqualification", "It is mine.").id
    with pytest.raises(InvalidState, match="decide the appeal first"):
        s.app.reaward(s.sponsor, challenge_id, [(third, 1)], "Its winner was disqualified.")
    s.app.decide_appeal(admin, appeal, "rejected", "The catalogue predates it.")
    with pytest.raises(AccessDenied):
        s.app.reaward(s.solver, challenge_id, [(third, 1)], "Give it to them.")
    with pytest.raises(InvalidInput):
        s.app.reaward(s.sponsor, challenge_id, [(third, 1)], "  ")
    with pytest.raises(InvalidInput, match="at most once"):
        s.app.reaward(s.sponsor, challenge_id, [(third, 1), (second, 1)], "Disqualified.")

    new = s.app.reaward(
        s.sponsor, challenge_id, [(third, 1)], "Its winner was disqualified for plagiarism."
    ).agreement_ids
    old = s.app.get_agreement(s.sponsor, agreement)
    assert (old.state, old.rescind_reason) == (
        "rescinded",
        "Its winner was disqualified for plagiarism.",
    )
    drafted = s.app.get_agreement(s.public, new[0])
    assert (drafted.state, drafted.submission_id) == ("awaiting_signature", third)
    assert drafted.override_reason == "Its winner was disqualified for plagiarism."
    assert s.app.get_submission(s.public, third).award_place == 1
    loser = s.app.get_submission(s.solver, first)
    assert (loser.status, loser.award_place) == ("disqualified", None)
    challenge = s.app.get_challenge(challenge_id, s.sponsor)
    assert [(a.place, a.submission_id) for a in challenge.awards] == [(1, third), (2, second)]


def test_an_upheld_score_appeal_lets_places_be_swapped(s, admin):
    challenge_id, (first, second, _third), _agreements = awarded(s)
    spec = s.app.get_challenge(challenge_id, s.sponsor)
    assert spec.status == "awarded"
    with pytest.raises(InvalidState, match="winner stands"):
        s.app.reaward(admin, challenge_id, [(second, 1), (first, 2)], "Scores were wrong.")
    # No score appeal upheld on this challenge yet: a disqualification appeal is no cause.
    s.app.disqualify_submission(admin, first, "Late file.")
    appeal = s.app.appeal_submission(s.solver, first, "disqualification", "On time.").id
    s.app.decide_appeal(admin, appeal, "upheld", "The file was on time.")
    back = s.app.get_submission(s.solver, first)
    assert (back.status, back.award_place) == ("awarded", 1)  # its place kept
    with pytest.raises(InvalidState, match="upheld appeal of the scores"):
        s.app.reaward(admin, challenge_id, [(second, 1), (first, 2)], "Swap.", appeal_id=appeal)


def test_a_winner_moved_up_gives_up_the_place_it_held(s, admin):
    challenge_id, (first, second, _third), (one, two) = awarded(s)
    s.app.disqualify_submission(admin, first, "Plagiarised.")
    s.clock.advance(timedelta(days=8))  # the terms' appeal window (7 days) passes
    s.app.reaward(admin, challenge_id, [(second, 1)], "The runner-up moves up.")
    challenge = s.app.get_challenge(challenge_id, s.sponsor)
    assert [(a.place, a.submission_id) for a in challenge.awards] == [(1, second)]
    assert s.app.get_agreement(admin, one).state == "rescinded"
    assert s.app.get_agreement(admin, two).rescind_reason == "The runner-up moves up."
    assert s.app.get_submission(s.other_solver, second).award_place == 1


def test_after_an_upheld_score_appeal_the_places_are_given_anew(s, admin):
    challenge_id, terms = s.open_challenge(appeals=AppealRules(scores=True))
    first = s.submit(challenge_id, terms, title="First")
    second = s.submit(challenge_id, terms, solver=s.other_solver, title="Second")
    s.clock.advance(timedelta(days=45))
    # Appealed once the scores are out; the sponsor awards before the appeal is decided.
    appeal = s.app.appeal_submission(s.other_solver, second, "scores", "Criterion 1 misread.").id
    one, two = s.award_unreviewed(challenge_id, [(first, 1), (second, 2)]).agreement_ids
    with pytest.raises(InvalidState):  # the appeal is not decided yet
        s.app.reaward(s.sponsor, challenge_id, [(second, 1), (first, 2)], "Swap.", appeal_id=appeal)
    s.app.decide_appeal(s.sponsor, appeal, "upheld", "Criterion 1 was misread: 9, not 4.")

    new = s.app.reaward(
        s.sponsor,
        challenge_id,
        [(second, 1), (first, 2)],
        "The scores corrected on appeal change the order.",
        appeal_id=appeal,
    ).agreement_ids
    challenge = s.app.get_challenge(challenge_id, s.sponsor)
    assert [(a.place, a.submission_id) for a in challenge.awards] == [(1, second), (2, first)]
    for old in (one, two):
        rescinded = s.app.get_agreement(s.sponsor, old)
        assert (rescinded.state, rescinded.rescind_reason) == (
            "rescinded",
            "The scores corrected on appeal change the order.",
        )
    drafted = {s.app.get_agreement(s.sponsor, a).submission_id: a for a in new}
    assert set(drafted) == {first, second}
    assert s.app.get_agreement(s.sponsor, drafted[second]).place == 1
    assert s.app.get_agreement(s.sponsor, drafted[first]).state == "awaiting_signature"
    assert s.app.get_submission(s.other_solver, second).award_place == 1
    assert s.app.get_submission(s.solver, first).award_place == 2
