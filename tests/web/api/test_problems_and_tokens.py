"""Errors as problem+json, and bearer tokens: issue, use, revoke."""

from __future__ import annotations

import pytest

from tests.web.api.conftest import PASSWORD, assert_problem, bearer, sign_up


def test_unknown_routes_and_methods_under_the_api_are_problems(client):
    assert_problem(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_problem(client.put("/api/v1/me"), 405, "method_not_allowed")
    assert_problem(client.get("/api/v1/challenges/not-a-uuid"), 404, "not_found")
    # outside the API Litestar's own answers stay
    assert client.get("/no-such-page").status_code == 404


def test_problem_types_are_described(client):
    body = client.get("/api/v1/problems/terms_mismatch").json()
    assert body["status"] == 409 and body["type"] == "/api/v1/problems/terms_mismatch"
    codes = {p["code"] for p in client.get("/api/v1/problems").json()}
    assert {"invalid_input", "not_found", "concurrent_update", "invalid_credentials"} <= codes
    assert_problem(client.get("/api/v1/problems/nope"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD, "display_name": "Ada"}, "email"),
        ({"email": "ada@example.org", "display_name": "Ada"}, "password"),
        ({"email": "ada@example.org", "password": PASSWORD}, "display_name"),
        ({"email": 5, "password": PASSWORD, "display_name": "Ada"}, "email"),
        ({"email": "a@example.org", "password": PASSWORD, "display_name": "A", "x": 1}, "x"),
    ],
)
def test_body_validation_errors_are_422_naming_the_field(client, body, field):
    assert_problem(client.post("/api/v1/accounts", json=body), 422, "invalid_body", field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD, "display_name": "Ada"}, "email"),
        ({"email": "ada@example.org", "password": "short", "display_name": "Ada"}, "password"),
        ({"email": "ada@example.org", "password": PASSWORD, "display_name": " "}, "display_name"),
        (
            {"email": "a@example.org", "password": PASSWORD, "display_name": "A", "locale": "xx"},
            "locale",
        ),
        (
            {"email": "a@ex.org", "password": PASSWORD, "display_name": "A", "time_zone": "Mars"},
            "time_zone",
        ),
    ],
)
def test_domain_rules_are_422_invalid_input_naming_the_field(client, body, field):
    assert_problem(client.post("/api/v1/accounts", json=body), 422, "invalid_input", field)


def test_malformed_json_is_422(client):
    response = client.post(
        "/api/v1/accounts", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "invalid_body")
    assert_problem(
        client.post(
            "/api/v1/accounts", content=b"[1, 2]", headers={"content-type": "application/json"}
        ),
        422,
        "invalid_body",
    )


def test_a_second_registration_of_an_email_is_409(client):
    sign_up(client, "ada")
    response = client.post(
        "/api/v1/accounts",
        json={"email": "ADA@example.org", "password": PASSWORD, "display_name": "Ada"},
    )
    assert_problem(response, 409, "email_already_registered")


def test_unexpected_errors_are_a_bare_500_problem(app, client, monkeypatch):
    ada = sign_up(client, "ada")

    def broken(account_id):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app, "get_account", broken)
    response = client.get("/api/v1/me", headers=ada.auth)
    body = assert_problem(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert body["instance"] == "/api/v1/me"


def test_a_token_acts_as_its_account_until_revoked(client):
    ada = sign_up(client, "ada")
    me = client.get("/api/v1/me", headers=ada.auth)
    assert me.status_code == 200
    assert me.json()["id"] == ada.id
    assert me.json()["email"] == "ada@example.org"
    assert ada.token.startswith("oi_") and len(ada.token) >= 43

    revoked = client.delete("/api/v1/tokens/current", headers=ada.auth)
    assert revoked.status_code == 200
    assert revoked.json()["position"] > 0
    response = client.get("/api/v1/me", headers=ada.auth)
    assert_problem(response, 401, "invalid_credentials")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert_problem(
        client.delete("/api/v1/tokens/current", headers=ada.auth), 401, "invalid_credentials"
    )


def test_revoking_one_token_leaves_the_others(client):
    ada = sign_up(client, "ada")
    second = client.post(
        "/api/v1/tokens", json={"email": "ada@example.org", "password": PASSWORD}
    ).json()["token"]
    client.delete("/api/v1/tokens/current", headers=ada.auth)
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_missing_wrong_and_malformed_credentials_are_401(client):
    sign_up(client, "ada")
    assert_problem(client.get("/api/v1/me"), 401, "authentication_required")
    assert_problem(
        client.get("/api/v1/me", headers=bearer("oi_not-a-token")), 401, "invalid_credentials"
    )
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": "Basic YWRhOnB3"}),
        401,
        "invalid_credentials",
    )
    assert_problem(
        client.post("/api/v1/tokens", json={"email": "ada@example.org", "password": "wrong!"}),
        401,
        "invalid_credentials",
    )
    assert_problem(
        client.post("/api/v1/tokens", json={"email": "nobody@example.org", "password": PASSWORD}),
        401,
        "invalid_credentials",
    )


def test_only_the_token_hash_reaches_the_event_store(app, client):
    ada = sign_up(client, "ada")
    secret = ada.token.removeprefix("oi_").encode()
    stored = app.recorder.select_notifications(start=1, limit=1000)
    assert stored
    assert not any(secret in n.state for n in stored)
