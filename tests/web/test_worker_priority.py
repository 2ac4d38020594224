"""`openinno serve` with several workers runs them below the supervisor's CPU priority
(web.app.lower_priority): under load the supervisor's threads, which apply the log to
the read models and the ledger, get the cores first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openinno.settings import Settings
from tests.support.server import running_server

pytestmark = pytest.mark.postgres


def nice_of(pid: int) -> int:
    # /proc/<pid>/stat: the fields after the command's closing parenthesis; nice is the 19th.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


@pytest.mark.parametrize(("setting", "steps"), [(None, 5), ("2", 2), ("0", 0)])
def test_workers_run_below_the_supervisor(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch, setting: str | None, steps: int
):
    if setting is None:
        monkeypatch.delenv("OPENINNO_WEB_WORKER_NICE", raising=False)
    else:
        monkeypatch.setenv("OPENINNO_WEB_WORKER_NICE", setting)
    with running_server(pg_settings, workers=2) as server:
        supervisor = nice_of(server.process.pid)
        assert supervisor == nice_of(os.getpid())  # the supervisor keeps its priority
        workers = server.worker_pids()
        assert len(workers) == 2
        assert [nice_of(pid) - supervisor for pid in workers] == [steps, steps]
