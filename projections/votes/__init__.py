"""Votes read model (issue 24): every vote with what the anomaly signals compare
(the address's network, the user agent, the voter's account age), and whether it
counts, was retracted or was voided."""

from projections.votes.projection import PROJECTION

__all__ = ["PROJECTION"]
