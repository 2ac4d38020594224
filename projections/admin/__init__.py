"""Admin read model: event counts by type (positions and lag: projections.status)."""

from projections.admin.projection import PROJECTION

__all__ = ["PROJECTION"]
