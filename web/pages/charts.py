"""Server-rendered SVG charts for the sponsor's dashboard: the geometry is worked
out here, the markup is a Jinja macro (templates/partials/charts.html), so every
label is escaped and no script or inline style is needed (the CSP forbids both)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 560
ROW = 28
LABEL = 170
PAD = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    # an optional second, lighter bar behind (e.g. assigned behind done)
    total: float | None = None
    total_width: float = 0.0
    text: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    vertical: bool = False
    label_width: int = LABEL
    axis: str = ""


def horizontal(
    title: str, rows: Sequence[tuple[str, float]], totals: Sequence[float] | None = None
) -> Chart:
    """One bar per row, longest = the plot's width; ``totals`` draws each row's
    whole behind its part (e.g. reviews assigned behind reviews done)."""
    scale_max = max([*(v for _, v in rows), *(totals or []), 1])
    plot = WIDTH - LABEL - 60
    bars = []
    for i, (label, value) in enumerate(rows):
        total = totals[i] if totals else None
        text = f"{value:g}" if total is None else f"{value:g} / {total:g}"
        bars.append(
            Bar(
                label=label,
                value=value,
                x=LABEL,
                y=PAD + i * ROW,
                width=round(plot * value / scale_max, 1),
                height=ROW - 8,
                total=total,
                total_width=round(plot * (total or 0) / scale_max, 1),
                text=text,
            )
        )
    return Chart(title, bars, height=PAD * 2 + ROW * max(len(rows), 1))


def histogram(
    title: str,
    values: Sequence[float],
    *,
    low: float = 0,
    high: float = 100,
    bins: int = 10,
    axis: str = "",
    counts: Sequence[int] | None = None,
) -> Chart:
    """Counts of ``values`` in ``bins`` equal bins from ``low`` to ``high`` (vertical bars);
    or ``counts``, one per bin, where the caller counted them (in SQL)."""
    span = (high - low) / bins
    if counts is None:
        tally = [0] * bins
        for v in values:
            index = min(bins - 1, max(0, int((v - low) // span)))
            tally[index] += 1
        counts = tally
    height = 180
    plot_h = height - 40
    top = max([*counts, 1])
    slot = (WIDTH - 40) / bins
    bars = []
    for i, n in enumerate(counts):
        h = round(plot_h * n / top, 1)
        start = low + i * span
        bars.append(
            Bar(
                label=f"{start:g}–{start + span:g}",
                value=n,
                x=round(20 + i * slot + 2, 1),
                y=round(10 + plot_h - h, 1),
                width=round(slot - 4, 1),
                height=h,
                text=str(n),
            )
        )
    return Chart(title, bars, height=height, vertical=True, axis=axis)
