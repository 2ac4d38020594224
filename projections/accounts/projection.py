"""Tables and event handlers of the accounts directory (``ac_accounts``): one row
per account with what an admin needs to find it and act on it."""

from __future__ import annotations

from openinno.domain import Account
from openinno.domain.personal import ERASED
from projections.projection import Item, Projection
from projections.sql import update, upsert
from projections.values import iso_text
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS ac_accounts ("
    " account_id TEXT PRIMARY KEY, email TEXT NOT NULL, display_name TEXT NOT NULL,"
    " active INTEGER NOT NULL, admin INTEGER NOT NULL, registered_at TEXT NOT NULL,"
    " position BIGINT NOT NULL, status_reason TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS ac_accounts_newest ON ac_accounts (position)",
)


def _account(item: Item) -> dict[str, str]:
    return {"account_id": str(item.originator_id)}


def on_registered(w: Writes, item: Item) -> None:
    assert item.data is not None
    d = item.data
    name = d["display_name"].strip()
    upsert(
        w,
        "ac_accounts",
        {
            **_account(item),
            "email": d["email"],
            "display_name": name,
            "active": 1,
            "admin": 0,
            "registered_at": iso_text(d["timestamp"]),
            "position": item.position,
            "status_reason": "",
        },
    )


def on_profile_updated(w: Writes, item: Item) -> None:
    assert item.data is not None
    update(w, "ac_accounts", _account(item), {"display_name": item.data["display_name"].strip()})


def on_role_granted(w: Writes, item: Item) -> None:
    assert item.data is not None
    if item.data["role"] == "admin":
        update(w, "ac_accounts", _account(item), {"admin": 1})


def on_role_revoked(w: Writes, item: Item) -> None:
    assert item.data is not None
    if item.data["role"] == "admin":
        update(w, "ac_accounts", _account(item), {"admin": 0})


def on_deactivated(w: Writes, item: Item) -> None:
    assert item.data is not None
    update(w, "ac_accounts", _account(item), {"active": 0, "status_reason": item.data["reason"]})


def on_reactivated(w: Writes, item: Item) -> None:
    assert item.data is not None
    update(w, "ac_accounts", _account(item), {"active": 1, "status_reason": item.data["reason"]})


def on_erased(w: Writes, item: Item) -> None:
    # What a rebuild decodes of the person's events once their key is shredded.
    assert item.data is not None
    update(
        w,
        "ac_accounts",
        _account(item),
        {
            "email": ERASED,
            "display_name": ERASED,
            "active": 0,
            "status_reason": item.data["reason"],
        },
    )


PROJECTION = Projection(
    name="accounts",
    tables=("ac_accounts",),
    ddl=DDL,
    handlers={},
    plain={
        Account.Registered: on_registered,
        Account.ProfileUpdated: on_profile_updated,
        Account.RoleGranted: on_role_granted,
        Account.RoleRevoked: on_role_revoked,
        Account.Deactivated: on_deactivated,
        Account.Reactivated: on_reactivated,
        Account.Erased: on_erased,
    },
    # a few events per account: a small share of a rebuild
    rebuild_cost=0.2,
)
