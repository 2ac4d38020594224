"""The anomaly signals of an entry's votes (issue 24, decision 0025), computed from
the votes read model.  Each is a reason to look, not a verdict: the sponsor sees
the flagged votes with their signals and decides what to void.

- ``new_account_burst``: at least ``BURST_VOTES`` votes on the entry, each cast by
  an account less than ``NEW_ACCOUNT`` old, within one ``BURST_WINDOW``;
- ``same_address``: at least ``SAME_ADDRESS_VOTES`` votes on the entry from one address;
- ``same_network``: at least ``SAME_NETWORK_VOTES`` from one network (``/24`` IPv4,
  ``/48`` IPv6);
- ``same_user_agent``: at least ``SAME_AGENT_VOTES`` votes on the entry with one
  user agent, making up at least half of its votes (one browser's string alone is
  common);
- ``single_entry``: a new account (as above) that has only ever voted for this entry.

Votes counted are those cast (active, retracted or voided alike: a flood stays
visible after its votes are voided); a flagged vote is one with any signal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from projections.db import Db

NEW_ACCOUNT = timedelta(hours=24)
BURST_WINDOW = timedelta(hours=1)
BURST_VOTES = 10
SAME_ADDRESS_VOTES = 3
SAME_NETWORK_VOTES = 10
SAME_AGENT_VOTES = 20

SIGNALS = (
    "new_account_burst",
    "same_address",
    "same_network",
    "same_user_agent",
    "single_entry",
)


@dataclass(frozen=True)
class FlaggedVote:
    vote_id: str
    voter_id: str
    cast_at: str
    registered_at: str | None
    network: str
    user_agent: str
    active: bool
    voided: bool
    void_reason: str
    signals: tuple[str, ...]
    # How many of the entry's votes share the address, the network, the user agent.
    same_address: int
    same_network: int
    same_user_agent: int


@dataclass(frozen=True)
class EntryVotes:
    submission_id: str
    votes: int  # cast, whatever became of them
    counting: int  # active
    voided: int
    flagged: tuple[FlaggedVote, ...]

    def signal_counts(self) -> dict[str, int]:
        counts = Counter(s for v in self.flagged for s in v.signals)
        return {s: counts[s] for s in SIGNALS}


def _when(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _new(row: dict[str, Any]) -> bool:
    registered, cast = _when(row["registered_at"]), _when(row["cast_at"])
    return registered is not None and cast is not None and cast - registered < NEW_ACCOUNT


def _bursts(rows: list[dict[str, Any]]) -> set[str]:
    """The votes by new accounts that fall in a window of ``BURST_WINDOW`` holding at
    least ``BURST_VOTES`` of them (two pointers over the votes in time order)."""
    times = sorted(
        (when, row["vote_id"]) for row in rows if _new(row) and (when := _when(row["cast_at"]))
    )
    found: set[str] = set()
    start = 0
    for end in range(len(times)):
        while times[end][0] - times[start][0] > BURST_WINDOW:
            start += 1
        if end - start + 1 >= BURST_VOTES:
            found.update(vote_id for _, vote_id in times[start : end + 1])
    return found


def entry_votes(db: Db, submission_id: str, *, include_voided: bool = True) -> EntryVotes:
    rows = [
        dict(r)
        for r in db.rows(
            "SELECT v.vote_id, v.voter_id, v.cast_at, v.address, v.network, v.user_agent,"
            " v.active, v.voided, v.void_reason, a.registered_at,"
            " (SELECT COUNT(*) FROM vt_votes o WHERE o.voter_id = v.voter_id"
            "  AND o.submission_id <> v.submission_id) AS elsewhere"
            " FROM vt_votes v LEFT JOIN vt_accounts a ON a.account_id = v.voter_id"
            " WHERE v.submission_id = ? ORDER BY v.cast_at, v.vote_id",
            (submission_id,),
        )
    ]
    addresses = Counter(r["address"] for r in rows if r["address"])
    networks = Counter(r["network"] for r in rows if r["network"])
    agents = Counter(r["user_agent"] for r in rows if r["user_agent"])
    bursts = _bursts(rows)
    flagged: list[FlaggedVote] = []
    for r in rows:
        signals: list[str] = []
        if r["vote_id"] in bursts:
            signals.append("new_account_burst")
        if r["address"] and addresses[r["address"]] >= SAME_ADDRESS_VOTES:
            signals.append("same_address")
        if r["network"] and networks[r["network"]] >= SAME_NETWORK_VOTES:
            signals.append("same_network")
        agent = agents[r["user_agent"]] if r["user_agent"] else 0
        if agent >= SAME_AGENT_VOTES and 2 * agent >= len(rows):
            signals.append("same_user_agent")
        if r["elsewhere"] == 0 and _new(r):
            signals.append("single_entry")
        if not signals or (r["voided"] and not include_voided):
            continue
        flagged.append(
            FlaggedVote(
                vote_id=r["vote_id"],
                voter_id=r["voter_id"],
                cast_at=r["cast_at"],
                registered_at=r["registered_at"],
                network=r["network"],
                user_agent=r["user_agent"],
                active=bool(r["active"]),
                voided=bool(r["voided"]),
                void_reason=r["void_reason"],
                signals=tuple(signals),
                same_address=addresses[r["address"]] if r["address"] else 0,
                same_network=networks[r["network"]] if r["network"] else 0,
                same_user_agent=agent,
            )
        )
    return EntryVotes(
        submission_id=submission_id,
        votes=len(rows),
        counting=sum(1 for r in rows if r["active"]),
        voided=sum(1 for r in rows if r["voided"]),
        flagged=tuple(flagged),
    )
