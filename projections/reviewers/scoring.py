"""Scoring arithmetic, pure: weighted totals, per-reviewer z-scores, agreement.

- weighted total of one review: sum over criteria of weight x (score - min) / (max - min),
  so 0..100 since weights sum to 100;
- normalised score: each reviewer's totals become z-scores against that reviewer's
  own mean and (population) standard deviation across the entries they scored,
  so a harsh and a lenient reviewer count alike (a reviewer with no spread
  contributes 0); an entry's normalised score is the mean of its z-scores;
- agreement of an entry: 1 - (standard deviation of its reviewers' totals) / 50,
  where 50 is the largest possible deviation on a 0..100 scale: 1 is unanimous,
  0 is as split as possible; None with fewer than two reviews.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import fmean, pstdev
from typing import Any


@dataclass(frozen=True)
class Scored:
    submission_id: str
    reviewer_id: str
    scores: Mapping[str, Decimal]
    total: float


def weighted_total(criteria: Sequence[Mapping[str, Any]], scores: Mapping[str, Any]) -> float:
    total = 0.0
    for c in criteria:
        span = float(c["max_score"]) - float(c["min_score"])
        value = float(Decimal(str(scores[c["name"]])))
        total += float(c["weight"]) * (value - float(c["min_score"])) / span
    return round(total, 6)


def z_scores(reviews: Sequence[Scored]) -> dict[tuple[str, str], float]:
    """(submission, reviewer) -> z-score of that review among the reviewer's reviews."""
    by_reviewer: dict[str, list[Scored]] = {}
    for r in reviews:
        by_reviewer.setdefault(r.reviewer_id, []).append(r)
    z: dict[tuple[str, str], float] = {}
    for reviewer, own in by_reviewer.items():
        totals = [r.total for r in own]
        mean, spread = fmean(totals), pstdev(totals)
        for r in own:
            z[(r.submission_id, reviewer)] = (r.total - mean) / spread if spread > 0 else 0.0
    return z


def agreement(totals: Sequence[float]) -> float | None:
    if len(totals) < 2:
        return None
    return round(max(0.0, 1.0 - pstdev(totals) / 50.0), 4)


def award_order(
    rule: str,
    public_weight: int,
    jury: Mapping[str, float | None],
    support: Mapping[str, int],
) -> list[tuple[str, float]]:
    """The shortlist in the order the terms' award rule puts it (issue 20): the
    domain's arithmetic (``openinno.domain.award_rule.rule_order``)."""
    from openinno.domain.award_rule import rule_order

    return rule_order(rule, public_weight, jury, support)
