"""After the win (issue 29): sales reports, royalty statements, payouts and production
are in the entry's evidence bundle (the agreement's stream, whole); the bundle
verifies, fails when one of them is left out, and its statement can be computed again
from the reports the bundle carries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec
import pytest

from openinno.application import OpenInno
from openinno.domain.royalties import SalesReport, royalty_lines
from openinno.domain.values import RoyaltyTerms
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.bundle import build_bundle, decode_bundle, encode_bundle
from openinno.ledger.log import catch_up, ledger_for
from openinno.ledger.verify import verify_bundle
from tests.application.test_royalties import won
from tests.support.story import scene


@pytest.fixture
def story(app: OpenInno, clock):
    (app.settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    s = scene(app, clock)
    agreement_id = won(s, RoyaltyTerms(Decimal("1.5"), "quarter", "EUR"))
    app.commit_to_produce(s.sponsor, agreement_id, date(2027, 3, 1))
    app.report_sales(s.sponsor, agreement_id, "2027-Q1", 1200, "35988.00", "EUR", "Shops")
    app.report_sales(s.sponsor, agreement_id, "2027-Q1", 300, "8997.00", "EUR", "Online")
    statement = app.state_royalty(s.sponsor, agreement_id, "2027-Q1").id
    app.pay_royalty(s.sponsor, agreement_id, statement, "674.78", "EUR", "ROY-1")
    entry = app.get_agreement(s.sponsor, agreement_id).submission_id
    yield ledger, entry
    ledger.db.close()


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_royalties_are_in_the_bundle_and_the_statement_recomputes(story):
    ledger, entry = story
    catch_up(ledger)
    ledger.checkpoint_now()
    bundle = decode_bundle(encode_bundle(build_bundle(ledger, entry)))
    events = [msgspec.json.decode(e.event) for e in bundle.events if e.event]
    kinds = [e["topic"].split(".")[-1] for e in events]
    assert {
        "ProductionCommitted",
        "SalesReported",
        "RoyaltyStated",
        "RoyaltyPaid",
    } <= set(kinds)
    result = verify_bundle(bundle, ledger.signing_key.public_key())
    assert result.ok, result.report()

    # Anyone with the bundle computes the statement again from the reports it names.
    payloads = [e["payload"] for e in events]
    reports = {
        p["report_id"]: SalesReport(
            UUID(p["report_id"]),
            p["period"],
            p["units"],
            Decimal(p["net_sales"]),
            p["currency"],
            p["note"],
        )
        for p, k in zip(payloads, kinds, strict=True)
        if k == "SalesReported"
    }
    (stated,) = [p for p, k in zip(payloads, kinds, strict=True) if k == "RoyaltyStated"]
    again = royalty_lines([reports[r] for r in stated["report_ids"]], Decimal("1.5"))
    assert list(msgspec.to_builtins(again)) == stated["lines"]

    paid = next(i for i, e in enumerate(bundle.events) if e.event and "RoyaltyPaid" in e.event)
    cut = msgspec.structs.replace(
        bundle, events=[e for i, e in enumerate(bundle.events) if i != paid]
    )
    assert not verify_bundle(cut, ledger.signing_key.public_key()).ok
