"""The lean load generator reads what our server sends: JSON by Content-Length,
chunked bodies, a server closing the connection, request bodies, and a refused
connection as an outcome without a status."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.support.lean_load import run_clients_lean, run_lean
from tests.support.load import Request

ANSWERS = {
    "/json": (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 12\r\n\r\n"
        b'{"ok": true}'
    ),
    "/chunked": (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\ntransfer-encoding: chunked\r\n\r\n"
        b"4\r\na,b\n\r\n6\r\n1,2\n3,\r\n0\r\n\r\n"
    ),
    "/close": (
        b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 5\r\nconnection: close\r\n"
        b"content-length: 0\r\n\r\n"
    ),
}


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head.decode().split("\r\n")
            method, path, _ = request_line.split(" ")
            headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines if x)}
            body = await reader.readexactly(int(headers.get("content-length", 0)))
            if path == "/echo":
                text = json.dumps({"method": method, "body": json.loads(body or b"null")})
                answer = (
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(text)}\r\n\r\n{text}"
                ).encode()
            else:
                answer = ANSWERS[path]
            writer.write(answer)
            await writer.drain()
            if path == "/close":
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


@pytest.fixture
def server_url() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, asyncio.AbstractServer] = {}

    async def start() -> None:
        holder["server"] = await asyncio.start_server(_serve, "127.0.0.1", 0)
        started.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    started.wait(10)
    port = holder["server"].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"

    async def stop() -> None:
        # The connections' handlers still wait on kept-alive sockets: end them here.
        # Left pending, they were finalised whenever the garbage collector reached the
        # loop, in the middle of a later test: once inside ast.parse, where CPython
        # 3.11 raised "AST constructor recursion depth mismatch".
        holder["server"].close()
        handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await holder["server"].wait_closed()

    asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def test_answers_are_read_by_length_by_chunks_and_after_a_close(server_url: str):
    paths = ["/json", "/chunked", "/close", "/json", "/close", "/chunked"]
    outcomes = run_lean(
        run_clients_lean(server_url, 2, len(paths), lambda c, i: Request("GET", paths[i], {}))
    )
    assert len(outcomes) == 2 * len(paths)
    for o in outcomes:
        assert o.status is not None, o
        if paths[o.index] == "/json":
            assert (o.status, o.body) == (200, {"ok": True})
        elif paths[o.index] == "/chunked":
            assert (o.status, o.body) == (200, "a,b\n1,2\n3,")
        else:
            assert (o.status, o.retry_after) == (503, "5")


def test_request_bodies_are_sent_as_json(server_url: str):
    outcomes = run_lean(
        run_clients_lean(
            server_url, 3, 2, lambda c, i: Request("POST", "/echo", {}, {"client": c, "n": i})
        )
    )
    assert sorted((o.body["body"]["client"], o.body["body"]["n"]) for o in outcomes) == [
        (c, i) for c in range(3) for i in range(2)
    ]
    assert {(o.status, o.body["method"]) for o in outcomes} == {(201, "POST")}


def test_a_refused_connection_is_an_outcome_without_status():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    outcomes = run_lean(
        run_clients_lean(f"http://127.0.0.1:{port}", 1, 2, lambda c, i: Request("GET", "/", {}))
    )
    assert [o.status for o in outcomes] == [None, None]
    assert all(o.error for o in outcomes)
