"""kill -9 of the projection runner while clients submit over HTTP (issue 7).

`openinno serve` follows the projections in threads of its own supervisor process,
so killing "the projection worker" there would kill the server too.  Here the server
runs with ``--no-projections`` and the read models are followed by `openinno
projections run` as a process of its own, against the same store, which is the
deployment the kill concerns.  While clients submit, the runner is killed with
SIGKILL, load continues with no runner at all, then a new runner is started.  When
it has caught up with the log:

- the read-model tables equal, row for row, a clean rebuild from zero;
- every acknowledged submission appears exactly once in the participants and
  reviewers read models and has exactly one "submitted" step in the chain of title;
- the challenge's submission count equals the acknowledged submissions.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from uuid import UUID

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from projections.db import open_db
from tests.faults.store_check import check_store_whole
from tests.projections.tables import dump
from tests.projections.test_kill_and_rebuild import (
    clean_rebuild,
    slowest_position,
    start_runner,
    wait_for,
)
from tests.support.load import Outcome, Request, run_clients, run_sync
from tests.support.server import entry, http_scene, running_server
from web.readside import read_store_for

pytestmark = pytest.mark.postgres

CLIENTS = 12
PER_CLIENT = 20
KILL_AFTER = 40  # acknowledged submissions before the kill
RESTART_AFTER = 120  # ... and before the new runner starts (load meanwhile: no runner)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def test_kill_9_of_the_projection_runner_under_submission_load(
    pg_settings: Settings, tmp_path: Path
) -> None:
    scene = http_scene(pg_settings, CLIENTS)
    store = read_store_for(pg_settings)
    runners = [start_runner(pg_settings)]
    try:
        with running_server(pg_settings, workers=1, projections=False) as server:
            acknowledged = 0
            killed_at: list[int] = []  # the runner's position when it was killed

            def on_outcome(outcome: Outcome) -> None:
                nonlocal acknowledged
                if outcome.status == 201:
                    acknowledged += 1
                if acknowledged >= KILL_AFTER and not killed_at:
                    runners[0].send_signal(signal.SIGKILL)
                    runners[0].wait(timeout=10)
                    killed_at.append(slowest_position(store))
                if acknowledged >= RESTART_AFTER and len(runners) == 1:
                    runners.append(start_runner(pg_settings))

            def submit(client: int, index: int) -> Request:
                return Request(
                    "POST",
                    f"/api/v1/challenges/{scene.challenge}/submissions",
                    scene.solvers[client].auth,
                    entry(scene, f"Entry {client}-{index}"),
                )

            outcomes = run_sync(
                run_clients(
                    server.url, CLIENTS, PER_CLIENT, submit, time_limit=40, on_outcome=on_outcome
                )
            )
            assert killed_at, "the load ended before the kill"
            assert len(runners) == 2, "the load ended before the restart"
            assert runners[0].returncode == -signal.SIGKILL
            assert all(o.status == 201 for o in outcomes), [
                (o.status, o.body) for o in outcomes if o.status != 201
            ][:3]
        acked = {UUID(o.body["id"]) for o in outcomes}
        assert len(acked) == len(outcomes)

        app = OpenInno(pg_settings)
        try:
            head = app.recorder.max_notification_id() or 0
            # The killed runner had not applied everything: the new one had work to do.
            assert killed_at[0] < head, (killed_at, head)
            wait_for(lambda: slowest_position(store) >= head, timeout=40)
            _stop(runners[1])

            db = open_db(store)
            try:
                resumed = dump(db)
                chain = db.rows(
                    "SELECT submission_id, COUNT(*) AS n FROM lg_chain "
                    "WHERE step = 'submitted' GROUP BY submission_id"
                )
                count = db.rows(
                    "SELECT submission_count FROM pt_challenges WHERE challenge_id = ?",
                    (str(scene.challenge),),
                )
            finally:
                db.close()
            clean = clean_rebuild(pg_settings, app, store, tmp_path)
        finally:
            app.close()
    finally:
        for runner in runners:
            _stop(runner)

    assert resumed.keys() == clean.keys()
    for table in clean:
        assert resumed[table] == clean[table], table

    # Exactly once, as the clients saw it.
    check_store_whole(pg_settings, scene.challenge, acked)
    pt = [UUID(str(row[0])) for row in resumed["pt_submissions"]]
    rv = [UUID(str(row[0])) for row in resumed["rv_entries"]]
    assert sorted(pt) == sorted(acked), "participants: not every acknowledged one, once"
    assert sorted(rv) == sorted(acked), "reviewers: not every acknowledged one, once"
    assert {UUID(str(r["submission_id"])): int(r["n"]) for r in chain} == dict.fromkeys(acked, 1)
    assert int(count[0]["submission_count"]) == len(acked)
