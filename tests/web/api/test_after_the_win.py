"""Contract tests: after the win over the API (issue 29) — a royalty in the terms and
its agreement, sales reported, a statement computed, a payout, production tracked."""

from __future__ import annotations

from datetime import timedelta

from tests.web.api.conftest import Cast, assert_problem, challenge_body


def transferred(cast: Cast, **changes) -> str:
    """A challenge with ``changes`` in its terms, won, signed, countersigned and paid."""
    c = cast.client
    challenge_id, terms = cast.open_challenge(**changes)
    entry = cast.submit(challenge_id, terms)
    cast.clock.advance(timedelta(days=30))
    owner = cast.sponsor.auth
    r = c.post(
        f"/api/v1/challenges/{challenge_id}/review/close", json={"text": "Done."}, headers=owner
    )
    assert r.status_code == 200, r.text
    r = c.post(
        f"/api/v1/challenges/{challenge_id}/awards",
        json={"awards": [{"submission_id": entry, "place": 1, "override_reason": "Tested."}]},
        headers=owner,
    )
    assert r.status_code == 201, r.text
    (agreement,) = r.json()["agreement_ids"]
    text = c.get(f"/api/v1/agreements/{agreement}", headers=owner).json()["text_sha256"]
    for who, path in ((cast.solver, "sign"), (cast.sponsor, "countersign")):
        body = {"typed_name": "A Name", "intent": "I agree", "text_sha256": text}
        r = c.post(f"/api/v1/agreements/{agreement}/{path}", json=body, headers=who.auth)
        assert r.status_code == 200, r.text
    r = c.post(f"/api/v1/agreements/{agreement}/payments", json={"reference": "W-1"}, headers=owner)
    assert r.status_code == 201, r.text
    return str(agreement)


def test_a_royalty_from_the_terms_to_a_paid_statement(cast: Cast):
    c, owner = cast.client, cast.sponsor.auth
    royalty = {"royalty": {"rate_percent": "1.5", "period": "quarter", "currency": "EUR"}}
    challenge_id = cast.draft(after_the_win=royalty)
    seen = c.get(f"/api/v1/challenges/{challenge_id}", headers=owner).json()
    assert seen["after_the_win"] == {
        "royalty": {"rate_percent": "1.5", "period": "quarter", "currency": "EUR"}
    }
    agreement = transferred(cast, after_the_win=royalty)
    base = f"/api/v1/agreements/{agreement}"
    for body in (
        {"period": "2027-Q1", "units": 1200, "net_sales": "35988.00", "currency": "EUR"},
        {"period": "2027-Q1", "units": 300, "net_sales": "8997.00", "currency": "EUR"},
    ):
        r = c.post(f"{base}/sales-reports", json=body, headers=owner)
        assert r.status_code == 201, r.text
    assert_problem(
        c.post(
            f"{base}/sales-reports",
            json={"period": "2027-Q1", "units": 1, "net_sales": "1.00", "currency": "USD"},
            headers=owner,
        ),
        422,
        "invalid_input",
        "currency",
    )
    r = c.post(f"{base}/royalty-statements", json={"period": "2027-Q1"}, headers=owner)
    assert r.status_code == 201, r.text
    statement = r.json()["id"]
    assert_problem(
        c.post(f"{base}/royalty-statements", json={"period": "2027-Q1"}, headers=owner),
        409,
        "invalid_state",
    )
    payout = {"statement_id": statement, "amount": "674.78", "currency": "EUR", "reference": "R1"}
    r = c.post(f"{base}/royalty-payouts", json=payout, headers=owner)
    assert r.status_code == 201, r.text
    r = c.post(f"{base}/production", json={"state": "committed", "on": "2027-09-01"}, headers=owner)
    assert r.status_code == 200, r.text
    assert_problem(
        c.post(f"{base}/production", json={"state": "in_production"}, headers=owner),
        422,
        "invalid_input",
        "on",
    )

    for reader in (cast.solver, cast.sponsor):
        view = c.get(f"{base}/after-the-win", headers=reader.auth).json()
        assert view["royalty"] == {"rate_percent": "1.5", "period": "quarter", "currency": "EUR"}
        assert [r["units"] for r in view["sales_reports"]] == [1200, 300]
        (line,) = view["statements"][0]["lines"]
        assert line == {
            "currency": "EUR",
            "net_sales": "44985.00",
            "rate_percent": "1.5",
            "royalty": "674.78",
            "paid": "674.78",
            "outstanding": "0.00",
        }
        assert view["statements"][0]["settled"] is True
        assert view["production"]["state"] == "committed"
        assert view["production"]["target_on"] == "2027-09-01"
    assert c.get(f"{base}/after-the-win", headers=cast.other.auth).status_code == 404
    assert_problem(
        c.post(f"{base}/royalty-statements", json={"period": "2027-Q2"}, headers=cast.solver.auth),
        404,
        "not_found",
    )


def test_a_rate_out_of_bounds_is_refused_at_drafting(cast: Cast):
    for rate in ("0", "101", "1.23456", "1e2", "abc"):
        r = cast.client.post(
            "/api/v1/challenges",
            json={
                **challenge_body(cast.clock, cast.organisation),
                "after_the_win": {"royalty": {"rate_percent": rate}},
            },
            headers=cast.sponsor.auth,
        )
        assert_problem(r, 422, "invalid_input", "royalty")
