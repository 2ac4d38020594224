"""A row of the benchmark table, and how it is printed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    figure: float
    baseline_name: str
    baseline: float
    unit: str
    target: str = ""

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else float("nan")


def rate(count: int, work: Callable[[], None]) -> float:
    """Operations per second of one call of ``work`` that does ``count`` operations."""
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def _number(value: float) -> str:
    # Sub-100 figures (latencies in ms, ratios of them) keep a decimal.
    if abs(value) < 1:
        return f"{value:.2f}"
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def print_table(results: list[Result]) -> None:
    width = max([44, *(len(r.name) for r in results)])
    header = (
        f"{'benchmark':<{width}} {'figure':>12} {'baseline':>12} {'ratio':>7}"
        "  unit / baseline / target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.name:<{width}} {_number(r.figure):>12} {_number(r.baseline):>12} {r.ratio:>7.2f}  "
            f"{r.unit} / {r.baseline_name}{' / ' + r.target if r.target else ''}"
        )
