"""A real `openinno serve` (uvicorn) in a subprocess on 127.0.0.1, for the fault tests
and the HTTP benchmarks, and the scene they load it with.

The server runs in its own process group, so stopping it (SIGTERM, then SIGKILL)
takes the uvicorn supervisor and every worker with it, also when a test fails.  Its
PostgreSQL connections carry their own ``application_name`` (libpq reads
``PGAPPNAME``), so a test can terminate exactly this server's backends and no one
else's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain.values import Voting
from openinno.settings import Settings
from tests.support.keys import give_write_key
from tests.support.story import PASSWORD, spec_for

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def drop_schemas(postgres_url: str, *schemas: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextlib.contextmanager
def pg_store(url: str, tmp: Path) -> Iterator[Settings]:
    """A migrated throwaway PostgreSQL schema for a served app, dropped with its
    read-model schema afterwards."""
    settings = postgres_settings(url, tmp)
    schema = schema_of(settings)
    try:
        migrate(settings)
        yield settings
    finally:
        drop_schemas(url, schema, f"{schema}_read")


def postgres_settings(postgres_url: str, data_dir: Path) -> Settings:
    """Settings for a throwaway schema; cheap password hashing (tests, not production)."""
    schema = f"f_{uuid.uuid4().hex[:16]}"
    give_write_key(data_dir)
    return Settings(
        database_url=f"{postgres_url}?schema={schema}",
        data_dir=data_dir,
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )


def schema_of(settings: Settings) -> str:
    return settings.database_url.rsplit("schema=", 1)[1].split("&", 1)[0]


def migrate(settings: Settings) -> None:
    """What `openinno migrate` does: event store, ledger and read models."""
    from openinno.persistence.migrate import migrate_event_store
    from web.ledger_cli import migrate_ledger
    from web.projections_cli import migrate_read_models

    migrate_event_store(settings)
    migrate_ledger(settings)
    migrate_read_models(settings)


def server_env(settings: Settings, app_name: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "OPENINNO_DATABASE_URL": settings.database_url,
            "OPENINNO_DATA_DIR": str(settings.data_dir),
            "OPENINNO_ARGON2_TIME_COST": str(settings.argon2_time_cost),
            "OPENINNO_ARGON2_MEMORY_KIB": str(settings.argon2_memory_kib),
            "PGAPPNAME": app_name,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class Server:
    """One `openinno serve` process group."""

    settings: Settings
    port: int
    process: subprocess.Popen[bytes]
    app_name: str
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (children of the supervisor started by spawn)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid and b"spawn_main" in cmdline:
                pids.append(int(entry.name))
        return sorted(pids)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def started_workers(self) -> int:
        """Workers whose app has started (uvicorn logs each one's startup).  A worker
        process exists, and one worker answers, before the other has built its app (and
        lowered its priority): counting the processes let a test look too early."""
        try:
            log = self.log_path.read_text(errors="replace")
        except OSError:
            return 0
        return min(len(self.worker_pids()), log.count("Application startup complete."))

    def wait_ready(self, timeout: float = 30.0, workers: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                ok = httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok and (workers <= 1 or self.started_workers() >= workers):
                return
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        # Whatever is left of the group (a hung worker): SIGKILL.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


@contextlib.contextmanager
def running_server(
    settings: Settings, *, workers: int = 2, projections: bool = False, access_log: bool = True
) -> Iterator[Server]:
    port = free_port()
    app_name = f"openinno-test-{uuid.uuid4().hex[:12]}"
    log_path = settings.data_dir / f"server-{port}.log"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "web.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    if not projections:
        command.append("--no-projections")
    if not access_log:
        command.append("--no-access-log")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_env(settings, app_name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(settings, port, process, app_name, log_path)
    try:
        server.wait_ready(workers=workers)
        yield server
    finally:
        server.stop()


def terminate_backends(postgres_url: str, app_name: str) -> int:
    """pg_terminate_backend for this server's connections only (by application_name)."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name = %s",
            (app_name,),
        ).fetchall()
    return len(rows)


