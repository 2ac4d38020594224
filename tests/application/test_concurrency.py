"""Races that must have exactly one outcome, run with real threads on both stores."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from openinno.domain import ids
from openinno.domain.errors import AlreadySupported, DomainError, EmailAlreadyRegistered
from openinno.domain.values import Voting
from tests.support.story import PASSWORD, scene


def race(n: int, attempt: Callable[[int], Any]) -> list[Any]:
    """Start n threads together; each returns its result or the exception it raised."""
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = attempt(i)
        except Exception as e:
            outcomes[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def kinds(outcomes: list[Any]) -> Counter[str]:
    return Counter(type(o).__name__ if isinstance(o, Exception) else "ok" for o in outcomes)


def test_two_concurrent_registrations_of_one_email_exactly_one_wins(app):
    outcomes = race(8, lambda i: app.register_account("race@example.org", PASSWORD, f"Racer {i}"))
    assert kinds(outcomes) == Counter({"ok": 1, "EmailAlreadyRegistered": 7})
    assert all(isinstance(o, EmailAlreadyRegistered) for o in outcomes if isinstance(o, Exception))


def test_twenty_parallel_submits_with_a_limit_of_three_accept_exactly_three(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=3)
    outcomes = race(
        20, lambda i: app.submit(s.solver, challenge_id, f"Idea number {i}", "Text.", terms)
    )
    assert kinds(outcomes) == Counter({"ok": 3, "SubmissionLimitReached": 17})
    errors = [o for o in outcomes if isinstance(o, DomainError)]
    assert all("limit of 3" in e.message for e in errors)
    entries = app.repository.get(ids.solver_entries_id(challenge_id, s.solver))
    assert len(entries.live) == 3


def test_one_vote_per_person_under_concurrency(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(voting=Voting("public", 1000))
    submission_id = s.submit(challenge_id, terms)
    outcomes = race(10, lambda i: app.support(s.public, submission_id))
    assert kinds(outcomes) == Counter({"ok": 1, "AlreadySupported": 9})
    assert all(isinstance(o, AlreadySupported) for o in outcomes if isinstance(o, Exception))
    assert app.support_count(submission_id) == 1


def test_the_threshold_is_crossed_exactly_once_under_concurrent_votes(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(voting=Voting("public", 5))
    submission_id = s.submit(challenge_id, terms)
    voters = [
        app.register_account(f"fan{i}@example.org", PASSWORD, f"Fan {i}").id for i in range(12)
    ]
    outcomes = race(len(voters), lambda i: app.support(voters[i], submission_id))
    assert kinds(outcomes) == Counter({"ok": 12})
    assert app.support_count(submission_id) == 12
    flagged = [
        n
        for n in app.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("Submission.SupportThresholdReached")
    ]
    assert len(flagged) == 1
    crossed = [
        n
        for n in app.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("SupportTally.ThresholdCrossed")
    ]
    assert len(crossed) == 1
