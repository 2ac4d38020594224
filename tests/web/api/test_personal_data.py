"""Issue 26 over the API: a person downloads everything held about them, then erases it
with their password; an admin erases someone else's with a reason."""

from __future__ import annotations

import uuid

import pytest

from openinno.domain.personal import ERASED
from tests.web.api.conftest import PASSWORD, assert_problem, sign_up

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def test_a_person_exports_their_data_then_erases_it(app, client):
    zoe = sign_up(client, "zoe")
    r = client.get("/api/v1/me/export", headers=zoe.auth)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    exported = r.json()
    assert exported["account"]["email"] == "zoe@example.org"
    registered = [e for e in exported["events"] if e["type"] == "Account.Registered"]
    assert registered[0]["data"]["email"] == "zoe@example.org"
    assert all("password_hash" not in e["data"] for e in exported["events"])

    refused = client.post("/api/v1/me/erasure", json={"password": "nope"}, headers=zoe.auth)
    assert_problem(refused, 422, "invalid_input", "password")
    r = client.post("/api/v1/me/erasure", json={"password": PASSWORD}, headers=zoe.auth)
    assert r.status_code == 200, r.text
    assert r.json()["kept"] == [] and "person" in r.json()["shredded"]
    account = app.repository.get(uuid.UUID(zoe.id))
    assert (account.email, account.display_name) == (ERASED, ERASED)
    # The token died with the account.
    assert client.get("/api/v1/me/export", headers=zoe.auth).status_code == 401


def test_an_admin_erases_someone_elses_data_with_a_reason(app, client):
    admin, yuri = sign_up(client, "admin"), sign_up(client, "yuri")
    app.grant_admin_as_operator(uuid.UUID(admin.id))
    path = f"/api/v1/admin/accounts/{yuri.id}/erasure"
    assert client.post(path, json={"reason": "x"}, headers=yuri.auth).status_code == 403
    r = client.post(path, json={"reason": "Asked by letter."}, headers=admin.auth)
    assert r.status_code == 200, r.text
    assert app.repository.get(uuid.UUID(yuri.id)).display_name == ERASED
