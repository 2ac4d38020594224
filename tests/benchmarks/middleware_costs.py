"""CPU of an authenticated API request by part, in process: `python -m
tests.benchmarks.middleware_costs`.

The app as `openinno serve` builds it (``create_app``, PostgreSQL, the shared rate-limit
buckets), driven by ASGI calls from one asyncio loop, one request after another, no
sockets and no HTTP parsing (uvicorn's share is in bench_http's parts).  Requests:
``GET /api/v1/me``, ``PUT /api/v1/submissions/{id}/vote`` (a vote on each of COUNT
entries) and ``POST /api/v1/challenges/{id}/submissions``.  Each in variants, run in
turn (A/B/C... then again, ROUNDS times), each part replaced by its cheapest stand-in:

- ``as served``;
- ``no rate limit``: the token bucket's take, and the unknown-token check, answer
  "allowed" at once (what the shared buckets cost: ``web/throttle.py``);
- ``no token lookup``: the token's grant remembered from the first request (what the
  token's read and checks cost on top of the command's reads, which still run).

Per request: this process's CPU (client: middlewares, framework, handler, driver)
plus its PostgreSQL backends' (``application_name``).  ``PROFILE=1``: cProfile of the
``as served`` GETs (cumulative, the top 40).  Not a ``bench_*`` module: an A/B tool.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

APP_NAME = f"middleware-costs-{uuid.uuid4().hex[:8]}"
os.environ["PGAPPNAME"] = APP_NAME  # before any connection: libpq reads it

import msgspec  # noqa: E402
import psycopg  # noqa: E402

from tests.support import postgres  # noqa: E402
from tests.support.cpu import process_cpu  # noqa: E402
from tests.support.server import entry, http_scene, pg_store  # noqa: E402

COUNT = int(os.environ.get("COUNT", 300))
ROUNDS = int(os.environ.get("ROUNDS", 2))


def backends_cpu(url: str) -> float:
    with psycopg.connect(url, autocommit=True, application_name="middleware-observer") as c:
        pids = [
            r[0]
            for r in c.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
            )
        ]
    return sum(process_cpu(pid) for pid in pids)


async def call(
    app: Any, method: str, path: str, token: str, body: bytes = b""
) -> tuple[int, bytes]:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0
    answer = bytearray()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            answer.extend(message.get("body", b""))

    await app(scope, receive, send)
    return status, bytes(answer)


@contextmanager
def variant(name: str, openinno: Any) -> Iterator[None]:
    from web.api.ratelimit import RateLimiter

    saved: list[tuple[Any, str, Any]] = []

    def swap(owner: Any, attribute: str, value: Any) -> None:
        saved.append((owner, attribute, owner.__dict__.get(attribute)))
        setattr(owner, attribute, value)

    if name == "no rate limit":
        swap(RateLimiter, "take", lambda self, kind, key: (True, 10**6, 0.0))
        swap(RateLimiter, "unknown_tokens_wait", lambda self, ip: 0.0)
    elif name == "no token lookup":
        grants: dict[str, Any] = {}
        real = openinno.token_grant

        def remembered(token: str, *, also: Any = None) -> Any:
            if token not in grants:
                grants[token] = real(token, also=also)
            elif also is not None:  # the command's own reads still happen
                openinno._streams.read_ahead(also(grants[token].account_id))
            return grants[token]

        swap(openinno, "token_grant", remembered)
    try:
        yield
    finally:
        for owner, attribute, value in reversed(saved):
            if value is None:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, value)


def parts_alone(url: str, settings: Any, openinno: Any, token: str) -> dict[str, float]:
    """Each part on its own, called PARTS times in a loop (steadier than the
    differences between whole requests on a busy machine): the token bucket's take in
    the buckets every worker shares (``web/throttle.py``), the limiter's key (the
    token's SHA-256 from the headers), the token's grant (its stream and its account's,
    read in one query, and the checks)."""
    from web.api.ratelimit import RateLimiter, client_key
    from web.throttle import shared_buckets

    count = int(os.environ.get("PARTS", 5000))
    limiter = RateLimiter(10**8, 10**8, 60.0, shared_buckets(settings.data_dir))
    scope = {"headers": [(b"authorization", f"Bearer {token}".encode())], "client": ("1", 1)}
    key = client_key(scope)[1]

    def timed(work: Any, n: int) -> float:
        backend, cpu = backends_cpu(url), time.process_time()
        for _ in range(n):
            work()
        return ((time.process_time() - cpu) + (backends_cpu(url) - backend)) * 1000 / n

    with openinno._streams.fresh_reads():
        openinno.token_grant(token)  # cached once, as in a running worker
    return {
        "rate limit: the shared bucket's take": timed(lambda: limiter.take("token", key), count),
        "rate limit: the unknown-token check": timed(
            lambda: limiter.unknown_tokens_wait("127.0.0.1"), count
        ),
        "rate limit: the key (headers, SHA-256 of the token)": timed(
            lambda: client_key(scope), count
        ),
        "token lookup: token_grant (one read, the checks)": timed(
            lambda: openinno.token_grant(token), count // 5
        ),
    }


def measure(url: str) -> None:
    from web.app import create_app

    with tempfile.TemporaryDirectory() as tmp, pg_store(url, Path(tmp)) as settings:
        scene = http_scene(settings, 31, per_solver=100, voting=True)
        os.environ.update(
            dict.fromkeys(
                ("OPENINNO_API_RATE_LIMIT", "OPENINNO_API_ANONYMOUS_RATE_LIMIT"), "10000000/60"
            )
        )
        app = create_app(settings)
        openinno = app.state.openinno
        voter, authors = scene.solvers[0], scene.solvers[1:]
        submit_path = f"/api/v1/challenges/{scene.challenge}/submissions"
        variants = ("as served", "no rate limit", "no token lookup")
        figures: dict[tuple[str, str], list[float]] = {}

        async def run() -> None:
            entries: list[str] = []

            async def me() -> None:
                assert (await call(app, "GET", "/api/v1/me", voter.token))[0] == 200

            async def submit() -> None:
                n = len(entries)
                body = msgspec.json.encode(entry(scene, f"Entry {n}"))
                token = authors[n % len(authors)].token
                status, answer = await call(app, "POST", submit_path, token, body)
                assert status == 201, answer
                entries.append(msgspec.json.decode(answer)["id"])

            votes = iter(entries)

            async def vote() -> None:
                path = f"/api/v1/submissions/{next(votes)}/vote"
                status, answer = await call(app, "PUT", path, voter.token)
                assert status == 200, answer

            # Submissions first (the entries the votes go to), then votes, then GETs.
            count = min(COUNT, 100 * len(authors) // (ROUNDS * len(variants)))
            requests = (
                ("POST submission", submit),
                ("PUT vote", vote),
                ("GET /api/v1/me", me),
            )
            for label, request in requests:
                for round_ in range(ROUNDS):
                    for name in variants:
                        with variant(name, openinno):
                            profile = (
                                cProfile.Profile(time.process_time)
                                if os.environ.get("PROFILE") and name == "as served" and round_ == 0
                                else None
                            )
                            backend, cpu = backends_cpu(url), time.process_time()
                            if profile:
                                profile.enable()
                            for _ in range(count):
                                await request()
                            if profile:
                                profile.disable()
                            cpu = time.process_time() - cpu
                            backend = backends_cpu(url) - backend
                            figures.setdefault((label, name), []).append(
                                (cpu + backend) * 1000 / count
                            )
                            if profile:
                                out = io.StringIO()
                                stats = pstats.Stats(profile, stream=out)
                                stats.sort_stats("cumulative").print_stats(40)
                                print(label, out.getvalue())

        try:
            asyncio.run(run())
            parts = parts_alone(url, settings, openinno, voter.token)
        finally:
            openinno.close()
    for part, ms in parts.items():
        print(f"alone: {part:58} {ms:.3f} ms per call (process + backends)")
    for (label, name), values in figures.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"{label:16} {name:16} CPU ms per request (process + backends): {shown}")
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    found, started = postgres.find_or_start()
    try:
        if found is not None:
            measure(found)
    finally:
        if started is not None:
            started.stop()
