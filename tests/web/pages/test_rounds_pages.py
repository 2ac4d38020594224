"""The sponsor's dashboard for rounds and agreement (issue 20): the jury's scores
beside the public's support in the order the terms' rule gives, and the reviewers'
agreement (Krippendorff's alpha) with a plain explanation of the normalised score."""

from __future__ import annotations

from datetime import timedelta

from openinno.domain import ids
from openinno.domain.values import Criterion, ReviewRound, Voting
from tests.web.pages.conftest import Web

JURY = (Criterion("wow", 60), Criterion("brand fit", 40, 1, 5))


def test_the_dashboard_shows_the_shortlist_decision_and_the_agreement(web: Web, cast, app):
    challenge, terms = cast.open_challenge(
        later_rounds=(ReviewRound("Jury", JURY),),
        voting=Voting("shortlist_then_public"),
        award_rule="public",
    )
    a = cast.submit(challenge, terms, solver=cast.account("s1"), title="Crunch")
    b = cast.submit(challenge, terms, solver=cast.account("s2"), title="Dust")
    juror, other = cast.account("juror"), cast.account("juror2")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    for j in (juror, other):
        app.invite_reviewer(cast.sponsor, challenge, j, round=2)
    for person in (cast.reviewer, juror, other):
        app.accept_reviewer_invitation(person, challenge)
    web.clock.advance(timedelta(days=28))
    app.advance_round(cast.sponsor, challenge, [a, b])
    for j in (juror, other):
        app.record_review(j, a, {"wow": 9, "brand fit": 5})
        app.record_review(j, b, {"wow": 3, "brand fit": 2})
    app.publish_shortlist(cast.sponsor, challenge, [a, b])
    for i in range(2):
        app.support(cast.account(f"fan{i}"), b)

    web.login("sponsor")
    page = web.get(f"/challenges/{challenge}/manage")
    assert "Shortlist: jury and public" in page.text
    assert "the public decides" in page.text
    decision = page.text[page.text.index('id="decision"') : page.text.index('id="ranking"')]
    assert decision.index("Dust") < decision.index("Crunch")  # the public's pick first
    assert "Agreement between reviewers (Krippendorff's alpha)" in page.text
    assert "<strong>1.0</strong>" in page.text and "reviewers largely agree" in page.text
    assert "How to read the normalised score" in page.text


def test_a_sponsor_invites_a_jury_and_advances_the_round_from_the_dashboard(web: Web, cast, app):
    challenge, terms = cast.open_challenge(later_rounds=(ReviewRound("Jury", JURY),))
    a = cast.submit(challenge, terms, solver=cast.account("s1"), title="Crunch")
    b = cast.submit(challenge, terms, solver=cast.account("s2"), title="Dust")
    juror = cast.account("juror")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    web.login("sponsor")
    page = web.get(f"/challenges/{challenge}/manage")
    assert "2: Jury" in page.text
    invited = web.post(
        f"/challenges/{challenge}/reviewers", {"email": "juror@example.org", "round": "2"}
    )
    assert invited.status_code == 303, invited.text
    assert app.get_challenge(challenge, cast.sponsor).round_of(juror) == 2
    web.clock.advance(timedelta(days=28))
    for entry in (a, b):
        app.record_review(cast.reviewer, entry, {"originality": 7, "feasibility": 6, "fun": 8})
    page = web.get(f"/challenges/{challenge}/manage")
    assert "Review round 1 of 2." in page.text
    advanced = web.post(f"/challenges/{challenge}/rounds/advance", {"submission_ids": str(b)})
    assert advanced.status_code == 303, advanced.text
    assert app.get_challenge(challenge, cast.sponsor).round_entries[2] == (b,)


def test_a_jurors_score_form_is_the_jury_rounds_rubric_and_saves(web: Web, cast, app):
    """Found by the browser walk (tests/browser/test_judging_walk.py): a juror's score
    form showed the screening round's criteria, which the score command refuses for a
    juror; the form asks the challenge for the reviewer's rubric as the command does."""
    challenge, terms = cast.open_challenge(later_rounds=(ReviewRound("Jury", JURY),))
    a = cast.submit(challenge, terms, solver=cast.account("s1"), title="Crunch")
    juror = cast.account("juror")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.invite_reviewer(cast.sponsor, challenge, juror, round=2)
    for person in (cast.reviewer, juror):
        app.accept_reviewer_invitation(person, challenge)
    web.clock.advance(timedelta(days=28))
    app.advance_round(cast.sponsor, challenge, [a])
    web.login("juror")
    form = web.get(f"/reviews/{a}").text
    assert "wow (weight 60)" in form and "brand fit (weight 40)" in form
    assert "originality" not in form  # the screening round's rubric
    assert 'name="score_2"' not in form
    assert 'min="1" max="5"' in form  # the jury criterion's own scale
    saved = web.post(f"/reviews/{a}", {"score_0": "8", "score_1": "4"})
    assert saved.status_code == 303, saved.text[:3000]
    review = app.repository.get(ids.review_id(a, juror))
    assert {k: int(v) for k, v in review.scores.items()} == {"wow": 8, "brand fit": 4}
    # The form after saving shows the jury scores back.
    again = web.get(f"/reviews/{a}").text
    assert 'value="8"' in again and 'value="4"' in again
