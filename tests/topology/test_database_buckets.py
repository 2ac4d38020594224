"""Rate-limit buckets in PostgreSQL (OPENINNO_API_RATE_LIMIT_STORE=database): the same
answers as the in-process buckets step by step, one count for concurrent takers, the
server's clock, and rows forgotten once they are as good as none."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from web.throttle import LoginThrottle, MemoryBuckets
from web.throttle_postgres import TABLE, PostgresBuckets, create_table

pytestmark = pytest.mark.postgres


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    name = f"b_{uuid.uuid4().hex[:12]}"
    create_table(postgres_url, name)
    create_table(postgres_url, name)  # idempotent, as `openinno migrate` runs it
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def _rows(postgres_url: str, schema: str) -> int:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, TABLE))
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_every_step_answers_as_the_in_process_buckets_do(postgres_url, schema):
    now = [1000.0]
    database = PostgresBuckets(postgres_url, schema, clock=lambda: now[0])
    memory = MemoryBuckets(lambda: now[0])
    answers: dict[str, list[object]] = {"database": [], "memory": []}
    for name, buckets in (("database", database), ("memory", memory)):
        now[0] = 1000.0
        out = answers[name]
        for _ in range(4):
            out.append(buckets.take("token", 3, 60))
        out.append(buckets.wait("token", 3, 60))
        now[0] += 20  # one token back
        out.append(buckets.take("token", 3, 60))
        out.append(buckets.take("token", 3, 60, cost=-1.0))
        # The sign-in throttle's back-off: 2 free, then 10 s doubling.
        for step in (0, 0, 0, 5, 6, 20, 1000):
            now[0] += step
            out.append(buckets.backoff("guesser", 2, 10.0, 3600.0, 60.0))
        out.append(buckets.backoff("guesser", 2, 10.0, 3600.0, 60.0, cost=-1.0))
        buckets.reset("token")
        out.append(buckets.take("token", 3, 60))
    database.close()
    assert answers["database"] == answers["memory"]
    assert [a.allowed for a in answers["memory"][:4]] == [True, True, True, False]  # type: ignore[attr-defined]


def test_concurrent_takers_on_several_connections_share_one_count(postgres_url, schema):
    # Two "hosts" (handles with connections of their own), four threads each.
    hosts = [PostgresBuckets(postgres_url, schema) for _ in range(2)]
    allowed = []
    lock = threading.Lock()

    def hammer(buckets: PostgresBuckets) -> None:
        mine = sum(buckets.take("one-token", 50, 3600).allowed for _ in range(20))
        with lock:
            allowed.append(mine)

    threads = [threading.Thread(target=hammer, args=(h,)) for h in hosts for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for h in hosts:
        h.close()
    assert sum(allowed) == 50  # of 160 takes, exactly the capacity


def test_the_login_throttle_counts_one_address_across_handles(postgres_url, schema):
    def throttle() -> LoginThrottle:
        return LoginThrottle(
            PostgresBuckets(postgres_url, schema),
            per_ip=3,
            window_seconds=900,
            per_account=50,
            account_window_seconds=3600,
        )

    a, b = throttle(), throttle()
    waits = [(a, b)[i % 2].attempt("ada@example.org", "203.0.113.9") for i in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    # Back-off on the server's clock: about 900 / 3 = 300 s for the fourth attempt.
    assert all(290 < w <= 300 for w in waits[3:])


def test_rows_as_good_as_none_are_swept(postgres_url, schema, monkeypatch):
    import web.throttle_postgres as module

    monkeypatch.setattr(module, "SWEEP_EVERY", 5)
    now = [0.0]
    buckets = PostgresBuckets(postgres_url, schema, clock=lambda: now[0])
    for i in range(4):
        buckets.take(f"key-{i}", 10, 60)
    assert _rows(postgres_url, schema) == 4
    # The sweep compares with the server's clock: these rows were "full again" at
    # 60 s after the epoch, long ago; the fifth step sweeps them all, itself too.
    buckets.take("key-4", 10, 60)
    assert _rows(postgres_url, schema) == 0
    buckets.close()
