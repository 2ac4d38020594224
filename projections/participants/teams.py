"""The participants' tables for "my teams and invitations" (issue 21): per team, its
challenge, name and lead; per person and team, whether they are on it or invited
(by account id, or by e-mail address: an address that belongs to no account is a
row nobody reads until someone registers with it).

Rows are never deleted: an answer, a cancellation, leaving or removal sets the
row's ``state``, and the query reads only ``member`` and ``invited`` rows.  So a
batch's changes to one row are plain updates in log order."""

from __future__ import annotations

from typing import Any

from openinno.domain import Team
from projections.projection import Handler, Item
from projections.sql import insert, update, upsert
from projections.values import iso_text
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS pt_teams ("
    " team_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, name TEXT NOT NULL,"
    " lead_id TEXT)",
    # ``person``: an account id, or a normalised e-mail address (an invitation by address).
    "CREATE TABLE IF NOT EXISTS pt_my_teams ("
    " team_id TEXT NOT NULL, person TEXT NOT NULL, state TEXT NOT NULL, since TEXT NOT NULL,"
    " PRIMARY KEY (team_id, person))",
    "CREATE INDEX IF NOT EXISTS pt_my_teams_person ON pt_my_teams (person, since, team_id)",
)

TABLES = ("pt_teams", "pt_my_teams")


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


def _person(db: Writes, item: Item, person: str | None, state: str) -> None:
    if person is not None:
        row = {"team_id": str(item.originator_id), "person": person}
        upsert(
            db, "pt_my_teams", {**row, "state": state, "since": iso_text(_data(item)["timestamp"])}
        )


def _answered(db: Writes, item: Item, person: str | None, state: str) -> None:
    """An invitation (or membership) ends: the row, if there is one, says how."""
    if person is not None:
        where = {"team_id": str(item.originator_id), "person": person}
        update(db, "pt_my_teams", where, {"state": state})


def on_formed(db: Writes, item: Item) -> None:
    d = _data(item)
    team = {
        "team_id": str(item.originator_id),
        "challenge_id": d["challenge_id"],
        "name": d["name"],
        "lead_id": d["actor_id"],
    }
    insert(db, "pt_teams", team)
    _person(db, item, d["actor_id"], "member")


def on_invited(db: Writes, item: Item) -> None:
    d = _data(item)
    for person in (*d["account_ids"], *d["emails"]):
        _person(db, item, person, "invited")


def on_accepted(db: Writes, item: Item) -> None:
    d = _data(item)
    # The lead accepting the terms is already a member: the row stays as it was.
    _answered(db, item, d.get("email"), "accepted")
    _person(db, item, d["actor_id"], "member")


def on_declined(db: Writes, item: Item) -> None:
    d = _data(item)
    _answered(db, item, d["actor_id"], "declined")
    _answered(db, item, d.get("email"), "declined")


def on_cancelled(db: Writes, item: Item) -> None:
    d = _data(item)
    _answered(db, item, d.get("account_id"), "cancelled")
    _answered(db, item, d.get("email"), "cancelled")


def on_left(db: Writes, item: Item) -> None:
    d = _data(item)
    _answered(db, item, d["actor_id"], "left")
    # A lead leaves only a team with nobody else on it: it is disbanded.  Whether the
    # one leaving leads it is known only in the table (the event does not say), so a
    # statement at the batch's end: after the row changes, as events in log order give
    # (nothing changes a disbanded team's lead).
    db.execute(
        "UPDATE pt_teams SET lead_id = NULL WHERE team_id = ? AND lead_id = ?",
        (str(item.originator_id), d["actor_id"]),
    )


def on_removed(db: Writes, item: Item) -> None:
    _answered(db, item, _data(item)["member_id"], "removed")


def on_lead_handed_over(db: Writes, item: Item) -> None:
    update(
        db, "pt_teams", {"team_id": str(item.originator_id)}, {"lead_id": _data(item)["lead_id"]}
    )


PLAIN: dict[type, Handler] = {
    Team.Formed: on_formed,
    Team.MembersInvited: on_invited,
    Team.MemberAccepted: on_accepted,
    Team.InvitationDeclined: on_declined,
    Team.InvitationCancelled: on_cancelled,
    Team.MemberLeft: on_left,
    Team.MemberRemoved: on_removed,
    Team.LeadHandedOver: on_lead_handed_over,
}
