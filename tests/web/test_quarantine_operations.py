"""What an operator sees of a poison event and does about it: `/healthz` says
degraded, `openinno projections status` exits 3 and lists it, `retry` and `skip`
close it with a reason (docs/operations.md, "Events set aside")."""

from __future__ import annotations

import decimal

import pytest
from litestar.testing import TestClient

from openinno.application import OpenInno
from openinno.clock import ManualClock
from projections import quarantine
from projections.db import open_db
from tests.projections.test_quarantine import inject_unformattable_draft
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
    cast = scene(app, clock)
    first = inject_unformattable_draft(app, cast).position
    second = inject_unformattable_draft(app, cast).position
    later = app.register_account("later@example.org", "correct horse battery", "Later")
    side = read_side_for(app.settings, app)
    side.catch_up()

    with TestClient(create_app(app.settings, application=app)) as client:
        health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["set_aside"] == {"participants": 2}
    assert health["projections"]["participants"]["set_aside"] == 2
    assert health["projections"]["participants"]["position"] >= later.position

    capsys.readouterr()
    assert main(["projections", "status"]) == DEGRADED
    out = capsys.readouterr().out
    assert "DEGRADED: 2 event(s) set aside" in out
    assert f"participants @ {first}" in out and "Overflow" in out

    # Retried before any fix: still failing, and counted.
    assert main(["projections", "retry", "participants", str(first), "--reason", "try"]) == 1
    assert "still failing" in capsys.readouterr().err
    db = open_db(read_store_for(app.settings))
    try:
        entry = quarantine.entry(db, "participants", first)
        assert entry is not None and entry.is_open and entry.failures == 2
    finally:
        db.close()

    # "A fix": a Decimal context that can hold the amount.  Retried, it applies.
    reason = "fixed in the participants projection"
    with decimal.localcontext(Emax=decimal.MAX_EMAX):
        assert main(["projections", "retry", "participants", str(first), "--reason", reason]) == 0
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
