"""The webhooks API: the secret once, the SSRF refusal, the delivery log."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.web.api.conftest import Cast

sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


@sqlite_only
def test_register_list_log_and_remove(cast: Cast, read_side: Any, client: TestClient[Any]):
    base = f"/api/v1/organisations/{cast.organisation}/webhooks"
    auth = cast.sponsor.auth
    refused = client.post(
        base, json={"url": "http://127.0.0.1:9/hook", "types": ["question.asked"]}, headers=auth
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    made = client.post(
        base,
        json={"url": "https://93.184.216.34/hook", "types": ["question.asked"]},
        headers=auth,
    )
    assert made.status_code == 201, made.text
    hook = made.json()
    assert hook["secret"].startswith("whsec_") and hook["types"] == ["question.asked"]
    listed = client.get(base, headers=auth).json()["items"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0] and hook["secret"] not in client.get(base, headers=auth).text
    read_side.catch_up()
    deliveries = client.get(
        f"{base}/{hook['id']}/deliveries",
        params={"min_position": hook["position"]},
        headers=auth,
    )
    assert deliveries.status_code == 200 and deliveries.json()["items"] == []
    gone = client.delete(f"{base}/{hook['id']}", headers=auth)
    assert gone.status_code == 200
    assert client.get(base, headers=auth).json()["items"] == []
    assert client.delete(f"{base}/{hook['id']}", headers=auth).status_code == 404


@sqlite_only
def test_the_secret_is_never_recorded_not_even_for_an_idempotency_key(
    cast: Cast, client: TestClient[Any], app: Any
):
    base = f"/api/v1/organisations/{cast.organisation}/webhooks"
    body = {"url": "https://93.184.216.34/hook", "types": ["question.asked"]}
    headers = {**cast.sponsor.auth, "Idempotency-Key": "register-once"}
    first = client.post(base, json=body, headers=headers)
    second = client.post(base, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in second.headers  # not recorded: not replayed
    secrets = [first.json()["secret"], second.json()["secret"]]
    assert secrets[0] != secrets[1]
    log = app.recorder.select_notifications(0, 10**6, inclusive_of_start=False)
    stored = b"".join(bytes(n.state) for n in log)
    assert b"whsec_" not in stored and secrets[0].encode() not in stored
    schema = client.get("/schema/openapi.json").json()
    parameters = schema["paths"]["/api/v1/organisations/{organisation_id}/webhooks"]["post"].get(
        "parameters", []
    )
    assert "Idempotency-Key" not in [p["name"] for p in parameters]
