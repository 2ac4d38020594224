"""Votes on one entry from two processes: the loser of a tally race keeps its vote.

Each web worker is a process with its own application: its own cache, its own
in-process turn-taking on a tally (keyed_lock.py) and its own group commit.  Between a
worker reading an entry's SupportTally and recording the next version, another worker
can record a vote on the same tally; the command then runs again on fresh state
(``retry_on_conflict``).  Under a hot spot this can happen again and again to one
voter, once for every vote the other worker lands in that window.  Before the fix, the
26th such loss in a row refused a legitimate vote (409 ``concurrent_update``).

Here two applications share one store (two processes, as the benchmark's two uvicorn
workers), and the worst interleaving is made deterministic: every time application B
is about to record its vote, application A first records a vote of another person on
the same entry.  B's vote must still be counted once, after A's voters run out, and
the tally must equal the distinct voters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.commands import retry as retry_module
from openinno.domain import ids
from openinno.domain.errors import AlreadySupported, ConcurrentUpdate
from openinno.domain.values import Voting
from openinno.settings import Settings
from tests.support.story import PASSWORD, scene

# More than the 25 attempts the command had before: the fix must not just move a cap.
OTHER_PROCESS_VOTES = 40


@pytest.fixture
def two_processes(settings: Settings, clock: ManualClock) -> Iterator[tuple[OpenInno, OpenInno]]:
    first, second = OpenInno(settings, clock=clock), OpenInno(settings, clock=clock)
    yield first, second
    first.close()
    second.close()


def test_a_vote_that_keeps_losing_the_tally_to_another_process_is_counted(
    two_processes: tuple[OpenInno, OpenInno], clock: ManualClock
) -> None:
    a, b = two_processes
    s = scene(a, clock)
    challenge_id, terms = s.open_challenge(voting=Voting("public", 1000))
    entry = s.submit(challenge_id, terms)
    crowd = [
        a.register_account(f"crowd{i}@example.org", PASSWORD, f"Crowd {i}").id
        for i in range(OTHER_PROCESS_VOTES)
    ]
    waiting = list(crowd)
    attempts = 0
    record_in_b = b._commit

    def a_lands_a_vote_first(*aggregates: Any) -> int:
        # B has read the tally; before its insert, A records the next version.
        nonlocal attempts
        attempts += 1
        if waiting:
            a.support(waiting.pop(), entry)
        return record_in_b(*aggregates)

    b._commit = a_lands_a_vote_first  # type: ignore[method-assign]
    recorded = b.support(s.public, entry)

    assert attempts == OTHER_PROCESS_VOTES + 1  # lost every race while A had voters
    assert recorded.support_count == OTHER_PROCESS_VOTES + 1
    assert a.support_count(entry) == b.support_count(entry) == OTHER_PROCESS_VOTES + 1
    # Still one vote per person: B's vote is recorded once and a second one is refused.
    assert b.repository.get(ids.vote_id(entry, s.public)).active
    b._commit = record_in_b  # type: ignore[method-assign]
    with pytest.raises(AlreadySupported):
        b.support(s.public, entry)


def test_retries_back_off_and_give_up_only_after_the_patience(
    app: OpenInno, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that never stops conflicting still ends, with ConcurrentUpdate, and
    waits between attempts (jittered) instead of spinning on the store."""
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(voting=Voting("public", 1000))
    entry = s.submit(challenge_id, terms)
    pauses: list[float] = []
    monkeypatch.setattr(retry_module, "CONFLICT_PATIENCE_SECONDS", 0.0)
    monkeypatch.setattr(retry_module, "_pause_after_conflict", pauses.append)
    monkeypatch.setattr(retry_module, "MIN_ATTEMPTS", 6)
    from eventsourcing.persistence import RecordConflictError

    def always_loses(*_aggregates: Any) -> int:
        raise RecordConflictError("another process recorded this version first")

    app._commit = always_loses  # type: ignore[method-assign]
    with pytest.raises(ConcurrentUpdate):
        app.support(s.public, entry)
    # The first retry at once (a single loss is the usual case), then pauses that grow.
    assert len(pauses) == 5
    assert pauses[0] == 0.0
    assert all(p >= 0 for p in pauses)
