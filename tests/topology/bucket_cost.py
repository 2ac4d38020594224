"""What a rate-limit take costs in each store, measured in one run:
``python -m tests.topology.bucket_cost`` (a PostgreSQL server at
OPENINNO_TEST_POSTGRES_URL, default localhost:5432/test).  Prints wall and client CPU
per take, and the ratio to the host's file (``web.throttle.SharedBuckets``), the
default store, as the baseline."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from tests.support.postgres import DEFAULT_URL
from web.throttle import Buckets, MemoryBuckets, SharedBuckets
from web.throttle_postgres import PostgresBuckets, create_table

TAKES = 2000
KEYS = 100


def per_take(buckets: Buckets) -> tuple[float, float]:
    """(wall, client CPU) microseconds per take over ``KEYS`` keys."""
    keys = [f"key-{i}" for i in range(KEYS)]
    for key in keys:  # every key's row or slot exists: the steady state
        buckets.take(key, 1e9, 60)
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(TAKES):
        buckets.take(keys[i % KEYS], 1e9, 60)
    return (
        (time.perf_counter() - wall) / TAKES * 1e6,
        (time.process_time() - cpu) / TAKES * 1e6,
    )


def main() -> None:
    url = os.environ.get("OPENINNO_TEST_POSTGRES_URL", DEFAULT_URL)
    schema = f"bucket_cost_{uuid.uuid4().hex[:8]}"
    create_table(url, schema)
    try:
        stores: dict[str, Buckets] = {
            "file (baseline)": SharedBuckets(Path(tempfile.mkdtemp()) / "ratelimits.bin"),
            "memory": MemoryBuckets(),
            "database": PostgresBuckets(url, schema),
        }
        figures = {name: per_take(buckets) for name, buckets in stores.items()}
        base_wall, base_cpu = figures["file (baseline)"]
        print(f"{TAKES} takes over {KEYS} keys; load average {os.getloadavg()[0]:.1f}")
        for name, (wall, cpu) in figures.items():
            print(
                f"{name:16} {wall:9.1f} us wall ({wall / base_wall:6.1f}x)"
                f" {cpu:8.1f} us client CPU ({cpu / base_cpu:5.1f}x)"
            )
        for buckets in stores.values():
            buckets.close()
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()
