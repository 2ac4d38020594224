"""Appeals (issue 24, decision 0028): who appeals what within the terms' window, who
answers and decides, and what an upheld appeal undoes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openinno.domain import Submission
from openinno.domain.errors import AccessDenied, InvalidState, NotFound, WindowClosed
from openinno.domain.values import AppealRules
from openinno.files import Upload
from tests.support.story import Scene, scene


@pytest.fixture
def s(app, clock) -> Scene:
    return scene(app, clock)


def disqualified(s: Scene, **changes) -> tuple:
    challenge_id, terms = s.open_challenge(**changes)
    entry = s.submit(challenge_id, terms)
    s.app.disqualify_submission(s.sponsor, entry, "Copied from a catalogue.")
    return challenge_id, entry


def test_an_upheld_appeal_reinstates_the_disqualified_entry(s):
    _, entry = disqualified(s)
    evidence = Upload.of_bytes("sketch.txt", b"my own sketches, dated", "text/plain")
    with pytest.raises(NotFound):  # not an author: nothing to appeal, nothing said
        s.app.appeal_submission(s.other_solver, entry, "disqualification", "Unfair.")
    appeal_id = s.app.appeal_submission(
        s.solver, entry, "disqualification", "I drew it myself.", [evidence]
    ).id
    with pytest.raises(InvalidState, match="already been appealed"):
        s.app.appeal_submission(s.solver, entry, "disqualification", "Again.")

    appeal = s.app.get_appeal(s.sponsor, appeal_id)
    assert (appeal.ground, appeal.status, appeal.submission_id) == (
        "disqualification",
        "open",
        entry,
    )
    assert s.app.files.exists(evidence.content.sha256)
    with pytest.raises(NotFound):
        s.app.get_appeal(s.other_solver, appeal_id)
    with pytest.raises(AccessDenied):
        s.app.decide_appeal(s.solver, appeal_id, "upheld", "I win.")

    s.app.answer_appeal(s.sponsor, appeal_id, "Please send the dated originals.")
    assert s.app.get_appeal(s.solver, appeal_id).status == "answered"
    s.app.answer_appeal(s.solver, appeal_id, "Attached, with the notary's stamp.", [evidence])
    s.app.decide_appeal(s.sponsor, appeal_id, "upheld", "The sketches predate the catalogue.")

    assert s.app.get_appeal(s.solver, appeal_id).status == "upheld"
    assert s.app.get_submission(s.solver, entry).status == "submitted"
    with pytest.raises(InvalidState, match="decided"):
        s.app.answer_appeal(s.sponsor, appeal_id, "One more thing.")
    # Reinstated, the entry can be disqualified again, and that decision appealed again.
    s.app.disqualify_submission(s.sponsor, entry, "Late evidence of copying.")
    second = s.app.appeal_submission(s.solver, entry, "disqualification", "No.").id
    s.app.decide_appeal(s.sponsor, second, "rejected", "The copy is exact.")
    assert s.app.get_submission(s.solver, entry).status == "disqualified"


def test_appeals_close_when_the_terms_window_ends(s):
    _, entry = disqualified(s, appeals=AppealRules(window_days=3))
    s.clock.advance(timedelta(days=3))
    with pytest.raises(WindowClosed) as closed:
        s.app.appeal_submission(s.solver, entry, "disqualification", "Too late?")
    assert "3 days" in str(closed.value)


def test_the_default_window_is_written_into_the_terms_and_counts(s):
    challenge_id, entry = disqualified(s)
    terms = s.app.get_challenge(challenge_id, s.sponsor).terms
    assert terms is not None and terms.spec.appeals == AppealRules(window_days=7, scores=False)
    s.clock.advance(timedelta(days=6))
    assert s.app.appeal_submission(s.solver, entry, "disqualification", "In time.").id


def test_scores_are_appealed_only_where_the_terms_allow_and_after_review(s):
    challenge_id, terms = s.open_challenge(appeals=AppealRules(scores=True))
    entry = s.submit(challenge_id, terms)
    with pytest.raises(InvalidState, match="no appeal of the scores yet"):
        s.app.appeal_submission(s.solver, entry, "scores", "Too low.")
    s.clock.advance(timedelta(days=44))  # review has ended (day 45 from the draft)
    appeal_id = s.app.appeal_submission(s.solver, entry, "scores", "Criterion 1 misread.").id
    s.app.decide_appeal(s.sponsor, appeal_id, "rejected", "The score stands.")
    assert s.app.get_submission(s.solver, entry).status == "submitted"

    plain_id, plain_terms = s.open_challenge(title="No score appeals")
    other = s.submit(plain_id, plain_terms, title="Another")
    s.clock.advance(timedelta(days=44))
    with pytest.raises(InvalidState):
        s.app.appeal_submission(s.solver, other, "scores", "Too low.")


def test_an_upheld_moderation_appeal_shows_the_question_again(s):
    challenge_id, _ = s.open_challenge()
    question = s.app.ask_question(s.solver, challenge_id, "May we use recycled steel?").id
    s.app.hide_question(s.sponsor, challenge_id, question, "Off topic.")
    with pytest.raises(AccessDenied):
        s.app.appeal_moderation(s.other_solver, challenge_id, question, "It is on topic.")
    appeal_id = s.app.appeal_moderation(s.solver, challenge_id, question, "It is on topic.").id
    with pytest.raises(InvalidState):
        s.app.appeal_moderation(s.solver, challenge_id, question, "Twice.")
    s.app.decide_appeal(s.sponsor, appeal_id, "upheld", "Steel is in the brief after all.")
    challenge = s.app.get_challenge(challenge_id, s.sponsor)
    assert challenge.questions[question]["hidden"] is False
    # Shown again, it can be answered.
    s.app.answer_question(s.sponsor, challenge_id, question, "Yes.")


def test_the_entry_stream_names_the_appeal_and_replays(s):
    _, entry = disqualified(s)
    appeal_id = s.app.appeal_submission(s.solver, entry, "disqualification", "Mine.").id
    s.app.decide_appeal(s.sponsor, appeal_id, "upheld", "Agreed.")
    kinds = [type(e).__name__ for e in s.app.events.get(entry)]
    assert kinds[-3:] == ["Disqualified", "AppealLodged", "Reinstated"]
    replayed = s.app.repository.get(entry)
    assert isinstance(replayed, Submission) and replayed.appealed == ("disqualification",)
