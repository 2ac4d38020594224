"""Run every tests/benchmarks/bench_*.py module: `python -m tests.benchmarks [--quick] [NAME...]`."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time

import tests.benchmarks as package
from tests.benchmarks.report import Result, print_table


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks",
        epilog=(
            "Every tests/benchmarks/bench_*.py module is a benchmark (its run(quick)). "
            "The defaults are `make bench`'s short run (all of them under 10 minutes on a "
            "2-core machine); `make bench-full` sets the issue's full scale. "
            "Sizes: BENCH_READS_SUBMISSIONS (reads, default 100000; bench-full 1000000: "
            "about 20 minutes for reads alone), BENCH_SQLITE_SUBMISSIONS (sqlite's reads, "
            "default 50000; bench-full 100000), BENCH_READS_KEEP=1 keeps and reuses the "
            "generated PostgreSQL schema. Load per read endpoint: BENCH_READS_PACED_SECONDS "
            "(default 5; bench-full 12) at BENCH_READS_RATE requests/s over 50 clients "
            "(default 50; the p99 target is judged on this paced run), then "
            "BENCH_READS_SATURATION_SECONDS (default 2; bench-full 8) of closed-loop load."
        ),
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes; checks correctness, not speed"
    )
    parser.add_argument("names", nargs="*", help="bench module names (default: all)")
    args = parser.parse_args()
    modules = sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")
    )
    if args.names:
        modules = [m for m in modules if m in args.names or m.removeprefix("bench_") in args.names]
    results: list[Result] = []
    for name in modules:
        started = time.perf_counter()
        module = importlib.import_module(f"tests.benchmarks.{name}")
        results.extend(module.run(args.quick))
        print(f"{name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    print_table(results)
    if args.quick:
        print("(quick run: sizes are small, figures are not meaningful)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
