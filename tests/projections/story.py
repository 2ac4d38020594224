"""The whole story written through the application, for the read-model tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from tests.support.story import Scene


@dataclass
class Story:
    challenge: UUID
    terms: str
    winner: UUID
    runner_up: UUID
    withdrawn: UUID
    second_reviewer: UUID
    legal: UUID
    question: UUID
    hidden_question: UUID
    agreement: UUID
    position: int


def run_story(s: Scene, *, award: bool = True) -> Story:
    app, clock = s.app, s.clock
    legal = s.account("legal")
    second_reviewer = s.account("critic")
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    challenge, terms = s.open_challenge()
    question = app.ask_question(s.solver, challenge, "May teams enter?").id
    app.answer_question(s.sponsor, challenge, question, "Yes.")
    hidden = app.ask_question(s.public, challenge, "Buy cheap watches!").id
    app.hide_question(s.sponsor, challenge, hidden, "Spam")
    app.post_announcement(s.sponsor, challenge, "Welcome, builders.")
    winner = s.submit(challenge, terms, title="Pendulum park")
    app.revise_submission(s.solver, winner, "Pendulum park", "Swings, weights and a clock.")
    runner_up = s.submit(challenge, terms, solver=s.other_solver, title="Lever lab")
    withdrawn = s.submit(challenge, terms, title="Gear garden")
    app.withdraw_submission(s.solver, withdrawn, "Second thoughts")
    # Not the sponsor: its members may not support its entries.
    for supporter in (s.public, s.reviewer, s.other_solver):
        app.support(supporter, winner)
    app.support(s.public, runner_up)
    for reviewer in (s.reviewer, second_reviewer):
        app.invite_reviewer(s.sponsor, challenge, reviewer)
        app.accept_reviewer_invitation(reviewer, challenge)
    # Review runs once submissions close (the default review timing).
    clock.advance(timedelta(days=28))
    app.record_review(s.reviewer, winner, {"originality": 9, "feasibility": 8, "fun": "9.5"})
    app.record_review(s.reviewer, runner_up, {"originality": 6, "feasibility": 7, "fun": 6})
    app.record_review(second_reviewer, winner, {"originality": 5, "feasibility": 4, "fun": 5})
    app.record_review(second_reviewer, runner_up, {"originality": 2, "feasibility": 3, "fun": 2})
    agreement = UUID(int=0)
    if award:
        # Awards come once review ends (day 45 of the scene's challenge).
        clock.advance(timedelta(days=15))
        app.publish_shortlist(s.sponsor, challenge, [winner, runner_up])
        awarded = app.award(s.sponsor, challenge, [(winner, 1), (runner_up, 2)])
        agreement = awarded.agreement_ids[0]
        text_sha256 = app.get_agreement(s.solver, agreement).text_sha256
        app.sign_agreement(
            s.solver,
            agreement,
            "Sol Ver",
            "I agree to assign",
            text_sha256,
            ip_address="203.0.113.7",
            user_agent="pytest",
        )
        app.countersign_agreement(legal, agreement, "Lee Gal", "For Brickworks", text_sha256)
        app.record_payment(s.sponsor, agreement, "WIRE-2026-001")
    return Story(
        challenge=challenge,
        terms=terms,
        winner=winner,
        runner_up=runner_up,
        withdrawn=withdrawn,
        second_reviewer=second_reviewer,
        legal=legal,
        question=question,
        hidden_question=hidden,
        agreement=agreement,
        position=app.recorder.max_notification_id() or 0,
    )
