"""After the win (issue 29): sales, royalty statements, payouts and the commitment to
produce are steps of the entry's chain of title, with the figures they recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openinno.domain.values import RoyaltyTerms
from projections.db import Db
from projections.legal import queries as legal
from projections.service import ReadSide
from tests.application.test_royalties import won
from tests.support.story import Scene


def test_royalties_and_production_are_steps_of_the_chain(cast: Scene, read_side: ReadSide, db: Db):
    app = cast.app
    agreement_id = won(cast, RoyaltyTerms(Decimal("1.5"), "quarter", "EUR"))
    agreement = app.get_agreement(cast.sponsor, agreement_id)
    app.commit_to_produce(cast.sponsor, agreement_id, date(2027, 3, 1), "Goes into production.")
    app.start_production(cast.sponsor, agreement_id, date(2027, 2, 15))
    report = app.report_sales(cast.sponsor, agreement_id, "2027-Q1", 1200, "35988.00", "EUR").id
    statement = app.state_royalty(cast.sponsor, agreement_id, "2027-Q1").id
    app.pay_royalty(cast.sponsor, agreement_id, statement, "539.82", "EUR", "ROY-2027-Q1")
    read_side.catch_up()
    steps = legal.chain_of_title(db, agreement.submission_id)
    after = {s["step"]: s["details"] for s in steps}
    assert [s["step"] for s in steps][-5:] == [
        "production_committed",
        "production_started",
        "sales_reported",
        "royalty_stated",
        "royalty_paid",
    ]
    assert after["production_committed"] == {
        "target_on": "2027-03-01",
        "note": "Goes into production.",
    }
    assert after["production_started"] == {"started_on": "2027-02-15"}
    assert after["sales_reported"]["report_id"] == str(report)
    assert after["sales_reported"]["net_sales"] == "35988.00"
    assert after["royalty_stated"]["lines"] == [
        {"currency": "EUR", "net_sales": "35988.00", "rate_percent": "1.5", "royalty": "539.82"}
    ]
    assert after["royalty_stated"]["report_ids"] == [str(report)]
    assert after["royalty_paid"] == {
        "statement_id": str(statement),
        "amount": "539.82",
        "currency": "EUR",
        "reference": "ROY-2027-Q1",
    }
    app.drop_production(cast.sponsor, agreement_id, "The line is discontinued.")
    read_side.catch_up()
    last = legal.chain_of_title(db, agreement.submission_id)[-1]
    assert (last["step"], last["details"]) == (
        "production_dropped",
        {"reason": "The line is discontinued."},
    )
