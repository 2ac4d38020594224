"""After the win (issue 29): a royalty the terms promised is written into the agreement,
the sponsor reports sales, statements are computed from the reports, payouts are
recorded against them, and the commitment to produce is tracked with its dates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from openinno.domain.errors import AccessDenied, InvalidInput, InvalidState, NotFound
from openinno.domain.royalties import SalesReport, royalty_lines
from openinno.domain.values import AfterTheWin, RoyaltyTerms
from tests.support.story import Scene, scene


@pytest.fixture
def s(app, clock) -> Scene:
    return scene(app, clock)


def won(s: Scene, royalty: RoyaltyTerms | None, *, transfer: bool = True) -> UUID:
    """An agreement for place 1 of a challenge whose terms promise ``royalty``."""
    challenge_id, terms = s.open_challenge(after_the_win=AfterTheWin(royalty=royalty))
    entry = s.submit(challenge_id, terms)
    s.clock.advance(timedelta(days=30))
    (agreement_id,) = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids
    if transfer:
        text_sha256 = s.app.get_agreement(s.solver, agreement_id).text_sha256
        s.app.sign_agreement(s.solver, agreement_id, "Solver", "I sign.", text_sha256)
        s.app.countersign_agreement(s.sponsor, agreement_id, "Sponsor", "We sign.", text_sha256)
        s.app.record_payment(s.sponsor, agreement_id, "WIRE-1")
        assert s.app.get_agreement(s.solver, agreement_id).state == "transferred"
    return agreement_id


def test_the_terms_royalty_is_in_the_agreement_and_its_signed_text(s):
    agreement_id = won(s, RoyaltyTerms(Decimal("1.5"), "quarter", "EUR"), transfer=False)
    agreement = s.app.get_agreement(s.solver, agreement_id)
    assert agreement.royalty == RoyaltyTerms(Decimal("1.5"), "quarter", "EUR")
    assert "royalty of\n1.5% of the net sales" in agreement.text
    assert "calendar quarter" in agreement.text


def test_an_agreement_without_a_royalty_reads_as_before(s):
    agreement_id = won(s, None, transfer=False)
    agreement = s.app.get_agreement(s.solver, agreement_id)
    assert agreement.royalty is None
    assert "royalty" not in agreement.text
    with pytest.raises(InvalidState, match="no royalty"):
        s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 10, "100.00", "EUR")


def test_sales_before_the_rights_passed_are_refused(s):
    agreement_id = won(s, RoyaltyTerms(Decimal("2")), transfer=False)
    with pytest.raises(InvalidState, match="rights have passed"):
        s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 10, "100.00", "EUR")
    with pytest.raises(InvalidState, match="rights have passed"):
        s.app.commit_to_produce(s.sponsor, agreement_id, date(2027, 9, 1))


def test_a_statement_is_computed_from_the_periods_reports_per_currency(s):
    agreement_id = won(s, RoyaltyTerms(Decimal("1.5"), "quarter"))
    s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 1200, "35988.00", "EUR", "EU shops")
    s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 300, "8997.00", "EUR", "online")
    s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 50, "250000", "JPY", "Japan")
    s.app.report_sales(s.sponsor, agreement_id, "2027-Q2", 10, "299.90", "EUR")
    statement_id = s.app.state_royalty(s.sponsor, agreement_id, "2027-Q1").id
    agreement = s.app.get_agreement(s.solver, agreement_id)
    (statement,) = agreement.statements
    assert statement.statement_id == statement_id
    assert len(statement.report_ids) == 3
    assert [(ln.currency, ln.net_sales, ln.royalty) for ln in statement.lines] == [
        ("EUR", Decimal("44985.00"), Decimal("674.78")),  # 674.775 rounded half up
        ("JPY", Decimal("250000"), Decimal("3750")),
    ]
    # The period is closed: a late report goes into a later period.
    with pytest.raises(InvalidState, match="already issued"):
        s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 1, "1.00", "EUR")
    with pytest.raises(InvalidState, match="already issued"):
        s.app.state_royalty(s.sponsor, agreement_id, "2027-Q1")
    with pytest.raises(InvalidState, match="No sales"):
        s.app.state_royalty(s.sponsor, agreement_id, "2027-Q3")


def test_payouts_settle_a_statement_currency_by_currency(s):
    agreement_id = won(s, RoyaltyTerms(Decimal("10"), "year"))
    s.app.report_sales(s.sponsor, agreement_id, "2027", 3, "100.00", "EUR")
    s.app.report_sales(s.sponsor, agreement_id, "2027", 3, "70.00", "USD")
    statement_id = s.app.state_royalty(s.sponsor, agreement_id, "2027").id
    with pytest.raises(InvalidInput) as too_much:
        s.app.pay_royalty(s.sponsor, agreement_id, statement_id, "10.01", "EUR", "W-1")
    assert too_much.value.field == "amount"
    with pytest.raises(InvalidInput):
        s.app.pay_royalty(s.sponsor, agreement_id, statement_id, "1.00", "GBP", "W-1")
    s.app.pay_royalty(s.sponsor, agreement_id, statement_id, "4.00", "EUR", "W-1")
    s.app.pay_royalty(s.sponsor, agreement_id, statement_id, "6.00", "EUR", "W-2")
    statement = s.app.get_agreement(s.solver, agreement_id).statements[0]
    assert statement.outstanding("EUR") == 0
    assert statement.outstanding("USD") == Decimal("7.00")
    assert not statement.settled
    s.app.pay_royalty(s.sponsor, agreement_id, statement_id, "7.00", "USD", "W-3")
    assert s.app.get_agreement(s.solver, agreement_id).statements[0].settled


def test_the_terms_currency_and_period_bind_the_reports(s):
    agreement_id = won(s, RoyaltyTerms(Decimal("1"), "month", "EUR"))
    with pytest.raises(InvalidInput) as wrong_currency:
        s.app.report_sales(s.sponsor, agreement_id, "2027-03", 1, "10.00", "USD")
    assert wrong_currency.value.field == "currency"
    for period in ("2027-Q1", "2027", "2027-13", "27-03"):
        with pytest.raises(InvalidInput) as bad:
            s.app.report_sales(s.sponsor, agreement_id, period, 1, "10.00", "EUR")
        assert bad.value.field == "period"
    with pytest.raises(InvalidInput) as negative:
        s.app.report_sales(s.sponsor, agreement_id, "2027-03", -1, "10.00", "EUR")
    assert negative.value.field == "units"
    with pytest.raises(InvalidInput) as precise:
        s.app.report_sales(s.sponsor, agreement_id, "2027-03", 1, "10.001", "EUR")
    assert precise.value.field == "net_sales"


def test_only_the_sponsor_reports_states_and_pays(s):
    agreement_id = won(s, RoyaltyTerms(Decimal("1")))
    # The solver reads the agreement but is no member of the sponsor: not found to act on.
    with pytest.raises(NotFound):
        s.app.report_sales(s.solver, agreement_id, "2027-Q1", 1, "10.00", "EUR")
    with pytest.raises(NotFound):
        s.app.report_sales(s.public, agreement_id, "2027-Q1", 1, "10.00", "EUR")
    legal = s.account("legal")
    s.app.add_member(s.sponsor, s.organisation, legal, "legal")
    with pytest.raises(AccessDenied):
        s.app.report_sales(legal, agreement_id, "2027-Q1", 1, "10.00", "EUR")
    s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 1, "10.00", "EUR")
    s.app.state_royalty(legal, agreement_id, "2027-Q1")


def test_the_commitment_to_produce_is_tracked_with_its_dates(s):
    agreement_id = won(s, None)
    with pytest.raises(InvalidState):
        s.app.start_production(s.sponsor, agreement_id, date(2027, 9, 1))
    s.app.commit_to_produce(s.sponsor, agreement_id, date(2027, 11, 1), "Goes into production.")
    with pytest.raises(InvalidState):
        s.app.commit_to_produce(s.sponsor, agreement_id, date(2027, 11, 1))
    s.app.start_production(s.sponsor, agreement_id, date(2027, 9, 15))
    agreement = s.app.get_agreement(s.solver, agreement_id)
    assert agreement.production == "in_production"
    assert agreement.production_target == date(2027, 11, 1)
    assert agreement.production_started == date(2027, 9, 15)
    with pytest.raises(InvalidInput):
        s.app.drop_production(s.sponsor, agreement_id, " ")
    s.app.drop_production(s.sponsor, agreement_id, "The line is discontinued.")
    assert s.app.get_agreement(s.solver, agreement_id).production == "dropped"


def test_a_statement_can_be_computed_again_from_the_logged_reports(s):
    """Derivable from events: the statement event's lines are what the reports give."""
    agreement_id = won(s, RoyaltyTerms(Decimal("2.25"), "quarter"))
    s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 7, "1234.56", "EUR")
    s.app.report_sales(s.sponsor, agreement_id, "2027-Q1", 1, "0.01", "EUR")
    s.app.state_royalty(s.sponsor, agreement_id, "2027-Q1")
    reports, stated = [], []
    for event in s.app.events.get(agreement_id):
        name = type(event).__name__
        if name == "SalesReported":
            reports.append(
                SalesReport(
                    event.report_id,
                    event.period,
                    event.units,
                    event.net_sales,
                    event.currency,
                    event.note,
                )
            )
        elif name == "RoyaltyStated":
            stated.append(event)
    (statement,) = stated
    assert statement.lines == royalty_lines(
        [r for r in reports if r.period == statement.period], Decimal("2.25")
    )
    assert statement.lines[0].royalty == Decimal("27.78")  # 1234.57 x 2.25 % = 27.777825
