"""Reviewers' read model: blind review queue, scoring sheet, progress."""

from projections.reviewers.projection import PROJECTION

__all__ = ["PROJECTION"]
