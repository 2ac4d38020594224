"""Participants' read model: catalogue, challenge pages, my submissions, gallery, results."""

from projections.participants.projection import PROJECTION

__all__ = ["PROJECTION"]
