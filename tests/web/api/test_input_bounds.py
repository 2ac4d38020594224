"""Issue 19 (findings 1, 8, 11): absurd input is a 4xx problem, never recorded and
never a 500: money bounded and written without exponents, ISO currencies only,
every text bounded and free of control characters, scores finite, deadlines in a
range later arithmetic cannot overflow, forged cursors refused."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from tests.web.api.conftest import PROBLEM, challenge_body


def refused(response, field: str | None = None) -> None:
    """A 422 problem (the domain's or the schema's, which names a member such as
    ``prizes[0].amount``), naming ``field`` when given."""
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] in ("invalid_input", "invalid_body", "invalid_parameter"), body
    if field is not None:
        assert (body.get("field") or "").startswith(field), body


def _draft(cast, **changes):
    return cast.client.post(
        "/api/v1/challenges",
        json=challenge_body(cast.clock, cast.organisation, **changes),
        headers=cast.sponsor.auth,
    )


def _prizes(amount: str, currency: str = "EUR") -> list[dict[str, object]]:
    return [{"place": 1, "amount": amount, "currency": currency}]


@pytest.mark.parametrize(
    "amount",
    [
        "1" * 1_000_001,  # refused before any Decimal is built
        "1000000000001",  # over the maximum of 10^12
        "1E+999999999",
        "1e3",
        "5000.001",  # EUR has two minor units
    ],
)
def test_an_absurd_prize_amount_is_refused(cast, amount):
    refused(_draft(cast, prizes=_prizes(amount)), "prizes")


@pytest.mark.parametrize("currency", ["XYZ", "XTS", "HRK"])
def test_only_iso_currencies_in_use_are_accepted(cast, currency):
    refused(_draft(cast, prizes=_prizes("100", currency)), "currency")


def test_the_largest_amount_in_a_three_decimal_currency_is_accepted(cast):
    assert _draft(cast, prizes=_prizes("1000000000000.000", "KWD")).status_code == 201
    refused(_draft(cast, prizes=_prizes("1.5", "JPY")), "prizes")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "c" * 3 * 1024 * 1024),
        ("rules", "r" * 200_000),
        ("eligibility", "e" * 200_000),
        ("category", "toys\x00"),
        ("title", "Bricks\x07 that teach"),
    ],
)
def test_unbounded_or_control_text_is_refused(cast, field, value):
    refused(_draft(cast, **{field: value}), field)


def test_a_criterion_name_is_bounded(cast):
    criteria = [{"name": "n" * 1000, "weight": 100}]
    refused(_draft(cast, criteria=criteria), "criteria")


def test_a_deadline_at_the_end_of_time_is_refused(cast):
    far = {"closes_at": "9999-12-31T23:59:59Z", "review_ends_at": "9999-12-31T23:59:59Z"}
    refused(_draft(cast, **far), "closes_at")
    challenge_id, _terms = cast.open_challenge()
    extended = cast.client.post(
        f"/api/v1/challenges/{challenge_id}/deadline",
        json={"closes_at": "9999-12-31T23:59:59Z"},
        headers=cast.sponsor.auth,
    )
    refused(extended, "closes_at")


@pytest.mark.parametrize("score", ["NaN", "sNaN", "Infinity", "-inf", "1e999999999", "9" * 5000])
def test_a_score_that_is_not_a_finite_number_is_refused(cast, score):
    challenge_id, terms = cast.open_challenge(visibility="private", voting={"mode": "none"})
    entry = cast.submit(challenge_id, terms)
    c = cast.client
    c.post(
        f"/api/v1/challenges/{challenge_id}/reviewers",
        json={"account_id": cast.reviewer.id},
        headers=cast.sponsor.auth,
    )
    c.post(f"/api/v1/challenges/{challenge_id}/reviewers/accept", headers=cast.reviewer.auth)
    cast.clock.advance(timedelta(days=30))
    scored = c.put(
        f"/api/v1/submissions/{entry}/review",
        json={"scores": {"originality": score, "feasibility": 5, "fun": 5}},
        headers=cast.reviewer.auth,
    )
    refused(scored, "scores")


@pytest.mark.parametrize("param", ["q", "category"])
def test_a_nul_byte_in_a_catalogue_filter_is_refused(client, read_side, param):
    refused(client.get("/api/v1/challenges", params={param: "toys\x00"}))


def _cursor(kind: str, key: list[object]) -> str:
    raw = json.dumps([kind, key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _inner(value: object, last: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([value, last]).encode()).decode()


@pytest.mark.parametrize(
    "inner",
    [
        _inner(2**80, "x"),
        _inner(float("inf"), "x"),
        _inner("2026\x00", "x"),
        _inner("2026", "x\x00"),
        "not base64!",
    ],
)
@pytest.mark.parametrize("sort", ["closing", "newest", "prize"])
def test_a_forged_catalogue_cursor_is_refused(client, read_side, sort, inner):
    cursor = _cursor(f"challenges:{sort}", [inner])
    refused(client.get("/api/v1/challenges", params={"sort": sort, "cursor": cursor}))
