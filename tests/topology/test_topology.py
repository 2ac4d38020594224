"""Beyond one machine (issue 28, item 5; decision 0035), with real processes on
127.0.0.1: two app hosts (`openinno serve --no-projections`, each with a data
directory and a port of its own) and a read-side host (`openinno follow`) against one
PostgreSQL primary; the web's read models read from a streaming replica of it
(`pg_basebackup -R`); files and page sessions on a directory every host shares; rate
limits and the sign-in throttle counted in PostgreSQL for every host together.

One topology for the module (two clusters and three processes take a few seconds to
start); its tests use accounts of their own."""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from openinno.application import OpenInno
from openinno.ledger import checkpoint
from openinno.settings import Settings
from tests.support.keys import give_write_key
from tests.support.replication import ReplicatedCluster
from tests.support.server import REPO, HttpScene, Server, free_port, http_scene
from tests.support.story import PASSWORD
from web import cli

pytestmark = pytest.mark.postgres

# A token's API requests per window: small, so a test reaches it quickly.
TOKEN_LIMIT = 40
# Wrong passwords per client address before it backs off (the default).
LOGIN_FAILURES = 5
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass
class Topology:
    cluster: ReplicatedCluster
    settings: Settings  # the primary, as the read-side host sees it
    a: Server
    b: Server
    follower: subprocess.Popen[bytes]
    scene: HttpScene
    shared: Path


def _start(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "web.cli", *command],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _app_host(settings: Settings, env: dict[str, str], data_dir: Path) -> Server:
    """One app host: its own data directory and port, the shared settings in ``env``."""
    port = free_port()
    data_dir.mkdir(parents=True)
    # Every host proves the events it writes with the same write key (a copy of it).
    shutil.copy(settings.write_key_path, data_dir / "write-key")
    host_env = {**env, "OPENINNO_DATA_DIR": str(data_dir), "PGAPPNAME": f"host-{port}"}
    log_path = data_dir / "server.log"
    command = ["serve", "--no-projections", "--host", "127.0.0.1", "--port", str(port)]
    process = _start(command, host_env, log_path)
    return Server(settings, port, process, f"host-{port}", log_path)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    root = tmp_path_factory.mktemp("topology")
    cluster = ReplicatedCluster()
    started: list[Any] = []
    try:
        primary_url, replica_url = cluster.start()
        shared = root / "shared"
        read_side_dir = root / "read-side"
        env = {
            **os.environ,
            "OPENINNO_DATABASE_URL": f"{primary_url}?schema=topology",
            "OPENINNO_READ_DATABASE_URL": replica_url,
            "OPENINNO_READ_REPLICA_WAIT_SECONDS": "0.5",
            "OPENINNO_FILES_DIR": str(shared / "files"),
            "OPENINNO_SESSIONS_DIR": str(shared / "sessions"),
            "OPENINNO_SECRET_KEY": uuid.uuid4().hex,
            # Every host unwraps the same people's data keys (decision 0032): one master
            # key for all, never each host's own key file.
            "OPENINNO_PERSONAL_DATA_KEYS": "topology:" + base64.b64encode(os.urandom(32)).decode(),
            "OPENINNO_API_RATE_LIMIT_STORE": "database",
            # Per day: what refills during the test is far below one request.
            "OPENINNO_API_RATE_LIMIT": f"{TOKEN_LIMIT}/86400",
            # A loaded machine's read side may take seconds; the replica wait stays 0.5 s.
            "OPENINNO_API_READ_WAIT_SECONDS": "30",
            "OPENINNO_LOGIN_FAILURE_LIMIT": f"{LOGIN_FAILURES}/900",
            "OPENINNO_ARGON2_TIME_COST": "1",
            "OPENINNO_ARGON2_MEMORY_KIB": "8",
            "OPENINNO_READ_SIDE_LINGER_MS": "0",
            "PYTHONUNBUFFERED": "1",
        }
        # The read-side host: keys (it signs the checkpoints), the migration, the followers.
        side_env = {**env, "OPENINNO_DATA_DIR": str(read_side_dir), "PGAPPNAME": "read-side"}
        settings = Settings.from_env(side_env)
        # What `openinno keys generate` and `openinno migrate` do, in this process (each
        # command's interpreter start took seconds on a loaded machine).
        give_write_key(read_side_dir)
        settings.signing_key_path.write_bytes(checkpoint.generate_private_key_pem())
        cli._migrate(argparse.Namespace(), settings)
        follower = _start(["follow"], side_env, read_side_dir / "follow.log")
        started.append(follower)
        a = _app_host(settings, env, root / "host-a")
        started.append(a)
        b = _app_host(settings, env, root / "host-b")
        started.append(b)
        a.wait_ready()
        b.wait_ready()
        assert cluster.replaying()
        scene = http_scene(settings, solvers=4)
        yield Topology(cluster, settings, a, b, follower, scene, shared)
    finally:
        for process in reversed(started):
            if isinstance(process, Server):
                process.stop()
            else:
                _stop(process)
        cluster.stop()


