"""What an operator sees of a poison event and does about it: `/healthz` says
degraded, `openinno projections status` exits 3 and lists it, `retry` and `skip`
close it with a reason (docs/operations.md, "Events set aside")."""

from __future__ import annotations

import pytest
from eventsourcing.utils import get_topic
from litestar.testing import TestClient

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain import Account
from projections import quarantine
from projections.db import open_db
from projections.participants import PROJECTION as PARTICIPANTS
from projections.projection import Item
from projections.writes import Writes
from tests.support.poison import insert_undecodable_event
from tests.support.server import server_env
from tests.support.story import scene
from web.app import create_app
from web.cli import main
from web.projections_cli import DEGRADED, migrate_read_models
from web.readside import read_side_for, read_store_for


def test_an_operator_sees_and_resolves_events_set_aside(
    app: OpenInno,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    for name, value in server_env(app.settings, "quarantine").items():
        if name.startswith("OPENINNO_"):
            monkeypatch.setenv(name, value)
    migrate_read_models(app.settings)
    scene(app, clock)
    # First: an event the participants' code fails on (a bug, fixed below).
    bug = app.register_account("bug@example.org", "correct horse battery", "Bug")
    (first,) = [
        n.id
        for n in app.recorder.select_notifications(1, bug.position)
        if n.originator_id == bug.id and n.topic == get_topic(Account.Registered)
    ]
    # Second: a stored event that no longer decodes; no fix will apply it.
    second = insert_undecodable_event(app)
    later = app.register_account("later@example.org", "correct horse battery", "Later")
    side = read_side_for(app.settings, app)
    topic = get_topic(Account.Registered)
    handler, typed, plain = PARTICIPANTS.entries[topic]

    def buggy(writes: Writes, item: Item) -> None:
        if item.position == first:
            raise ValueError("a bug in the participants projection")
        handler(writes, item)

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(PARTICIPANTS.entries, topic, (buggy, typed, plain))
        side.catch_up()

    with TestClient(create_app(app.settings, application=app)) as client:
        health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["set_aside"]["participants"] == 2
    assert health["projections"]["participants"]["set_aside"] == 2
    assert health["projections"]["participants"]["position"] >= later.position

    capsys.readouterr()
    assert main(["projections", "status"]) == DEGRADED
    out = capsys.readouterr().out
    # two in participants; the undecodable registration in legal, accounts,
    # notifications and votes
    assert "DEGRADED: 6 event(s) set aside" in out
    assert f"participants @ {first}" in out and "a bug in the participants projection" in out

    # The stored event that does not decode, retried: still failing, and counted.
    assert main(["projections", "retry", "participants", str(second), "--reason", "try"]) == 1
    assert "still failing" in capsys.readouterr().err
    db = open_db(read_store_for(app.settings))
    try:
        entry = quarantine.entry(db, "participants", second)
        assert entry is not None and entry.is_open and entry.failures == 2
    finally:
        db.close()

    # The bug is fixed (the real handler is back): retried, the event applies.
    reason = "fixed in the participants projection"
    assert main(["projections", "retry", "participants", str(first), "--reason", reason]) == 0
    db = open_db(read_store_for(app.settings))
    try:
        assert db.rows("SELECT display_name FROM pt_people WHERE display_name = 'Bug'")
    finally:
        db.close()
    assert (
        main(
            [
                "projections",
                "skip",
                "participants",
                str(second),
                "--reason",
                "spam draft, deleted by the sponsor",
                "--by",
                "ops@example.org",
            ]
        )
        == 0
    )
    assert main(["projections", "skip", "participants", str(second), "--reason", "again"]) == 1
    # Other read models that handle the topic set the undecodable event aside too.
    db = open_db(read_store_for(app.settings))
    try:
        others = quarantine.entries(db)
    finally:
        db.close()
    assert {e.position for e in others} <= {second}
    for entry in others:
        assert main(["projections", "skip", entry.name, str(second), "--reason", "damaged"]) == 0
    capsys.readouterr()
    assert main(["projections", "status"]) == 0
    assert main(["projections", "quarantine", "--all"]) == 0
    history = capsys.readouterr().out
    assert f"retried by {quarantine_user()}: {reason}" in history
    assert "skipped by ops@example.org: spam draft, deleted by the sponsor" in history

    with TestClient(create_app(app.settings, application=app)) as client:
        assert client.get("/healthz").json()["status"] == "ok"


def quarantine_user() -> str:
    import getpass

    return getpass.getuser()
