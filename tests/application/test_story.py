"""The whole story on the write side: publish, submit, support, review, award,
sign, countersign, pay, transfer."""

from datetime import timedelta

import pytest

from openinno.domain.errors import (
    AccessDenied,
    ConflictOfInterest,
    InvalidInput,
    NotFound,
    WindowClosed,
)
from openinno.domain.ip_templates import TEMPLATES
from openinno.domain.values import sha256_hex


def test_from_publication_to_ownership_transferred(app, clock):
    from tests.support.story import scene

    s = scene(app, clock)
    legal = s.account("legal")
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    challenge_id, terms = s.open_challenge()
    question = app.ask_question(s.solver, challenge_id, "May teams enter?")
    app.answer_question(s.sponsor, challenge_id, question.id, "Yes.")
    winner = s.submit(challenge_id, terms, title="Pendulum park")
    runner_up = s.submit(challenge_id, terms, solver=s.other_solver, title="Lever lab")
    app.support(s.public, winner)
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    app.accept_reviewer_invitation(s.reviewer, challenge_id)
    # Review runs once submissions close (the default review timing).
    with pytest.raises(WindowClosed):
        app.record_review(s.reviewer, winner, {"originality": 9, "feasibility": 8, "fun": 9})
    clock.advance(timedelta(days=28))
    app.record_review(
        s.reviewer, winner, {"originality": 9, "feasibility": 8, "fun": "9.5"}, "Lovely"
    )
    app.record_review(s.reviewer, runner_up, {"originality": 6, "feasibility": 7, "fun": 6})
    with pytest.raises(InvalidInput):
        app.record_review(s.reviewer, runner_up, {"originality": 60, "feasibility": 7, "fun": 6})
    with pytest.raises(NotFound):
        app.record_review(s.public, winner, {"originality": 1, "feasibility": 1, "fun": 1})
    # Awards wait for the end of review, or its early close, announced to everyone.
    with pytest.raises(WindowClosed):
        app.award(s.sponsor, challenge_id, [(winner, 1)])
    clock.advance(timedelta(days=2))
    with pytest.raises(AccessDenied):
        app.close_review_early(legal, challenge_id, "The jury is done.")
    app.close_review_early(s.sponsor, challenge_id, "The jury is done; awards follow.")
    with pytest.raises(AccessDenied):
        app.award(legal, challenge_id, [(winner, 1)])
    awarded = app.award(s.sponsor, challenge_id, [(winner, 1), (runner_up, 2)])
    agreement_id = awarded.agreement_ids[0]
    agreement = app.get_agreement(s.solver, agreement_id)
    assert agreement.text_sha256 == sha256_hex(agreement.text.encode())
    assert agreement.content_sha256 == app.get_submission(s.solver, winner).content_sha256
    assert TEMPLATES[("assignment", 1)].body in agreement.text
    assert terms in agreement.text
    with pytest.raises(NotFound):
        app.get_agreement(s.other_solver, agreement_id)

    app.sign_agreement(
        s.solver,
        agreement_id,
        "Sol Ver",
        "I agree to assign",
        agreement.text_sha256,
        ip_address="203.0.113.7",
        user_agent="pytest",
    )
    with pytest.raises(AccessDenied):
        app.record_payment(legal, agreement_id, "WIRE-1")
    app.countersign_agreement(
        legal, agreement_id, "Lee Gal", "Signed for Brickworks", agreement.text_sha256
    )
    assert app.get_agreement(legal, agreement_id).state == "awaiting_payment"
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    assert app.get_agreement(legal, agreement_id).state == "transferred"

    # reviewers' scores are final once review closed
    with pytest.raises(WindowClosed):
        app.record_review(s.reviewer, winner, {"originality": 1, "feasibility": 1, "fun": 1})


def test_a_reviewer_cannot_score_an_entry_after_declaring_a_conflict(app, clock):
    from tests.support.story import scene

    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    app.accept_reviewer_invitation(s.reviewer, challenge_id)
    app.declare_conflict(s.reviewer, entry, "My cousin")  # before review starts, too
    clock.advance(timedelta(days=28))
    with pytest.raises(ConflictOfInterest):
        app.record_review(s.reviewer, entry, {"originality": 5, "feasibility": 5, "fun": 5})
