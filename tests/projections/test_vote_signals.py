"""The anomaly signals' building blocks (issue 24, decision 0025): networks by
prefix, and bursts of new accounts within one window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from projections.votes.projection import network_of
from projections.votes.queries import BURST_VOTES, BURST_WINDOW, NEW_ACCOUNT, _bursts

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("::ffff:203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("", ""),
        ("testclient", ""),
    ],
)
def test_a_network_is_the_24_or_48_an_address_is_in(address, network):
    assert network_of(address) == network


def _row(i: int, cast: datetime, age: timedelta) -> dict:
    text = lambda t: t.isoformat().replace("+00:00", "Z")  # noqa: E731
    return {"vote_id": f"v{i}", "cast_at": text(cast), "registered_at": text(cast - age)}


def test_a_burst_is_enough_new_accounts_within_one_window():
    young = NEW_ACCOUNT / 2
    step = BURST_WINDOW / BURST_VOTES  # BURST_VOTES of them fit in one window
    burst = [_row(i, T0 + i * step, young) for i in range(BURST_VOTES)]
    assert _bursts(burst) == {r["vote_id"] for r in burst}
    # one fewer is no burst; as many spread wider than the window neither
    assert _bursts(burst[:-1]) == set()
    spread = [_row(i, T0 + i * 2 * step, young) for i in range(BURST_VOTES)]
    assert _bursts(spread) == set()
    # old accounts voting together are not a burst of new ones
    old = [_row(i, T0 + i * step, NEW_ACCOUNT * 30) for i in range(BURST_VOTES)]
    assert _bursts(old) == set()
