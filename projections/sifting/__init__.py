"""The sponsor's and reviewers' search over a challenge's entries (issue 27)."""

from projections.sifting.projection import PROJECTION

__all__ = ["PROJECTION"]
