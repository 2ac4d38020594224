"""Notifications: who hears what (the projection), and what each person reads (queries)."""

from projections.notifications.projection import PROJECTION

__all__ = ["PROJECTION"]
