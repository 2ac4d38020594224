"""After the win on the agreement page (issue 29): the sponsor reports sales, issues
a statement, pays it and tracks production; the solver reads it all; a mistake comes
back beside its field."""

from __future__ import annotations

import html
from decimal import Decimal

from openinno.domain.values import RoyaltyTerms
from tests.application.test_royalties import won


def test_the_sponsor_walks_a_royalty_and_the_solver_reads_it(web, cast):
    agreement_id = won(cast, RoyaltyTerms(Decimal("1.5"), "quarter", "EUR"))
    page = f"/agreements/{agreement_id}"
    web.login("sponsor")
    shown = web.get(page).text
    assert 'id="after-the-win"' in shown and "1.5% of net sales" in shown
    bad = web.post(
        f"{page}/sales",
        {"period": "2027-13", "units": "5", "net_sales": "10.00", "currency": "EUR", "note": ""},
    )
    assert bad.status_code == 400
    assert 'id="aw-report-period"' in bad.text and 'aria-invalid="true"' in bad.text
    assert "Name the period like 2027-Q1." in html.unescape(bad.text)
    for units, amount in (("1200", "35988.00"), ("300", "8997.00")):
        r = web.post(
            f"{page}/sales",
            {"period": "2027-Q1", "units": units, "net_sales": amount, "currency": "eur"},
        )
        assert r.status_code == 303, r.text
        assert r.headers["location"] == f"{page}?reported=1#after-the-win"
    r = web.post(f"{page}/statements", {"period": "2027-Q1"})
    assert r.status_code == 303, r.text
    statement = cast.app.get_agreement(cast.sponsor, agreement_id).statements[0]
    too_much = web.post(
        f"{page}/payouts",
        {
            "statement_id": str(statement.statement_id),
            "amount": "999.00",
            "currency": "EUR",
            "reference": "R-1",
        },
    )
    assert too_much.status_code == 400
    assert "at most the 674.78 EUR outstanding" in html.unescape(too_much.text)
    r = web.post(
        f"{page}/payouts",
        {
            "statement_id": str(statement.statement_id),
            "amount": "674.78",
            "currency": "EUR",
            "reference": "R-1",
        },
    )
    assert r.status_code == 303, r.text
    for data in (
        {"state": "committed", "on": "2027-09-01", "note": "Autumn catalogue."},
        {"state": "in_production", "on": "2027-08-20"},
    ):
        r = web.post(f"{page}/production", data)
        assert r.status_code == 303, r.text
    assert web.post(f"{page}/production", {"state": "dropped", "reason": ""}).status_code == 400

    web.logout()
    web.login("solver")
    seen = html.unescape(web.get(page).text)
    assert "In production" in seen and "2027-09-01" in seen and "2027-08-20" in seen
    assert "€44,985.00" in seen and "€674.78" in seen and "R-1" in seen
    # The solver reads; no form of the sponsor's is offered.
    assert f'action="{page}/sales"' not in seen
    assert web.post(f"{page}/statements", {"period": "2027-Q2"}).status_code == 404
    # The chain of title shows the steps.
    chain = web.get(
        f"/legal/submissions/{cast.app.get_agreement(cast.solver, agreement_id).submission_id}"
    )
    assert "Royalty paid" in chain.text and "Production started" in chain.text


def test_the_draft_form_promises_a_royalty_and_the_terms_show_it(web, cast, app):
    from tests.web.pages.test_draft_editing import _form_values

    draft = cast.draft(title="Royal bricks")
    web.login("sponsor")
    values = _form_values(web.get(f"/challenges/{draft}/draft/edit").text)
    assert values["royalty_rate"] == "" and values["royalty_period"] == "quarter"
    bad = web.post(f"/challenges/{draft}/draft/edit", {**values, "royalty_rate": "120"})
    assert bad.status_code == 400
    assert 'id="f-royalty_rate"' in bad.text and "at most 100 percent" in bad.text
    r = web.post(
        f"/challenges/{draft}/draft/edit",
        {**values, "royalty_rate": "2.5", "royalty_period": "year", "royalty_currency": "eur"},
    )
    assert r.status_code == 303, r.text
    spec = app.get_challenge(draft, cast.sponsor).spec
    assert spec.beyond_the_prizes.royalty == RoyaltyTerms(Decimal("2.5"), "year", "EUR")
    # The edit form starts from it; saving it unchanged keeps it.
    again = _form_values(web.get(f"/challenges/{draft}/draft/edit").text)
    assert (again["royalty_rate"], again["royalty_currency"]) == ("2.5", "EUR")
    app.publish_challenge(cast.sponsor, draft)
    terms = html.unescape(web.get(f"/challenges/{draft}/terms").text)
    assert "2.5% of net sales, stated each year · EUR" in terms
