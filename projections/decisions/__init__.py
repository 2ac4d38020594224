"""Decisions read model: every decision that took something back or changed who may
do what (remedies, moderation, roles), with its actor and reason: the admins' audit."""

from projections.decisions.projection import PROJECTION

__all__ = ["PROJECTION"]
