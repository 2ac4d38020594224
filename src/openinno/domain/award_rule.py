"""The award rule the terms state (issue 20): the order a shortlist is put in by the
jury's scores, the public's support, or both weighted.  Pure; the read model's
decision table (``projections.reviewers.scoring.award_order``) and the award guard
(``Challenge.award``) use the same arithmetic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from openinno.domain.values import Criterion

K = TypeVar("K")


def rule_order(
    rule: str,
    public_weight: int,
    jury: Mapping[K, float | None],
    support: Mapping[K, int],
) -> list[tuple[K, float]]:
    """Entries best first with the score they are ordered by (0..1):

    - ``jury``: the jury's mean weighted total / 100;
    - ``public``: the entry's supporters / the most any of these entries has;
    - ``weighted``: (100 - w)% of the first plus w% of the second.

    Ties by the other measure, then by key; an entry no juror scored counts 0 for the
    jury."""
    most = max(support.values(), default=0) or 1

    def jury_part(entry: K) -> float:
        return (jury.get(entry) or 0.0) / 100.0

    def public_part(entry: K) -> float:
        return support.get(entry, 0) / most

    def score(entry: K) -> float:
        if rule == "public":
            return public_part(entry)
        if rule == "weighted":
            w = public_weight / 100.0
            return (1 - w) * jury_part(entry) + w * public_part(entry)
        return jury_part(entry)

    entries = sorted(set(jury) | set(support), key=str)
    ranked = sorted(
        entries, key=lambda e: (-round(score(e), 9), -jury_part(e), -public_part(e), str(e))
    )
    return [(e, round(score(e), 4)) for e in ranked]


def weighted_total(criteria: Sequence[Criterion], scores: Mapping[str, Decimal]) -> float:
    """A review's weighted total, 0..100: the read model's arithmetic
    (``projections.reviewers.scoring.weighted_total``), on domain values."""
    total = 0.0
    for c in criteria:
        span = float(c.max_score) - float(c.min_score)
        total += float(c.weight) * (float(scores[c.name]) - float(c.min_score)) / span
    return round(total, 6)