def _submit(host: Server, topology: Topology, solver: int, title: str) -> dict[str, Any]:
    scene = topology.scene
    r = httpx.post(
        f"{host.url}/api/v1/challenges/{scene.challenge}/submissions",
        data={
            "title": title,
            "summary": "A pendulum of bricks that shows its period.",
            "accepted_terms_sha256": scene.terms,
        },
        files=[("files", (f"{title}.pdf", PDF, "application/pdf"))],
        headers=scene.solvers[solver].auth,
        timeout=30,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _entries(host: Server, topology: Topology, min_position: int | None = None) -> httpx.Response:
    query = "" if min_position is None else f"?min_position={min_position}"
    return httpx.get(
        f"{host.url}/api/v1/challenges/{topology.scene.challenge}/submissions{query}",
        headers=topology.scene.sponsor.auth,
        timeout=30,
    )


def _ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_a_write_on_one_host_is_read_on_the_other_from_the_replica(topology: Topology) -> None:
    written = _submit(topology.a, topology, 0, "swing")
    # The read-side host applies it on the primary; the replica gets it by streaming.
    r = _entries(topology.b, topology, written["position"])
    assert written["id"] in _ids(r)


def test_reads_come_from_the_replica_and_a_lagging_one_falls_back_to_the_primary(
    topology: Topology,
) -> None:
    with topology.cluster.replay_paused():
        written = _submit(topology.a, topology, 1, "seesaw")
        # Without min_position the read is the replica's, which stands still.
        assert written["id"] not in _ids(_entries(topology.b, topology))
        # With it, the replica is waited for 0.5 s, then the primary's read models answer.
        started = time.monotonic()
        assert written["id"] in _ids(_entries(topology.b, topology, written["position"]))
        assert time.monotonic() - started >= 0.5
        # Still paused: the plain read still has not got it.
        assert written["id"] not in _ids(_entries(topology.b, topology))
    # Replay resumed: the replica catches up by itself.
    deadline = time.monotonic() + 20
    while written["id"] not in _ids(_entries(topology.b, topology)):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.25)


def test_a_file_uploaded_on_one_host_downloads_from_the_other(topology: Topology) -> None:
    written = _submit(topology.a, topology, 2, "lever")
    sha = hashlib.sha256(PDF).hexdigest()
    r = httpx.get(
        f"{topology.b.url}/api/v1/submissions/{written['id']}/files/{sha}",
        headers=topology.scene.solvers[2].auth,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.content == PDF
    # The shared directory holds it (content-addressed), and no host's own directory.
    assert topology.shared.joinpath("files", sha[:2], sha[2:4], sha).read_bytes() == PDF
    for host in (topology.a, topology.b):
        assert not list(host.log_path.parent.rglob(sha))


def test_a_page_session_started_on_one_host_is_signed_in_on_the_other(
    topology: Topology,
) -> None:
    email = f"solver-page-{uuid.uuid4().hex[:8]}@example.org"
    app = OpenInno(topology.settings)
    try:
        app.register_account(email, PASSWORD, "Page Solver")
    finally:
        app.close()
    with httpx.Client(timeout=30) as browser:
        login = browser.get(f"{topology.a.url}/login")
        token = CSRF.search(login.text)
        assert token, login.text[:300]
        r = browser.post(
            f"{topology.a.url}/login",
            data={"email": email, "password": PASSWORD, "_csrf_token": token.group(1)},
        )
        assert r.status_code == 303, r.text
        # The other host reads the session from the shared directory.
        r = browser.get(f"{topology.b.url}/profile")
        assert r.status_code == 200, r.text
        assert "Page Solver" in r.text
        # Signed out, the same path sends the visitor to the sign-in page.
        r = httpx.get(f"{topology.b.url}/profile", timeout=30)
        assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")


def test_a_tokens_rate_limit_holds_at_the_combined_count_of_both_hosts(
    topology: Topology,
) -> None:
    auth = topology.scene.solvers[3].auth  # this test's own token
    with httpx.Client(headers=auth, timeout=30) as client:
        statuses = [
            client.get(f"{host.url}/api/v1/me").status_code
            for _ in range(TOKEN_LIMIT // 2 + 5)
            for host in (topology.a, topology.b)
        ]
    # Both hosts share the token's TOKEN_LIMIT requests (each counting on its own
    # would allow twice as many), then every request on either one waits.
    assert statuses[:TOKEN_LIMIT] == [200] * TOKEN_LIMIT
    assert statuses[TOKEN_LIMIT:] == [429] * 10


def test_wrong_passwords_are_throttled_at_the_combined_count_of_both_hosts(
    topology: Topology,
) -> None:
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    statuses = []
    for attempt in range(LOGIN_FAILURES + 3):
        host = (topology.a, topology.b)[attempt % 2]
        r = httpx.post(
            f"{host.url}/api/v1/tokens",
            json={"email": email, "password": "not the password"},
            timeout=30,
        )
        statuses.append(r.status_code)
    # One address's failures, whichever host it tried: LOGIN_FAILURES, then it waits.
    assert statuses == [401] * LOGIN_FAILURES + [429] * 3
