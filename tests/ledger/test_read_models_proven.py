"""Issue 22, finding 5: read-model rows edited by SQL (a transfer that never happened,
a signer renamed "Mallory") are named by `openinno audit --read-models`, and the
chain of title claims "verified against checkpoint N" only when its rows are what
the signed log gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from openinno.application import OpenInno
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.log import catch_up, ledger_for
from projections.db import open_db
from projections.legal import PROJECTION as LEGAL
from projections.legal import queries as legal
from tests.projections.conftest import drop_read_schema
from tests.support.story import scene
from web.legal_proof import audit_read_models, chain_claim
from web.readside import read_side_for, read_store_for


@pytest.fixture
def story(app: OpenInno, clock: Any) -> Iterator[Any]:
    (app.settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    store = read_store_for(app.settings)
    side = read_side_for(app.settings, app, [LEGAL], store=store)
    side.setup()
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    text_sha = app.get_agreement(s.solver, agreement_id).text_sha256
    app.sign_agreement(s.solver, agreement_id, "Sol Ver", "I agree to assign", text_sha)
    app.countersign_agreement(s.sponsor, agreement_id, "Spon Sor", "For Brickworks", text_sha)
    catch_up(ledger)
    ledger.checkpoint_now()
    side.catch_up()
    live = open_db(store)
    yield app, ledger, live, entry, agreement_id, s
    live.close()
    ledger.db.close()
    side.stop()
    drop_read_schema(store)


def test_edited_read_model_rows_are_named_and_an_untouched_one_is_clean(story):
    app, ledger, live, entry, agreement_id, _s = story
    report = audit_read_models(app, ledger, live)
    assert report.ok, report.findings
    assert report.rows_compared > 0 and report.left_out == 0

    with live.batch():
        live.execute(
            "UPDATE lg_agreements SET transferred = 1 WHERE agreement_id = ?", (str(agreement_id),)
        )
        [signed] = live.rows("SELECT * FROM lg_chain WHERE step = 'signed_by_assignor'")
        details = json.loads(signed["details"])
        details["typed_name"] = "Mallory"
        live.execute(
            "UPDATE lg_chain SET details = ? WHERE submission_id = ? AND position = ?",
            (json.dumps(details), signed["submission_id"], signed["position"]),
        )
        live.execute(
            "INSERT INTO lg_chain (submission_id, position, step, event_id, actor_id, at, details)"
            " VALUES (?, ?, 'ownership_transferred', ?, NULL, ?, '{}')",
            (str(entry), signed["position"] + 1000, f"{agreement_id}@9", signed["at"]),
        )
    assert legal.ownership_transferred(live, entry)  # what pages and the API would say

    findings = audit_read_models(app, ledger, live).findings
    position = signed["position"]
    assert findings == [
        f"read model: lg_chain submission_id {entry}, position {position}:"
        " details.typed_name is 'Mallory', the log gives 'Sol Ver'",
        f"read model: lg_chain submission_id {entry}, position {position + 1000}:"
        f" beyond the read model's position {report.position} (a row nothing recorded)",
        f"read model: lg_agreements agreement_id {agreement_id}: transferred is 1, the log gives 0",
    ]


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_chain_claims_a_checkpoint_only_when_its_rows_are_the_logs(story):
    app, ledger, live, entry, agreement_id, s = story
    size = ledger.latest_checkpoint().tree_size
    claim = chain_claim(app, live, entry)
    assert claim is not None and (claim.status, claim.tree_size) == ("verified", size)
    [signed] = live.rows("SELECT * FROM lg_chain WHERE step = 'signed_by_assignor'")

    # Steps recorded after the checkpoint: not yet verified, and not a forgery either.
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    catch_up(ledger)
    assert ledger.latest_checkpoint().tree_size == size
    read_side_for(app.settings, app, [LEGAL], store=read_store_for(app.settings)).catch_up()
    assert chain_claim(app, live, entry).status == "pending"
    ledger.checkpoint_now()
    assert chain_claim(app, live, entry).tree_size > size

    with live.batch():
        live.execute(
            "UPDATE lg_chain SET details = replace(details, 'Sol Ver', 'Mallory')"
            " WHERE position = ?",
            (signed["position"],),
        )
    assert chain_claim(app, live, entry).status == "differs"
    # Inside the award's command (the challenge's event first), the chain is the log's.
    [awarded] = live.rows("SELECT position FROM lg_chain WHERE step = 'awarded'")
    inside = legal.AsOf(position=int(awarded["position"]) - 1)
    assert chain_claim(app, live, entry, inside).status == "verified"
    # As of a moment before the edited step, the chain is still the log's.
    before = legal.AsOf(position=int(signed["position"]) - 1)
    assert chain_claim(app, live, entry, before).status == "verified"


@pytest.fixture
def env(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("OPENINNO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENINNO_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENINNO_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("OPENINNO_ARGON2_MEMORY_KIB", "8")
    return tmp_path


def test_audit_read_models_from_the_command_line(env, capsys):
    from openinno.clock import ManualClock
    from openinno.settings import Settings
    from tests.conftest import START
    from web.cli import main

    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    settings = Settings.from_env()
    clock = ManualClock(START)
    app = OpenInno(settings, clock=clock)
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    side = read_side_for(settings, app, [LEGAL])
    side.catch_up()
    ledger = ledger_for(app, create_tables=True)
    catch_up(ledger)
    ledger.checkpoint_now()
    ledger.db.close()
    app.close()
    capsys.readouterr()
    assert main(["audit", "--read-models"]) == 0
    assert "legal read model: " in capsys.readouterr().out

    live = open_db(read_store_for(settings))
    with live.batch():
        live.execute("UPDATE lg_chain SET step = 'awarded' WHERE submission_id = ?", (str(entry),))
    live.close()
    assert main(["audit", "--read-models"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  read model: lg_chain submission_id" in out
    assert "step is 'awarded', the log gives 'submitted'" in out
    assert "RESULT: TAMPERED OR INCOMPLETE" in out
