"""Accounts read model: who has an account, for the admins' directory."""

from projections.accounts.projection import PROJECTION

__all__ = ["PROJECTION"]
