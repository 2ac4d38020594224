"""Tables and event handlers of the votes read model (``vt_votes``, ``vt_accounts``).

A vote's row keeps its network (``/24`` of an IPv4 address, ``/48`` of an IPv6
one) beside the address; the signals themselves are computed from these rows by
``queries.flagged_votes`` (decision 0025)."""

from __future__ import annotations

import ipaddress
from typing import Any

from openinno.domain import Account, Vote
from openinno.domain.personal import ERASED
from projections.projection import Item, Projection
from projections.sql import insert, update
from projections.values import iso_text
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS vt_accounts ("
    " account_id TEXT PRIMARY KEY, registered_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS vt_votes ("
    " vote_id TEXT PRIMARY KEY, submission_id TEXT NOT NULL, challenge_id TEXT NOT NULL,"
    " voter_id TEXT NOT NULL, cast_at TEXT NOT NULL, address TEXT NOT NULL,"
    " network TEXT NOT NULL, user_agent TEXT NOT NULL, active INTEGER NOT NULL,"
    " voided INTEGER NOT NULL DEFAULT 0, void_reason TEXT NOT NULL DEFAULT '',"
    " voided_by TEXT, voided_at TEXT)",
    "CREATE INDEX IF NOT EXISTS vt_votes_entry ON vt_votes (submission_id, cast_at)",
    "CREATE INDEX IF NOT EXISTS vt_votes_voter ON vt_votes (voter_id, submission_id)",
)


def network_of(address: str) -> str:
    """The network an address belongs to, as the signals group it: ``/24`` for IPv4
    (an IPv4-mapped IPv6 address too), ``/48`` for IPv6; ``""`` for none or nonsense."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


def on_registered(w: Writes, item: Item) -> None:
    insert(
        w,
        "vt_accounts",
        {
            "account_id": str(item.originator_id),
            "registered_at": iso_text(_data(item)["timestamp"]),
        },
    )


def on_cast(w: Writes, item: Item) -> None:
    d = _data(item)
    address = d.get("address") or ""
    insert(
        w,
        "vt_votes",
        {
            "vote_id": str(item.originator_id),
            "submission_id": str(d["submission_id"]),
            "challenge_id": str(d["challenge_id"]),
            "voter_id": str(d["actor_id"]),
            "cast_at": iso_text(d["timestamp"]),
            "address": address,
            "network": network_of(address),
            "user_agent": d.get("user_agent") or "",
            "active": 1,
            "voided": 0,
            "void_reason": "",
            "voided_by": None,
            "voided_at": None,
        },
    )


def on_recast(w: Writes, item: Item) -> None:
    d = _data(item)
    values: dict[str, Any] = {"active": 1}
    address = d.get("address") or ""
    if address or d.get("user_agent"):
        # The latest request is what the signals compare.
        values.update(
            address=address, network=network_of(address), user_agent=d.get("user_agent") or ""
        )
    update(w, "vt_votes", {"vote_id": str(item.originator_id)}, values)


def on_retracted(w: Writes, item: Item) -> None:
    update(w, "vt_votes", {"vote_id": str(item.originator_id)}, {"active": 0})


def on_voided(w: Writes, item: Item) -> None:
    d = _data(item)
    update(
        w,
        "vt_votes",
        {"vote_id": str(item.originator_id)},
        {
            "active": 0,
            "voided": 1,
            "void_reason": d["reason"],
            "voided_by": str(d["actor_id"]),
            "voided_at": iso_text(d["timestamp"]),
        },
    )


# A vote's network signals once erased, as a rebuild decodes them: an empty value stays
# empty (nothing was encrypted), any other reads as ERASED; no network is derived.
ERASE_NETWORK = (
    "UPDATE vt_votes SET address = CASE WHEN address = '' THEN '' ELSE ? END,"
    " user_agent = CASE WHEN user_agent = '' THEN '' ELSE ? END, network = ''"
)


def on_account_erased(w: Writes, item: Item) -> None:
    w.execute(ERASE_NETWORK + " WHERE voter_id = ?", (ERASED, ERASED, str(item.originator_id)))


def on_signals_shredded(w: Writes, item: Item) -> None:
    """Retention (`openinno personal-data retain`): the vote's signals shredded."""
    w.execute(ERASE_NETWORK + " WHERE vote_id = ?", (ERASED, ERASED, str(item.originator_id)))


PROJECTION = Projection(
    name="votes",
    tables=("vt_accounts", "vt_votes"),
    ddl=DDL,
    handlers={},
    plain={
        Account.Registered: on_registered,
        Vote.Cast: on_cast,
        Vote.Recast: on_recast,
        Vote.Retracted: on_retracted,
        Vote.Voided: on_voided,
        Account.Erased: on_account_erased,
        Vote.SignalsShredded: on_signals_shredded,
    },
    rebuild_cost=0.3,
)
