"""Webhooks: which organisation's endpoints hear of which event (the projection), and
the deliveries' outbox and log (queries)."""

from projections.webhooks.projection import PROJECTION

__all__ = ["PROJECTION"]
