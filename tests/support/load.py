"""An asyncio load generator (httpx) for the fault tests and HTTP benchmarks:
concurrent clients, each sending its requests one after another over its own
keep-alive connection, bounded in count and in time, against 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ssl
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None


@dataclass(frozen=True)
class Outcome:
    client: int
    index: int
    status: int | None  # None: the connection failed (no answer)
    body: Any
    seconds: float
    finished: float  # time.perf_counter() when the answer arrived
    retry_after: str | None = None
    content_type: str = ""
    error: str = ""


MakeRequest = Callable[[int, int], Request]


async def run_clients(
    base_url: str,
    clients: int,
    per_client: int,
    make_request: MakeRequest,
    *,
    time_limit: float = 60.0,
    on_outcome: Callable[[Outcome], Awaitable[None] | None] | None = None,
    request_timeout: float = 30.0,
) -> list[Outcome]:
    assert base_url.startswith("http://127.0.0.1:"), "load only ever goes to 127.0.0.1"
    outcomes: list[Outcome] = []
    stop_at = time.perf_counter() + time_limit

    async def client(number: int) -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=request_timeout) as http:
            for index in range(per_client):
                if time.perf_counter() > stop_at:
                    return
                request = make_request(number, index)
                started = time.perf_counter()
                try:
                    response = await http.request(
                        request.method, request.path, headers=request.headers, json=request.json
                    )
                except httpx.HTTPError as e:
                    now = time.perf_counter()
                    outcome = Outcome(
                        number, index, None, None, now - started, now, error=type(e).__name__
                    )
                else:
                    now = time.perf_counter()
                    try:
                        body = response.json()
                    except ValueError:
                        body = response.text
                    outcome = Outcome(
                        number,
                        index,
                        response.status_code,
                        body,
                        now - started,
                        now,
                        response.headers.get("retry-after"),
                        response.headers.get("content-type", ""),
                    )
                outcomes.append(outcome)
                if on_outcome is not None:
                    maybe = on_outcome(outcome)
                    if maybe is not None:
                        await maybe

    await asyncio.gather(*(client(n) for n in range(clients)))
    return outcomes


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


class CollectorPauses:
    """The load generator's own garbage collections during a load: each one stops every
    client of this process at once, and a full collection walks every object the
    process holds (a benchmark that generated a million submissions in process holds
    millions), which shows as send lag that is the client's, not the server's."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds.append(time.perf_counter() - self._started)

    def longest(self) -> float:
        return max(self.seconds, default=0.0)


@contextlib.contextmanager
def _collector_quietened(pauses: CollectorPauses) -> Iterator[None]:
    """What existed before the load is moved out of the collector's reach for its
    duration (``gc.freeze``, as the served workers do at start): collections during the
    load then walk only what the load itself made.  Each one's pause goes to ``pauses``."""
    gc.freeze()
    gc.callbacks.append(pauses)
    try:
        yield
    finally:
        gc.callbacks.remove(pauses)
        gc.unfreeze()


def run_sync(coroutine: Coroutine[Any, Any, T], pauses: CollectorPauses | None = None) -> T:
    """Run the load in a fresh event loop on its own thread, so it works whatever
    loop the calling thread may already have running (Playwright's sync API keeps
    one in the main thread while a browser is open).  ``pauses``, if given, collects
    this process's garbage-collection pauses during the load."""
    result: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as e:
            failure.append(e)

    with _collector_quietened(pauses or CollectorPauses()):
        thread = threading.Thread(target=target, name="load")
        thread.start()
        thread.join()
    if failure:
        raise failure[0]
    return result[0]


async def _send(
    http: httpx.AsyncClient,
    request: Request,
    client: int,
    index: int,
    since: float,
    timeout: float,
) -> Outcome:
    """One request; the outcome's seconds are counted from ``since``."""
    try:
        response = await http.request(
            request.method,
            request.path,
            headers=request.headers,
            json=request.json,
            timeout=timeout,
        )
    except httpx.HTTPError as e:
        now = time.perf_counter()
        return Outcome(client, index, None, None, now - since, now, error=type(e).__name__)
    now = time.perf_counter()
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return Outcome(
        client,
        index,
        response.status_code,
        body,
        now - since,
        now,
        response.headers.get("retry-after"),
        response.headers.get("content-type", ""),
    )


