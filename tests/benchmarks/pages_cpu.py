"""Server CPU per page request, in process (not a ``bench_*`` module: not in ``make bench``).

The Litestar app is driven directly through ASGI: no HTTP server and no client library,
so the process's CPU time (every thread: the event loop and the worker threads) is the
server's, plus a few microseconds of this driver.  Each endpoint is requested in turn, in
batches (round robin), so a change in the machine's load falls on every endpoint alike.
The counts beside each figure do not depend on the load: session cookies sent, session
store writes and account look-ups per request.

Data: ``bench_reads``' generator at 100,000 submissions in the PostgreSQL schema
``pages_cpu_100k`` (made on the first run, about 1.5 minutes, and kept; drop it with
``DROP SCHEMA pages_cpu_100k, pages_cpu_100k_read CASCADE``).

    PYTHONPATH=<code>:<code>/src .venv/bin/python tests/benchmarks/pages_cpu.py LABEL [N]

``<code>`` is the tree whose web front is measured: this checkout, or for an A/B a
worktree of the old commit (``git worktree add``, its compiled ``web/i18n`` catalogues
copied over), run alternately in the same window."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar
from litestar.stores.file import FileStore

from openinno.application import OpenInno
from tests.benchmarks import bench_reads
from tests.support import postgres
from tests.support.server import migrate
from tests.support.story import PASSWORD
from web.app import create_app
from web.pages import PagesConfig

SCHEMA = "pages_cpu_100k"
SUBMISSIONS = 100_000
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
COUNTS = {"store_writes": 0, "account_lookups": 0}


def count_calls() -> None:
    """Count session store writes and account look-ups (both codes have these names)."""
    write, get_account = FileStore._write_sync, OpenInno.get_account

    def counted_write(self: FileStore, *args: Any) -> None:
        COUNTS["store_writes"] += 1
        write(self, *args)

    def counted_get_account(self: OpenInno, *args: Any) -> Any:
        COUNTS["account_lookups"] += 1
        return get_account(self, *args)

    FileStore._write_sync = counted_write  # type: ignore[method-assign]
    OpenInno.get_account = counted_get_account  # type: ignore[method-assign]


class Browser:
    """One visitor: a cookie jar, and requests straight into the ASGI app."""

    def __init__(self, app: Litestar) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}
        self.set_cookies = 0

    async def request(
        self, method: str, target: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, str]:
        path, _, query = target.partition("?")
        headers = [(b"host", b"testserver"), (b"accept-language", b"en")]
        if self.cookies:
            jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            headers.append((b"cookie", jar.encode()))
        if content_type:
            headers += [(b"content-type", content_type.encode())]
            headers += [(b"content-length", str(len(body)).encode())]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 40000),
            "server": ("testserver", 80),
            "state": {},
        }
        received = False
        status, answer_headers, chunks = 0, [], []

        async def receive() -> dict[str, Any]:
            nonlocal received
            if not received:
                received = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, answer_headers
            if message["type"] == "http.response.start":
                status, answer_headers = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)  # type: ignore[arg-type]
        for name, value in answer_headers:
            if name.lower() == b"set-cookie":
                self.set_cookies += 1
                key, _, rest = value.decode().partition("=")
                cookie = rest.split(";", 1)[0]
                if cookie == "null":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie
        return status, b"".join(chunks).decode("utf-8", "replace")


def dataset(url: str) -> bench_reads.Dataset:
    settings = bench_reads._bench_settings(f"{url}?schema={SCHEMA}", Path("/tmp/pages_cpu"))
    data = bench_reads.load_meta(url, SCHEMA)
    if data is None:
        migrate(settings)
        data = bench_reads.generate(settings, SUBMISSIONS)
        bench_reads.save_meta(url, SCHEMA, data)
    bench_reads.catch_up(settings)
    return data


async def measure(label: str, n: int, rounds: int = 10) -> None:
    url, cluster = postgres.find_or_start()
    assert url is not None and cluster is None, "needs a running PostgreSQL"
    data = dataset(url)
    data_dir = Path(f"/tmp/pages_cpu/{label}")
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = bench_reads._bench_settings(f"{url}?schema={SCHEMA}", data_dir)
    app = create_app(settings, pages_config=PagesConfig(secret_key="x" * 64, read_wait_seconds=0))
    count_calls()
    anonymous, sponsor = Browser(app), Browser(app)
    _, form = await sponsor.request("GET", "/login")
    token = TOKEN.search(form)
    assert token is not None
    fields = {
        "email": data.sponsor_email,
        "password": PASSWORD,
        "next": "/",
        "_csrf_token": token[1],
    }
    status, _ = await sponsor.request(
        "POST", "/login", urlencode(fields).encode(), "application/x-www-form-urlencoded"
    )
    assert status == 303, status
    catalogue = "/?" + urlencode({"q": data.search, "category": data.category})
    endpoints = [
        ("healthz", anonymous, "/healthz", 200),
        ("catalogue, anonymous", anonymous, catalogue, 200),
        ("catalogue, signed in", sponsor, catalogue, 200),
        ("manage (15,000 entries)", sponsor, f"/challenges/{data.huge[0]}/manage", 200),
        (
            "404 page, signed in",
            sponsor,
            "/challenges/00000000-0000-4000-8000-000000000000/manage",
            404,
        ),
    ]
    for name, browser, path, expected in endpoints:
        for _ in range(50):  # warm-up: caches, templates
            status, text = await browser.request("GET", path)
            assert status == expected, (name, status, text[:300])
    print(f"{label}: {n} requests each, load average {os.getloadavg()}")
    cpu = dict.fromkeys((e[0] for e in endpoints), 0.0)
    counted = {e[0]: dict.fromkeys([*COUNTS, "cookies_set"], 0) for e in endpoints}
    batch = n // rounds
    for _ in range(rounds):
        for name, browser, path, _ in endpoints:
            before, cookies = dict(COUNTS), browser.set_cookies
            started = time.process_time()
            for _ in range(batch):
                await browser.request("GET", path)
            cpu[name] += time.process_time() - started
            for key in COUNTS:
                counted[name][key] += COUNTS[key] - before[key]
            counted[name]["cookies_set"] += browser.set_cookies - cookies
    total = batch * rounds
    for name, _, _, _ in endpoints:
        counts = "  ".join(f"{k} {v / total:.2f}" for k, v in counted[name].items())
        print(
            f"  {name:26s} CPU {1000 * cpu[name] / total:6.2f} ms/request   per request: {counts}"
        )
    print(f"  load average after {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000))
