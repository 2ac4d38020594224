"""kill -9 of a web worker in the middle of a burst of submissions from concurrent
clients: every acknowledged (201) submission is in the store, every stream is whole,
and the server keeps answering (uvicorn's supervisor starts a new worker)."""

from __future__ import annotations

import os
import signal
import time
from uuid import UUID

import httpx
import pytest

from tests.faults.store_check import check_store_whole
from tests.support.load import Outcome, Request, run_clients, run_sync
from tests.support.server import entry, http_scene, running_server

pytestmark = pytest.mark.postgres

CLIENTS = 16
PER_CLIENT = 15
KILL_AFTER = 50  # acknowledged submissions before the kill


def test_kill_9_of_a_web_worker_mid_burst_loses_nothing_acknowledged(pg_settings):
    scene = http_scene(pg_settings, CLIENTS)
    with running_server(pg_settings, workers=2) as server:
        workers_before = server.worker_pids()
        assert len(workers_before) == 2
        killed: list[int] = []
        acknowledged = 0

        def on_outcome(outcome: Outcome) -> None:
            nonlocal acknowledged
            if outcome.status == 201:
                acknowledged += 1
            if acknowledged >= KILL_AFTER and not killed:
                victim = server.worker_pids()[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        def submit(client: int, index: int) -> Request:
            return Request(
                "POST",
                f"/api/v1/challenges/{scene.challenge}/submissions",
                scene.solvers[client].auth,
                entry(scene, f"Entry {client}-{index}"),
            )

        outcomes = run_sync(
            run_clients(
                server.url, CLIENTS, PER_CLIENT, submit, time_limit=30, on_outcome=on_outcome
            )
        )
        assert killed, "the burst ended before the kill"
        statuses = {o.status for o in outcomes}
        # Answers are 201, or no answer at all from the killed worker; never a 5xx.
        assert statuses <= {201, None}, sorted(map(str, statuses))
        acked = {UUID(o.body["id"]) for o in outcomes if o.status == 201}
        assert len(acked) == sum(1 for o in outcomes if o.status == 201)

        # The supervisor replaced the worker; the app answers without a restart.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pids = server.worker_pids()
            if len(pids) == 2 and killed[0] not in pids:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"no new worker: {server.worker_pids()}\n{server.log()}")
        after = httpx.post(
            f"{server.url}/api/v1/challenges/{scene.challenge}/submissions",
            json=entry(scene, "After the kill"),
            headers=scene.solvers[0].auth,
            timeout=30,
        )
        assert after.status_code == 201, after.text
        acked.add(UUID(after.json()["id"]))

    stored = check_store_whole(pg_settings, scene.challenge, acked)
    # Unacknowledged requests may or may not have been recorded; nothing else appears.
    assert len(stored) <= len(outcomes) + 1
    lost_connections = sum(1 for o in outcomes if o.status is None)
    print(f"acknowledged {len(acked)}, stored {len(stored)}, no answer {lost_connections}")
