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


def print_table(results: list[Result]) -> None:
    header = (
        f"{'benchmark':<44} {'figure':>12} {'baseline':>12} {'ratio':>7}  unit / baseline / target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.name:<44} {r.figure:>12,.0f} {r.baseline:>12,.0f} {r.ratio:>7.2f}  "
            f"{r.unit} / {r.baseline_name}{' / ' + r.target if r.target else ''}"
        )
