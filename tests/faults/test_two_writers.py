"""Two writers on one aggregate over HTTP: one wins, the other gets a clear 409 it can
retry.

Most commands cannot produce this 409: they run under ``retry_on_conflict``, so a
writer that loses the race for a stream's next version runs again on fresh state and
the domain's guards decide (SubmissionLimitReached, AlreadySupported...), or both
changes land one after the other.  Only after 25 lost races in a row is it
``ConcurrentUpdate``.  The place where two writers on one stream must not both
proceed is the ``IdempotencyRecord`` of an ``Idempotency-Key``: two copies of one
request (a client retrying while the first is still running on another worker) race
for it; exactly one runs, the other gets 409 concurrent_update with Retry-After and,
retried, the first one's response."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from openinno.application import OpenInno
from tests.support.load import Request, run_clients, run_sync
from tests.support.server import entry, http_scene, running_server
from web.api.idempotency import request_fingerprint

pytestmark = pytest.mark.postgres


PAIRS = 12


def test_two_writers_of_one_idempotency_record(pg_settings):
    scene = http_scene(pg_settings, PAIRS + 1)
    with running_server(pg_settings, workers=1) as server:
        in_progress_elsewhere_gets_409_then_its_response(pg_settings, server, scene)
        racing_copies_of_one_request_record_it_once(pg_settings, server, scene)


def in_progress_elsewhere_gets_409_then_its_response(pg_settings, server, scene):
    solver = scene.solvers[PAIRS]
    path = f"/api/v1/challenges/{scene.challenge}/submissions"
    body = json.dumps(entry(scene, "Pendulum park")).encode()
    key = f"k-{uuid.uuid4()}"
    headers = {**solver.auth, "Idempotency-Key": key, "Content-Type": "application/json"}

    # The first writer: the same request, running on another worker (deterministic:
    # it holds the key in the store until we let it finish).
    first = OpenInno(pg_settings)
    try:
        fingerprint = request_fingerprint("POST", path, b"", "application/json", body)
        assert first.begin_idempotent_request(solver.id, key, fingerprint) is None

        second = httpx.post(server.url + path, content=body, headers=headers, timeout=30)
        assert second.status_code == 409, second.text
        assert second.headers["content-type"].startswith("application/problem+json")
        assert second.headers["retry-after"] == "1"
        problem = second.json()
        assert problem["code"] == "concurrent_update"
        assert problem["type"] == "/api/v1/problems/concurrent_update"
        assert "retry" in problem["detail"].lower()

        # The first writer fails in a retryable way and lets the key go ...
        first.release_idempotent_request(solver.id, key, 503)
    finally:
        first.close()
    # ... so the retry after Retry-After runs the request itself, once.
    time.sleep(float(second.headers["retry-after"]))
    retried = httpx.post(server.url + path, content=body, headers=headers, timeout=30)
    assert retried.status_code == 201, retried.text
    replayed = httpx.post(server.url + path, content=body, headers=headers, timeout=30)
    assert replayed.status_code == 201
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == retried.json()


def racing_copies_of_one_request_record_it_once(pg_settings, server, scene):
    """Pairs of identical requests sent at the same moment: per pair exactly one is
    recorded; the other is a 409 with Retry-After or (when it came second) the replay.
    Retrying every 409 ends with the same answer for both."""
    pairs = PAIRS
    path = f"/api/v1/challenges/{scene.challenge}/submissions"
    keys = [f"k-{uuid.uuid4()}" for _ in range(pairs)]

    def copy(client: int, index: int) -> Request:
        pair = client // 2
        headers = {**scene.solvers[pair].auth, "Idempotency-Key": keys[pair]}
        return Request("POST", path, headers, entry(scene, f"Entry {pair}"))

    outcomes = run_sync(run_clients(server.url, 2 * pairs, 1, copy, time_limit=30))
    assert {o.status for o in outcomes} <= {201, 409}, [o.body for o in outcomes]
    conflicts = [o for o in outcomes if o.status == 409]
    for o in conflicts:
        assert o.retry_after and o.body["code"] == "concurrent_update", o
    answers: dict[int, set[str]] = {}
    for o in outcomes:
        if o.status == 201:
            answers.setdefault(o.client // 2, set()).add(o.body["id"])
    for o in conflicts:
        pair = o.client // 2
        for _ in range(30):
            time.sleep(float(o.retry_after or 1) / 10)
            r = httpx.post(
                server.url + path,
                json=entry(scene, f"Entry {pair}"),
                headers={**scene.solvers[pair].auth, "Idempotency-Key": keys[pair]},
                timeout=30,
            )
            if r.status_code != 409:
                break
        assert r.status_code == 201, r.text
        answers.setdefault(pair, set()).add(r.json()["id"])
    assert all(len(ids) == 1 for ids in answers.values()), answers
    assert len(answers) == pairs

    app = OpenInno(pg_settings)
    try:
        # One submission per pair in the store: each solver's entries list holds one.
        from openinno.domain import SolverEntries, ids

        for solver in scene.solvers[:pairs]:
            entries: object = app.repository.get(ids.solver_entries_id(scene.challenge, solver.id))
            assert isinstance(entries, SolverEntries)
            assert len(entries.live) == 1
    finally:
        app.close()
    print(f"{len(conflicts)} of {pairs} pairs raced into a 409")
