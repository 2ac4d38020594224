"""Optimistic concurrency: a command that lost a race runs again on fresh state."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import RecordConflictError

from openinno.domain.errors import ConcurrentUpdate
from openinno.persistence.repository import CopyOnWriteRepository

P = ParamSpec("P")
R = TypeVar("R")

# Optimistic concurrency (retry_on_conflict).  A command that lost a race runs again on
# fresh state.  Within a process, votes on one entry take turns (keyed_lock.py), but
# web workers are processes: between one worker reading an entry's tally and recording
# the next version, another can record a vote, once per vote it lands in that window,
# so under a hot spot one voter can lose many races in a row (a 2-worker run with 96
# clients voting on one entry at a time: up to 16 losses for one vote).  A fixed 25
# immediate attempts refused legitimate votes once the other workers' voters on that
# entry outnumbered them.  Now a command gives up only when it has lost at least
# MIN_ATTEMPTS times *and* CONFLICT_PATIENCE_SECONDS have passed since its first loss:
# the other processes' votes on one entry come from a finite crowd in flight, which
# drains, while a fixed count does not grow with it.  Between attempts it waits a
# jittered, growing pause (none after the first loss, the usual case), so losers do not
# spin on the store in step with each other.
MIN_ATTEMPTS = 25
CONFLICT_PATIENCE_SECONDS = 10.0
CONFLICT_PAUSE_FIRST = 0.002
CONFLICT_PAUSE_MOST = 0.05


def retry_on_conflict(command: Callable[P, R]) -> Callable[P, R]:
    """Optimistic concurrency: when another writer appended to a stream we read,
    run the whole command again on fresh state.  The guards then decide: the
    loser of a race for the last submission slot gets SubmissionLimitReached,
    the second of two identical votes gets AlreadySupported."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        # Each command reads ahead within its own scope (persistence/repository.py).
        repository = cast(CopyOnWriteRepository, cast(Application[UUID], args[0]).repository)
        losses = 0
        give_up_after = 0.0
        with repository.fresh_reads():
            while True:
                try:
                    return command(*args, **kwargs)
                except RecordConflictError:
                    repository.forget_all()
                    losses += 1
                    now = time.monotonic()
                    if losses == 1:
                        give_up_after = now + CONFLICT_PATIENCE_SECONDS
                    if losses >= MIN_ATTEMPTS and now >= give_up_after:
                        break
                # Outside the command: no lock of it (an entry's turn) is held meanwhile.
                _pause_after_conflict(conflict_pause(losses))
        raise ConcurrentUpdate("Too many people changed this at once; please try again.")

    return wrapper


def conflict_pause(losses: int) -> float:
    """Seconds to wait after a command's ``losses``-th lost race: none after the first;
    then uniformly at random up to a bound that doubles from CONFLICT_PAUSE_FIRST to
    CONFLICT_PAUSE_MOST ("full jitter": losers of one race spread out)."""
    if losses <= 1:
        return 0.0
    bound = min(CONFLICT_PAUSE_MOST, CONFLICT_PAUSE_FIRST * 2 ** min(losses - 2, 16))
    return random.uniform(0.0, bound)


def _pause_after_conflict(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)
