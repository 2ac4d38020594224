"""The OpenAPI document is generated from the code and browsable."""

from __future__ import annotations

import re


def test_openapi_31_lists_the_api_with_bearer_auth_and_problem_responses(client):
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    for path in (
        "/api/v1/accounts",
        "/api/v1/tokens",
        "/api/v1/tokens/current",
        "/api/v1/me",
        "/api/v1/challenges/{challenge_id}",
        "/api/v1/challenges/{challenge_id}/submissions",
        "/api/v1/submissions/{submission_id}/vote",
        "/api/v1/agreements/{agreement_id}/countersign",
    ):
        assert path in paths, path
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    me = paths["/api/v1/me"]["get"]
    assert me["security"] == [{"bearer": []}]
    assert "application/problem+json" in me["responses"]["401"]["content"]
    submit = paths["/api/v1/challenges/{challenge_id}/submissions"]["post"]
    assert set(submit["requestBody"]["content"]) == {"application/json", "multipart/form-data"}


def test_the_api_reference_comes_from_this_origin_under_a_content_security_policy(client):
    """Issue 19, finding 13: /schema loaded an unpinned Scalar from a CDN, with no
    integrity and no CSP, on the origin of the session cookie."""
    page = client.get("/schema")
    assert page.status_code == 200 and "<html" in page.text.lower()
    linked = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", page.text)
    assert "/static/vendor/scalar/standalone.js" in linked
    assert all(url.startswith("/") and not url.startswith("//") for url in linked), linked
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page.text), page.text
    assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))", page.text)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    # The Swagger UI Litestar offers loads from a CDN too: not served.
    assert client.get("/schema/swagger").status_code == 404


def test_every_request_body_has_an_example(client):
    doc = client.get("/schema/openapi.json").json()
    missing = [
        f"{method.upper()} {path} ({media_type})"
        for path, operations in doc["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items()
        if not media.get("examples") and "example" not in media
    ]
    assert not missing, missing


def test_lists_take_a_cursor_and_reads_a_min_position(client):
    doc = client.get("/schema/openapi.json").json()
    for path in (
        "/api/v1/challenges",
        "/api/v1/challenges/{challenge_id}/submissions",
        "/api/v1/reviews",
        "/api/v1/challenges/{challenge_id}/ranking",
        "/api/v1/agreements",
        "/api/v1/submissions/{submission_id}/chain-of-title",
        "/api/v1/streams/{stream_id}/history",
    ):
        names = {p["name"] for p in doc["paths"][path]["get"]["parameters"]}
        assert {"cursor", "limit", "min_position"} <= names, path
        assert "429" in doc["paths"][path]["get"]["responses"]


def test_every_signed_in_write_documents_idempotency_key(client):
    doc = client.get("/schema/openapi.json").json()
    writes = [
        (method, path, operation)
        for path, operations in doc["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(writes) > 20
    for method, path, operation in writes:
        headers = {p["name"]: p for p in operation.get("parameters", []) if p.get("in") == "header"}
        if path in (
            "/api/v1/accounts",
            "/api/v1/tokens",
            "/api/v1/password-resets",
            "/api/v1/password-resets/use",
        ):
            # Anonymous: the key would be ignored, so it is not offered.
            assert "Idempotency-Key" not in headers, path
            continue
        if (method, path) == ("post", "/api/v1/organisations/{organisation_id}/webhooks"):
            # Its answer holds a secret shown once: never recorded, so no key is offered
            # (web/api/__init__.py UNRECORDED_WRITES).
            assert "Idempotency-Key" not in headers, path
            continue
        key = headers.get("Idempotency-Key")
        assert key is not None, (method, path)
        assert key["required"] is False and key["schema"]["maxLength"] == 255
        assert {"409", "422", "429"} <= set(operation["responses"]), (method, path)
