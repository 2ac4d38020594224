"""PostgreSQL connection loss during load.  The server logs in as a role of its own,
so only its connections are touched:

1. pg_terminate_backend on every connection of the server, a few times during a
   burst of submissions, then a short outage (3 s): the role may not log in
   (ALTER ROLE ... NOLOGIN) and its backends are terminated again and again;
2. a long outage, longer than the library's own patience (it tries a statement 10
   times, each waiting up to the connect timeout, 1 s here, for a connection):
   requests started in it must end as 503 problems, not hang and not 500.

Each request either succeeds or fails with 503 + Retry-After (never a 500), nothing
acknowledged is lost, and the same server processes serve again afterwards."""

from __future__ import annotations

import threading
import time
from uuid import UUID

import pytest

from tests.faults.store_check import check_store_whole
from tests.support.load import Outcome, Request, run_clients, run_sync
from tests.support.server import (
    entry,
    http_scene,
    migrate,
    own_role,
    running_server,
    set_login,
    terminate_backends,
)

pytestmark = pytest.mark.postgres

CLIENTS = 8
PER_CLIENT = 15
TERMINATE_AT = (10, 30, 50)  # acknowledged submissions at which backends are killed once
OUTAGE_AT = 70  # then the outage
OUTAGE_SECONDS = 3.0
LONG_OUTAGE_SECONDS = 15.0  # > 10 x (1 s + 0.2 s)


def outage(
    postgres_url: str, role: str, app_name: str, counts: list[int], seconds: float = OUTAGE_SECONDS
) -> None:
    set_login(postgres_url, role, False)
    try:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            counts.append(terminate_backends(postgres_url, app_name))
            time.sleep(0.05)
    finally:
        set_login(postgres_url, role, True)


def test_connection_loss_answers_503_or_succeeds_and_recovers(postgres_url, tmp_path):
    with own_role(postgres_url, tmp_path, connect_timeout=1) as (settings, role):
        migrate(settings)
        scene = http_scene(settings, CLIENTS)

        def submit(client: int, index: int) -> Request:
            return Request(
                "POST",
                f"/api/v1/challenges/{scene.challenge}/submissions",
                scene.solvers[client].auth,
                entry(scene, f"Entry {client}-{index}"),
            )

        with running_server(settings, workers=1) as server:
            terminated: list[int] = []
            during_outage: list[int] = []
            threads: list[threading.Thread] = []
            acknowledged = 0

            def on_outcome(outcome: Outcome) -> None:
                nonlocal acknowledged
                if outcome.status == 201:
                    acknowledged += 1
                if len([n for n in TERMINATE_AT if n <= acknowledged]) > len(terminated):
                    terminated.append(terminate_backends(postgres_url, server.app_name))
                if acknowledged >= OUTAGE_AT and not threads:
                    args = (postgres_url, role, server.app_name, during_outage)
                    threads.append(threading.Thread(target=outage, args=args))
                    threads[0].start()

            started = time.monotonic()
            outcomes = run_sync(
                run_clients(
                    server.url, CLIENTS, PER_CLIENT, submit, time_limit=30, on_outcome=on_outcome
                )
            )
            for thread in threads:
                thread.join()
            slowest = max(o.seconds for o in outcomes)
            print(f"burst: {time.monotonic() - started:.1f}s, slowest {slowest:.1f}s")
            assert len(terminated) == len(TERMINATE_AT) and threads, "the burst ended early"
            assert sum(terminated) > 0, "no backend of the server was terminated"
            statuses = sorted({str(o.status) for o in outcomes})
            assert set(statuses) <= {"201", "503"}, (
                statuses,
                [(o.error, o.seconds) for o in outcomes if o.status not in (201, 503)][:3],
                server.log(),
            )
            unavailable = [o for o in outcomes if o.status == 503]
            for o in unavailable:
                assert o.retry_after, o
                assert o.content_type.startswith("application/problem+json"), o
                assert o.body["code"] == "store_unavailable", o.body
            acked = {UUID(o.body["id"]) for o in outcomes if o.status == 201}

            # The long outage: requests made in it answer 503 + Retry-After.
            long_outage = threading.Thread(
                target=outage,
                args=(postgres_url, role, server.app_name, during_outage, LONG_OUTAGE_SECONDS),
            )
            long_outage.start()
            time.sleep(0.5)
            started = time.monotonic()
            in_outage = run_sync(run_clients(server.url, 4, 1, submit, time_limit=5))
            print(f"in the outage: {time.monotonic() - started:.1f}s")
            long_outage.join()
            assert {str(o.status) for o in in_outage} <= {"201", "503"}, (in_outage, server.log())
            assert any(o.status == 503 for o in in_outage), in_outage
            for o in in_outage:
                if o.status == 503:
                    assert o.retry_after and o.body["code"] == "store_unavailable", o
            acked |= {UUID(o.body["id"]) for o in in_outage if o.status == 201}

            # The same processes serve again: a second burst is all 201.
            started = time.monotonic()
            again = run_sync(run_clients(server.url, CLIENTS, 3, submit, time_limit=30))
            assert {o.status for o in again} == {201}, [o for o in again if o.status != 201][:3]
            print(f"recovered in {time.monotonic() - started:.1f}s")
            acked |= {UUID(o.body["id"]) for o in again}
            assert server.process.poll() is None, "the server process exited"

        check_store_whole(settings, scene.challenge, acked)
        print(
            f"terminated {terminated} + {sum(during_outage)} in the outage; "
            f"201: {len(acked)}, 503: {len(unavailable)}"
        )
