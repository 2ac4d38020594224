"""`openinno serve` logs each request unless told not to (--no-access-log)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import make_settings
from tests.support.server import migrate, running_server


@pytest.mark.parametrize("access_log", [True, False])
def test_serve_logs_requests_unless_told_not_to(access_log, tmp_path, request):
    settings = make_settings("sqlite", tmp_path, request)
    migrate(settings)
    with running_server(settings, workers=1, access_log=access_log) as server:
        assert httpx.get(f"{server.url}/api/v1/challenges?probe=1").status_code == 200
        server.stop()
        logged = "GET /api/v1/challenges?probe=1" in server.log()
    assert logged is access_log
