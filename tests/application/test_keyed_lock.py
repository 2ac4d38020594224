"""KeyedLocks: holders of one key take turns, other keys do not wait, nothing is kept."""

from __future__ import annotations

import threading
import time

from openinno.keyed_lock import KeyedLocks


def test_one_key_is_held_by_one_thread_at_a_time_and_the_map_empties():
    locks = KeyedLocks()
    inside = 0
    most = 0
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(50):
            with locks.hold("tally"):
                with guard:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1
    assert len(locks) == 0


def test_another_key_does_not_wait():
    locks = KeyedLocks()
    entered = threading.Event()

    def other() -> None:
        with locks.hold("b"):
            entered.set()

    with locks.hold("a"):
        t = threading.Thread(target=other)
        t.start()
        t.join(timeout=10)
        assert entered.is_set()
    assert len(locks) == 0
