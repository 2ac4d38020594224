"""Tiny helpers the read models' handlers describe row changes with (see writes.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from projections.writes import Writes


def insert(w: Writes, table: str, values: Mapping[str, Any]) -> None:
    w.insert(table, values)


def upsert(w: Writes, table: str, values: Mapping[str, Any]) -> None:
    """Insert, or update the non-key columns of the existing row."""
    w.upsert(table, values)


def update(w: Writes, table: str, where: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    """Set columns of the row whose primary key is ``where``."""
    w.update(table, where, values)
