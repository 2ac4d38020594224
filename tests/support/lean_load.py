"""A lean HTTP/1.1 load generator: the same clients and outcomes as
``tests.support.load.run_clients``, spoken over raw asyncio streams on uvloop.

Why: on this 2-core machine the load generator shares the cores with the server and
PostgreSQL.  httpx's AsyncClient spends about 1.7 ms of CPU per request (measured:
1.7 CPU-seconds for 1,000 requests), so at a few hundred requests per second it took
most of a core away from the server it was measuring.  This client writes each
request as bytes and reads the answer by its ``Content-Length`` (or chunks), which
is all a benchmark against our own server needs; it is not a general HTTP client.
Requests go to 127.0.0.1 only, bounded in count and in time, like ``run_clients``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tests.support.load import MakeRequest, Outcome, Request

T = TypeVar("T")


class _Connection:
    """One keep-alive connection; opened again when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self.reader, self.writer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def encode(request: Request, host: str) -> bytes:
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    body = b""
    if request.json is not None:
        body = json.dumps(request.json).encode()
        lines.append("Content-Type: application/json")
    if body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # the last chunk's (empty) trailer
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = b""
    return status, headers, body


def _body(headers: dict[str, str], raw: bytes) -> Any:
    if "json" in headers.get("content-type", ""):
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return raw.decode("utf-8", "replace")


async def run_clients_lean(
    base_url: str,
    clients: int,
    per_client: int,
    make_request: MakeRequest,
    *,
    time_limit: float = 60.0,
    on_outcome: Callable[[Outcome], Awaitable[None] | None] | None = None,
    request_timeout: float = 30.0,
) -> list[Outcome]:
    """``run_clients``' contract: ``clients`` concurrent clients, each sending its
    requests one after another over its own keep-alive connection."""
    assert base_url.startswith("http://127.0.0.1:"), "load only ever goes to 127.0.0.1"
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    netloc = f"{host}:{port}"
    outcomes: list[Outcome] = []
    stop_at = time.perf_counter() + time_limit

    async def client(number: int) -> None:
        connection = _Connection(host, port)
        try:
            for index in range(per_client):
                if time.perf_counter() > stop_at:
                    return
                request = make_request(number, index)
                data = encode(request, netloc)
                started = time.perf_counter()
                try:
                    reader, writer = await connection.open()
                    writer.write(data)
                    status, headers, raw = await asyncio.wait_for(
                        _read_answer(reader), request_timeout
                    )
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as e:
                    connection.close()
                    now = time.perf_counter()
                    outcome = Outcome(
                        number, index, None, None, now - started, now, error=type(e).__name__
                    )
                else:
                    now = time.perf_counter()
                    if headers.get("connection", "").lower() == "close":
                        connection.close()
                    outcome = Outcome(
                        number,
                        index,
                        status,
                        _body(headers, raw),
                        now - started,
                        now,
                        headers.get("retry-after"),
                        headers.get("content-type", ""),
                    )
                outcomes.append(outcome)
                if on_outcome is not None:
                    maybe = on_outcome(outcome)
                    if maybe is not None:
                        await maybe
        finally:
            connection.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return outcomes


def run_lean(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a load on uvloop (installed with uvicorn[standard]): its event loop costs
    the load generator less CPU than asyncio's own."""
    import uvloop

    return uvloop.run(coroutine)
