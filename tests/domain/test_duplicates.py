"""Duplicate rulings (issue 27): the first to propose is the earliest receipt, never
the order the sponsor named the entries in; merging again joins clusters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from openinno.domain.duplicates import Duplicates
from openinno.domain.errors import InvalidInput, InvalidState

AT = datetime(2026, 7, 16, 9, tzinfo=UTC)


def test_the_earliest_receipt_is_the_first_whatever_the_order():
    rulings, sponsor = Duplicates(id=uuid4(), challenge_id=uuid4(), timestamp=AT), uuid4()
    early, late = uuid4(), uuid4()
    rulings.merge(sponsor, {late: AT, early: AT - timedelta(days=1)}, AT)
    merged = rulings.collect_events()[-1]
    assert isinstance(merged, Duplicates.Merged)
    assert merged.first_id == early and merged.submission_ids == (early, late)
    with pytest.raises(InvalidState):
        rulings.merge(sponsor, {late: AT, early: AT - timedelta(days=1)}, AT)
    earliest = uuid4()
    rulings.merge(sponsor, {earliest: AT - timedelta(days=2), late: AT, early: AT}, AT)
    assert set(rulings.merged_into.values()) == {earliest}
    with pytest.raises(InvalidInput):
        rulings.merge(sponsor, {early: AT}, AT)
