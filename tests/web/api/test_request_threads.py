"""Each web worker runs requests' synchronous work in one pool of its own, sized by
``OPENINNO_WEB_THREADS`` (web.app.request_threads): the commands behind the API's
writes and the idempotency records included, not a second pool of anyio's."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from openinno.settings import Settings
from web.app import request_threads

POOL = "openinno-request"


def test_the_pool_runs_as_many_jobs_at_once_as_it_has_threads():
    start = request_threads(2)
    both_running = threading.Barrier(2, timeout=5)
    lock = threading.Lock()
    running = 0
    most = 0
    names: set[str] = set()

    def job(n: int) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            names.add(threading.current_thread().name)
        if n < 2:
            both_running.wait()  # the first two jobs meet: two threads at once
        time.sleep(0.01)
        with lock:
            running -= 1

    async def main() -> None:
        start()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(None, job, n) for n in range(8)))

    asyncio.run(main())
    assert most == 2
    assert len(names) == 2 and all(name.startswith(POOL) for name in names)


def test_the_number_of_threads_is_a_setting():
    assert Settings.from_env({}).web_threads == 6
    assert Settings.from_env({"OPENINNO_WEB_THREADS": "16"}).web_threads == 16
    with pytest.raises(ValueError, match="OPENINNO_WEB_THREADS must be at least 1"):
        Settings.from_env({"OPENINNO_WEB_THREADS": "0"})


def spy_threads(app: Any, monkeypatch: pytest.MonkeyPatch, *methods: str) -> dict[str, str]:
    """The name of the thread each of the application's ``methods`` last ran in."""
    seen: dict[str, str] = {}
    for name in methods:
        real = getattr(app, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            seen[_name] = threading.current_thread().name
            return _real(*args, **kwargs)

        monkeypatch.setattr(app, name, spy)
    return seen


def test_a_submission_and_its_idempotency_record_run_in_the_pool(app, cast, monkeypatch):
    challenge_id, terms = cast.open_challenge()
    seen = spy_threads(
        app, monkeypatch, "submit", "begin_idempotent_request", "complete_idempotent_request"
    )
    response = cast.client.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        json={"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms},
        headers={**cast.solver.auth, "Idempotency-Key": "pendulum-1"},
    )
    assert response.status_code == 201, response.text
    assert set(seen) == {"submit", "begin_idempotent_request", "complete_idempotent_request"}
    assert all(name.startswith(POOL) for name in seen.values()), seen


def test_a_vote_runs_in_the_pool(app, cast, monkeypatch):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms)
    seen = spy_threads(app, monkeypatch, "support")
    response = cast.client.put(f"/api/v1/submissions/{entry}/vote", headers=cast.other.auth)
    assert response.status_code == 200, response.text
    assert seen["support"].startswith(POOL), seen
