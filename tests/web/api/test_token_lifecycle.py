"""API tokens expire, carry a scope, can be listed and revoked one by one, and all
die together on a password change (issue 19, finding 12)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from openinno.domain.token import ApiToken, new_token, token_sha256, token_stream_id
from tests.web.api.conftest import PASSWORD, assert_problem, bearer, challenge_body, sign_up


@pytest.fixture
def ttl(app) -> timedelta:
    return timedelta(seconds=app.settings.api_token_ttl_seconds)


def _issue(client: Any, email: str, **extra: Any) -> Any:
    return client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD, **extra})


def test_a_token_expires_after_the_ttl(client, clock, ttl):
    ada = sign_up(client, "ada")
    issued_at = clock.now()
    issued = _issue(client, "ada@example.org").json()
    clock.advance(ttl - timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=ada.auth).status_code == 200
    clock.advance(timedelta(seconds=1))
    body = assert_problem(client.get("/api/v1/me", headers=ada.auth), 401, "invalid_credentials")
    assert "expired" in body["detail"]
    assert datetime.fromisoformat(issued["expires_at"]) == issued_at + ttl


def test_a_token_from_before_expiry_existed_expires_ttl_after_its_issue(app, client, clock, ttl):
    """Stored Issued events without expires_at: such tokens live as long as new ones."""
    ada = UUID(sign_up(client, "ada").id)
    token = new_token()
    app.save(
        ApiToken(
            id=token_stream_id(token_sha256(token)),
            account_id=ada,
            token_sha256_prefix=token_sha256(token)[:12],
            timestamp=clock.now(),
        )
    )
    assert app.account_for_token(token) == ada
    clock.advance(ttl)
    assert_problem(client.get("/api/v1/me", headers=bearer(token)), 401, "invalid_credentials")


def test_the_holder_lists_their_live_tokens_newest_first_without_secrets(client, clock, ttl):
    ada, bob = sign_up(client, "ada"), sign_up(client, "bob")
    clock.advance(timedelta(minutes=1))
    labelled = _issue(client, "ada@example.org", scope="read", label="CI export").json()
    clock.advance(timedelta(minutes=1))
    newest = _issue(client, "ada@example.org").json()
    listed = client.get("/api/v1/tokens", headers=ada.auth)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [i["token_id"] for i in items] == [
        newest["token_id"],
        labelled["token_id"],
        str(token_stream_id(token_sha256(ada.token))),
    ]
    assert items[1]["scope"] == "read" and items[1]["label"] == "CI export"
    assert items[0]["scope"] == "read-write" and items[0]["expires_at"]
    # No token, no hash: nothing that could be used.
    for secret in (ada.token, newest["token"], token_sha256(ada.token)):
        assert secret not in listed.text
    # Bob sees only his own.
    assert [
        i["token_id"] for i in client.get("/api/v1/tokens", headers=bob.auth).json()["items"]
    ] == [str(token_stream_id(token_sha256(bob.token)))]
    # Expired tokens drop out of the list.
    clock.advance(ttl - timedelta(seconds=30))  # past the first two, not the newest
    still = client.get("/api/v1/tokens", headers=bearer(newest["token"])).json()["items"]
    assert [i["token_id"] for i in still] == [newest["token_id"]]


def test_the_holder_revokes_one_token_by_id_and_nobody_elses(client):
    ada, bob = sign_up(client, "ada"), sign_up(client, "bob")
    spare = _issue(client, "ada@example.org").json()
    # Bob cannot revoke Ada's token, nor learn that it exists.
    assert_problem(
        client.delete(f"/api/v1/tokens/{spare['token_id']}", headers=bob.auth), 404, "not_found"
    )
    assert client.get("/api/v1/me", headers=bearer(spare["token"])).status_code == 200
    revoked = client.delete(f"/api/v1/tokens/{spare['token_id']}", headers=ada.auth)
    assert revoked.status_code == 200 and revoked.json()["id"] == spare["token_id"]
    assert_problem(
        client.get("/api/v1/me", headers=bearer(spare["token"])), 401, "invalid_credentials"
    )
    assert spare["token_id"] not in client.get("/api/v1/tokens", headers=ada.auth).text
    # Twice: gone.
    assert_problem(
        client.delete(f"/api/v1/tokens/{spare['token_id']}", headers=ada.auth), 404, "not_found"
    )
    assert client.get("/api/v1/me", headers=ada.auth).status_code == 200


def test_a_password_change_revokes_every_token_of_the_account(app, client, clock):
    ada, bob = sign_up(client, "ada"), sign_up(client, "bob")
    ada_id = UUID(ada.id)
    other = _issue(client, "ada@example.org").json()
    # One issued before tokens were listed per account (no keyring entry, no generation).
    old = new_token()
    app.save(
        ApiToken(
            id=token_stream_id(token_sha256(old)),
            account_id=ada_id,
            token_sha256_prefix=token_sha256(old)[:12],
            timestamp=clock.now(),
        )
    )
    app.change_password(ada_id, PASSWORD, "a brand new passphrase")
    for token in (ada.token, other["token"], old):
        body = assert_problem(
            client.get("/api/v1/me", headers=bearer(token)), 401, "invalid_credentials"
        )
        assert "password change" in body["detail"]
    assert client.get("/api/v1/me", headers=bob.auth).status_code == 200
    fresh = client.post(
        "/api/v1/tokens", json={"email": "ada@example.org", "password": "a brand new passphrase"}
    ).json()
    listed = client.get("/api/v1/tokens", headers=bearer(fresh["token"])).json()["items"]
    assert [i["token_id"] for i in listed] == [fresh["token_id"]]


def test_a_token_issued_on_the_old_generation_is_dead(app, client, clock, ttl):
    """The race of an issue against revoke-all: a token recorded with the generation it
    read before the revocation is refused, though recorded after it."""
    ada = sign_up(client, "ada")
    ada_id = UUID(ada.id)
    app.revoke_all_tokens(ada_id)
    late = new_token()
    app.save(
        ApiToken(
            id=token_stream_id(token_sha256(late)),
            account_id=ada_id,
            token_sha256_prefix=token_sha256(late)[:12],
            timestamp=clock.now(),
            expires_at=clock.now() + ttl,
            generation=0,
        )
    )
    assert_problem(client.get("/api/v1/me", headers=bearer(late)), 401, "invalid_credentials")
    assert_problem(client.get("/api/v1/me", headers=ada.auth), 401, "invalid_credentials")


def test_a_read_only_token_reads_and_is_refused_every_write(client, clock):
    ada = sign_up(client, "ada")
    reader = bearer(_issue(client, "ada@example.org", scope="read").json()["token"])
    assert client.get("/api/v1/me", headers=reader).status_code == 200
    assert client.get("/api/v1/tokens", headers=reader).status_code == 200
    assert client.head("/api/v1/me", headers=reader).status_code in (200, 405)
    writes = [
        ("post", "/api/v1/organisations", {"name": "Acme"}),
        ("delete", "/api/v1/tokens/current", None),
    ]
    for method, path, body in writes:
        for extra in ({}, {"Idempotency-Key": f"k-{method}"}):
            r = client.request(method.upper(), path, json=body, headers={**reader, **extra})
            detail = assert_problem(r, 403, "access_denied")["detail"]
            assert "read-only" in detail
    # The read-write token of the same account may.
    org = client.post("/api/v1/organisations", json={"name": "Acme"}, headers=ada.auth)
    assert org.status_code == 201
    assert (
        client.post(
            "/api/v1/challenges",
            json=challenge_body(clock, org.json()["id"]),
            headers=reader,
        ).status_code
        == 403
    )


def test_scope_and_label_are_checked(client):
    sign_up(client, "ada")
    assert_problem(_issue(client, "ada@example.org", scope="admin"), 422, "invalid_body", "scope")
    assert_problem(_issue(client, "ada@example.org", label="x" * 101), 422, "invalid_body", "label")


def test_the_token_lifetime_setting():
    from openinno.settings import Settings

    assert Settings.from_env({}).api_token_ttl_seconds == 30 * 24 * 3600
    assert Settings().api_token_ttl_seconds == 30 * 24 * 3600
    assert (
        Settings.from_env({"OPENINNO_API_TOKEN_TTL_SECONDS": "3600"}).api_token_ttl_seconds == 3600
    )
    with pytest.raises(ValueError):
        Settings.from_env({"OPENINNO_API_TOKEN_TTL_SECONDS": "0"})


def test_concurrent_issues_for_one_account_are_all_listed(app):
    """Each issue writes the account's keyring in the token's transaction: concurrent
    issues conflict there and are retried, none is lost from the list."""
    from concurrent.futures import ThreadPoolExecutor

    ada = app.register_account("ada@example.org", PASSWORD, "Ada").id
    with ThreadPoolExecutor(4) as pool:
        tokens = list(pool.map(lambda _: app.issue_token("ada@example.org", PASSWORD)[0], range(8)))
    listed = {t.token_id for t in app.list_tokens(ada)}
    assert listed == {token_stream_id(token_sha256(t)) for t in tokens}
    assert len(listed) == 8
