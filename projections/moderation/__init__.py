"""Moderation read model (issue 24): what can be reported (entries, questions,
announcements), the reports of each, and whether a moderator hid it; the queue lists
the most reported first."""

from projections.moderation.projection import PROJECTION

__all__ = ["PROJECTION"]
