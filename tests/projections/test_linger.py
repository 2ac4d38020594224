"""Lingering after a batch that caught up with the log (projections.wakeup.Linger), in
the follow loop, and the ledger's: only after a batch that found events and was not a
full page, never while idle, never once stopped."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from projections.runner import _follow
from projections.wakeup import Linger


@dataclass
class Pauses:
    seconds: list[float] = field(default_factory=list)

    def __call__(self, _stop: threading.Event, seconds: float) -> bool:
        self.seconds.append(seconds)
        return False


@dataclass
class ScriptedRunner:
    """Batches of the given sizes, then stops the loop."""

    counts: list[int]
    stop: threading.Event
    name: str = "scripted"
    batch_size: int = 500
    log: list[str] = field(default_factory=list)

    def run_batch(self, limit: int | None = None) -> int:
        count = self.counts.pop(0)
        self.log.append(f"batch {count}")
        if not self.counts:
            self.stop.set()
        return count


@dataclass
class RecordingWaker:
    log: list[str]

    def idle(self, stop: threading.Event) -> None:
        self.log.append("idle")

    def busy(self) -> None:
        self.log.append("busy")

    def close(self) -> None:
        self.log.append("close")


def test_a_linger_follows_only_a_batch_that_caught_up():
    pauses = Pauses()
    linger = Linger(0.01, pause=pauses)
    stop = threading.Event()
    linger.after(3, 500, stop)  # caught up: wait for more
    linger.after(500, 500, stop)  # a full page: more is waiting, read on
    linger.after(0, 500, stop)  # nothing found: the idle wait's business
    Linger(0.0, pause=pauses).after(3, 500, stop)  # switched off
    stop.set()
    linger.after(3, 500, stop)  # stopping
    assert pauses.seconds == [0.01]


def test_the_follow_loop_lingers_after_small_batches_and_idles_when_empty():
    stop = threading.Event()
    runner = ScriptedRunner([3, 500, 0, 7, 1], stop)
    pauses = Pauses()
    linger = Linger(0.01, pause=pauses)
    _follow(runner, stop, RecordingWaker(runner.log), linger)
    assert runner.log == [
        "batch 3", "busy",           # lingered
        "batch 500", "busy",         # a full page: no linger
        "batch 0", "idle",           # caught up and empty: the waker's wait
        "batch 7", "busy",           # lingered
        "batch 1", "busy",           # the last: stop is set, no linger
        "close",
    ]  # fmt: skip
    assert pauses.seconds == [0.01, 0.01]


def test_without_a_linger_the_loop_reads_again_at_once():
    stop = threading.Event()
    runner = ScriptedRunner([3, 0, 2], stop)
    _follow(runner, stop, RecordingWaker(runner.log))
    assert runner.log == ["batch 3", "busy", "batch 0", "idle", "batch 2", "busy", "close"]


class RecordingStop(threading.Event):
    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return self.is_set()


def test_the_ledger_lingers_after_a_batch_that_caught_up():
    from openinno.ledger.log import BATCH, Ledger

    stop = RecordingStop()
    counts = [3, BATCH, 0, 5]

    class Scripted:
        witnesses = ()  # none: follow runs no witnessing thread
        db_factory = None

        def follow_once(self) -> int:
            count = counts.pop(0)
            if not counts:
                stop.set()
            return count

    Ledger.follow(Scripted(), stop, idle_seconds=0.25, linger_seconds=0.01)  # type: ignore[arg-type]
    # 3: linger; a full batch: none; 0: the idle wait; 5 (stop set): linger, returns at once
    assert stop.waits == [0.01, 0.25, 0.01]

    stop, counts = RecordingStop(), [3, 0, 5]
    Ledger.follow(Scripted(), stop, idle_seconds=0.25)  # type: ignore[arg-type]
    assert stop.waits == [0.25]


def test_the_served_read_side_lingers_as_configured(app, settings):
    from dataclasses import replace

    from openinno.settings import Settings
    from web.readside import read_side_for

    assert Settings.from_env({}).read_side_linger_ms == 10.0
    assert Settings.from_env({"OPENINNO_READ_SIDE_LINGER_MS": "0"}).read_side_linger_ms == 0.0
    side = read_side_for(replace(settings, read_side_linger_ms=25), app)
    assert side.linger is not None and side.linger.seconds == 0.025
