"""The paced (open-loop) load generator, against a tiny HTTP server on 127.0.0.1 whose
answers take a known time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.load import NOT_SENT, Request, percentile, run_closed, run_paced, run_sync


class Served:
    """Requests the server answered, and how long each answer takes.  ``serial``: one
    answer at a time (a server with capacity 1 / delay requests per second)."""

    def __init__(self, delay: float, serial: bool) -> None:
        self.delay = delay
        self.serial = serial
        self.count = 0
        self.lock = threading.Lock()
        self.busy = threading.Lock()


@pytest.fixture
def server() -> Iterator[tuple[str, Served]]:
    served = Served(0.0, False)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real server

        def do_GET(self) -> None:
            if served.serial:
                with served.busy:
                    threading.Event().wait(served.delay)
            else:
                threading.Event().wait(served.delay)
            with served.lock:
                served.count += 1
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()


def get(_client: int, _index: int) -> Request:
    return Request("GET", "/", {})


def test_sends_rate_times_duration_requests_spread_over_the_clients(
    server: tuple[str, Served],
) -> None:
    url, served = server
    run = run_sync(run_paced(url, 4, 40.0, 1.0, get))
    assert run.scheduled == 40
    assert len(run.outcomes) == 40 and run.sent() == 40
    assert served.count == 40
    assert all(o.status == 200 and o.body == {"ok": True} for o in run.outcomes)
    per_client = sorted(o.client for o in run.outcomes)
    assert per_client == [c for c in range(4) for _ in range(10)]


def test_latency_includes_the_servers_time(server: tuple[str, Served]) -> None:
    url, served = server
    served.delay = 0.2
    run = run_sync(run_paced(url, 5, 10.0, 1.0, get))
    assert len(run.answered()) == 10
    assert min(o.seconds for o in run.outcomes) >= 0.2


def test_a_server_behind_shows_in_latency_no_coordinated_omission(
    server: tuple[str, Served],
) -> None:
    """20 requests over one second to a server that answers 10 a second: the last answer
    comes at least 2 s after the start, the last request was intended before 1 s, so
    its latency is over 1 s, though no single answer took more than 0.1 s of service
    once it started.  Timing from the actual send (a closed loop) would hide that."""
    url, served = server
    served.delay, served.serial = 0.1, True
    run = run_sync(run_paced(url, 2, 20.0, 1.0, get))
    latencies = [o.seconds for o in run.answered()]
    assert len(latencies) == 20
    assert max(latencies) >= 1.0
    assert percentile(latencies, 0.99) >= 1.0
    assert max(run.send_lag) > 0.5  # the clients were held back by their previous answers


def test_the_time_limit_bounds_the_run_and_reports_what_it_left_unsent(
    server: tuple[str, Served],
) -> None:
    url, served = server
    run = run_sync(run_paced(url, 2, 20.0, 2.0, get, time_limit=0.5))
    assert run.scheduled == 40
    assert len(run.outcomes) == 40  # none dropped
    unsent = [o for o in run.outcomes if o.error == NOT_SENT]
    # Requests intended at 0.5 s or later (30 of 40) are never sent.
    assert len(unsent) >= 29
    assert served.count == run.sent() == 40 - len(unsent)


def test_only_local_addresses() -> None:
    with pytest.raises(AssertionError):
        run_sync(run_paced("http://example.org", 1, 1.0, 1.0, get))


def test_closed_loop_sends_each_clients_requests_one_after_another(
    server: tuple[str, Served],
) -> None:
    url, served = server
    run = run_sync(run_closed(url, 3, 30.0, get, max_per_client=4))
    assert len(run.outcomes) == served.count == 12
    assert sorted((o.client, o.index) for o in run.outcomes) == [
        (c, i) for c in range(3) for i in range(4)
    ]
    assert all(o.status == 200 for o in run.outcomes)


def test_closed_loop_stops_at_its_time_and_counts_its_throughput(
    server: tuple[str, Served],
) -> None:
    """A server answering one request at a time in 0.1 s: over 0.5 s two clients get a
    handful of answers, far from the 2 x 50 allowed, and the run lasted at least 0.1 s an
    answer, so its throughput is at most 10 a second."""
    url, served = server
    served.delay, served.serial = 0.1, True
    run = run_sync(run_closed(url, 2, 0.5, get, max_per_client=50))
    assert 1 <= len(run.outcomes) == served.count < 20
    assert run.seconds >= 0.1 * len(run.outcomes)
    assert run.throughput() <= 10.0
    assert run.throughput(run.outcomes[:1]) == 1 / run.seconds