@contextlib.contextmanager
def own_role(
    postgres_url: str, data_dir: Path, *, connect_timeout: int | None = None
) -> Iterator[tuple[Settings, str]]:
    """Settings whose connections log in as a role of their own (owner of a throwaway
    schema and its read-model schema), so a test can refuse that role's logins
    (``ALTER ROLE ... NOLOGIN``) without touching anyone else's connections."""
    import psycopg
    from psycopg import sql

    role = f"f_{uuid.uuid4().hex[:12]}"
    password = uuid.uuid4().hex
    schema = f"{role}_s"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        database = conn.execute("SELECT current_database()").fetchone()
        assert database is not None
        conn.execute(
            sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(
                sql.Identifier(database[0]), sql.Identifier(role)
            )
        )
        for name in (schema, f"{schema}_read"):
            conn.execute(
                sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
                    sql.Identifier(name), sql.Identifier(role)
                )
            )
    scheme, rest = postgres_url.split("://", 1)
    host_and_db = rest.split("@", 1)[-1]
    query = f"?schema={schema}"
    if connect_timeout is not None:
        query += f"&connect_timeout={connect_timeout}"
    settings = Settings(
        database_url=f"{scheme}://{role}:{password}@{host_and_db}{query}",
        data_dir=data_dir,
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )
    try:
        yield settings, role
    finally:
        set_login(postgres_url, role, True)
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                (role,),
            )
            for name in (schema, f"{schema}_read"):
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def set_login(postgres_url: str, role: str, allowed: bool) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER ROLE {} " + ("LOGIN" if allowed else "NOLOGIN")).format(
                sql.Identifier(role)
            )
        )


# --- the scene: a published, open challenge and solvers with tokens ---------------------


@dataclass
class Solver:
    id: UUID
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class HttpScene:
    sponsor: Solver
    organisation: UUID
    challenge: UUID
    terms: str
    solvers: list[Solver] = field(default_factory=list)


def _account(app: OpenInno, email: str, name: str) -> Solver:
    account = app.register_account(email, PASSWORD, name).id
    token, _ = app.issue_token(email, PASSWORD)
    return Solver(account, token)


def http_scene(
    settings: Settings, solvers: int, *, per_solver: int = 100, voting: bool = False
) -> HttpScene:
    """Written straight through the library (fast): a sponsor, an open challenge that
    takes up to ``per_solver`` entries each, and ``solvers`` accounts with tokens."""
    app = OpenInno(settings)
    try:
        tag = uuid.uuid4().hex[:8]
        sponsor = _account(app, f"sponsor-{tag}@example.org", "Sponsor")
        organisation = app.create_organisation(sponsor.id, "Brickworks").id
        now = datetime.now(UTC)
        spec = spec_for(
            ManualClock(now),
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            review_ends_at=now + timedelta(days=2),
            max_submissions_per_solver=per_solver,
            voting=Voting("public", 1_000_000) if voting else Voting("none", None),
        )
        challenge = app.draft_challenge(sponsor.id, organisation, spec).id
        terms = app.publish_challenge(sponsor.id, challenge).terms_sha256
        people = [
            _account(app, f"solver-{tag}-{i}@example.org", f"Solver {i}") for i in range(solvers)
        ]
        return HttpScene(sponsor, organisation, challenge, terms, people)
    finally:
        app.close()


def entry(scene: HttpScene, title: str) -> dict[str, str]:
    return {
        "title": title,
        "summary": "A building set with swings and weights that shows a pendulum's period.",
        "accepted_terms_sha256": scene.terms,
    }


@contextlib.contextmanager
def no_rate_limits() -> Iterator[None]:
    """The API's limits (120 anonymous requests a minute per address, 600 per token,
    10 sign-ups an hour per address) would answer a benchmark's clients on one address
    with 429s: a server started inside this block has limits out of reach (`server_env`
    passes this process's environment on)."""
    names = (
        "OPENINNO_API_RATE_LIMIT",
        "OPENINNO_API_ANONYMOUS_RATE_LIMIT",
        "OPENINNO_SIGNUP_RATE_LIMIT",
    )
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, "100000000/60"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