@contextlib.asynccontextmanager
async def _clients(
    base_url: str, count: int, request_timeout: float
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` clients, made before any clock starts and sharing one TLS context: unused
    over http, but httpx builds one per client, reading the CA bundle (50 ms each on a
    busy machine); 50 built on the way held the first requests back by seconds, a delay
    of the load generator's own, not the server's."""
    tls = ssl.create_default_context()
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base_url, timeout=request_timeout, verify=tls)
            )
            for _ in range(count)
        ]


# --- paced (open-loop) load ---------------------------------------------------------------


NOT_SENT = "not sent: time limit"


@dataclass(frozen=True)
class PacedRun:
    """What `run_paced` did.  ``outcomes`` holds one outcome per scheduled request (in no
    particular order), its ``seconds`` counted from the request's *intended* send time;
    requests the time limit left unsent are outcomes with no status and ``NOT_SENT``."""

    rate: float  # requests per second, all clients together
    clients: int
    duration: float  # seconds over which the requests were scheduled
    scheduled: int
    outcomes: list[Outcome]
    # Per request sent: how long after its intended time it left (s).  Above a few ms,
    # the client was still waiting for its previous answer (the server is behind) or
    # the load generator itself was busy.
    send_lag: list[float]

    def sent(self) -> int:
        return sum(1 for o in self.outcomes if o.error != NOT_SENT)

    def answered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not None]


async def run_paced(
    base_url: str,
    clients: int,
    rate: float,
    duration: float,
    make_request: MakeRequest,
    *,
    time_limit: float | None = None,
    request_timeout: float = 30.0,
) -> PacedRun:
    """Open-loop load: ``round(rate * duration)`` requests at a fixed total arrival rate,
    request ``g`` intended at ``start + g / rate`` and sent by client ``g % clients`` over
    that client's own keep-alive connection (so each client sends every
    ``clients / rate`` seconds).

    Latency is measured from the intended send time, not from when the request actually
    left: a client still waiting for a slow answer sends its next request late, and
    that wait counts.  A closed loop (`run_clients`) sends less when the server slows
    down and times only what it sent, hiding the queue a user arriving at a fixed rate
    would meet ("coordinated omission").

    Bounded: nothing is sent after ``time_limit`` (default ``duration`` + 30 s) from the
    start, and no request waits past it; what the limit left unsent is reported, not
    dropped."""
    assert base_url.startswith("http://127.0.0.1:"), "load only ever goes to 127.0.0.1"
    assert clients >= 1 and rate > 0 and duration > 0
    scheduled = round(rate * duration)
    limit = duration + 30.0 if time_limit is None else time_limit
    outcomes: list[Outcome] = []
    send_lag: list[float] = []
    async with _clients(base_url, min(clients, max(scheduled, 1)), request_timeout) as https:
        # A moment for every client task to be waiting before the first intended time.
        start = time.perf_counter() + 0.05
        deadline = start + limit

        async def client(number: int, http: httpx.AsyncClient) -> None:
            for index, g in enumerate(range(number, scheduled, clients)):
                intended = start + g / rate
                now = time.perf_counter()
                if intended > now:
                    await asyncio.sleep(intended - now)
                    now = time.perf_counter()
                if now >= deadline:
                    outcomes.append(
                        Outcome(number, index, None, None, now - intended, now, error=NOT_SENT)
                    )
                    continue
                send_lag.append(now - intended)
                request = make_request(number, index)
                # No request outlives the time limit, whatever request_timeout says.
                timeout = min(request_timeout, deadline - now)
                outcomes.append(await _send(http, request, number, index, intended, timeout))

        await asyncio.gather(*(client(n, http) for n, http in enumerate(https)))
    return PacedRun(rate, clients, duration, scheduled, outcomes, send_lag)


# --- closed loop, timed -------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedRun:
    """What `run_closed` did: ``outcomes`` timed from each request's actual send (there is
    no other time in a closed loop), over ``seconds`` from the first send to the last
    answer."""

    clients: int
    outcomes: list[Outcome]
    seconds: float

    def throughput(self, outcomes: Sequence[Outcome] | None = None) -> float:
        """Answers (of ``outcomes``, default all) a second over the run."""
        count = len(self.outcomes if outcomes is None else outcomes)
        return count / self.seconds if self.seconds > 0 else 0.0


async def run_closed(
    base_url: str,
    clients: int,
    seconds: float,
    make_request: MakeRequest,
    *,
    max_per_client: int = 1_000_000,
    request_timeout: float = 30.0,
) -> ClosedRun:
    """Saturation: ``clients`` clients, each sending its next request as soon as the
    previous answer arrives, for ``seconds`` (no new request after that; those in flight
    are awaited, each at most ``request_timeout``) or ``max_per_client`` requests each.
    As `run_clients`, but the clients are made before the clock starts, so a short run
    measures the server, not the making of the clients."""
    assert base_url.startswith("http://127.0.0.1:"), "load only ever goes to 127.0.0.1"
    outcomes: list[Outcome] = []
    async with _clients(base_url, clients, request_timeout) as https:
        start = time.perf_counter()
        stop_at = start + seconds

        async def client(number: int, http: httpx.AsyncClient) -> None:
            for index in range(max_per_client):
                sent = time.perf_counter()
                if sent > stop_at:
                    return
                request = make_request(number, index)
                outcomes.append(await _send(http, request, number, index, sent, request_timeout))

        await asyncio.gather(*(client(n, http) for n, http in enumerate(https)))
    end = max((o.finished for o in outcomes), default=start)
    return ClosedRun(clients, outcomes, end - start)
