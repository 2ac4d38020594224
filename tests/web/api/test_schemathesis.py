"""Schemathesis against the served OpenAPI document, in process: every operation
under /api/v1 gets generated requests (valid and invalid), signed in as a sponsor
with seeded data; no answer may be a server error, and every answer must match
the schema.  Bounded so the whole run stays well under a minute."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from openinno.ledger.log import ledger_for
from tests.web.api.conftest import PASSWORD, Cast
from web.api.config import ApiConfig

EXAMPLES_PER_OPERATION = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_config() -> ApiConfig:
    # Random min_position values must not hold a request for long.
    # Sign-ups too: the fuzzer registers many accounts from one address.
    return ApiConfig(
        read_wait_seconds=0.05,
        token_requests=10**6,
        anonymous_requests=10**6,
        signup_requests=10**6,
    )


def _send(client: Any, case: Any, headers: dict[str, str]) -> Any:
    """Serialise the case as the requests library would (multipart included), then send
    the bytes through the app's own in-process test client."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=headers)
    kwargs.pop("timeout", None)
    kwargs.pop("allow_redirects", None)
    kwargs.pop("verify", None)
    prepared = requests.Request(**kwargs).prepare()
    body = prepared.body
    content = body.encode() if isinstance(body, str) else body
    return client.request(
        prepared.method, prepared.url, headers=dict(prepared.headers), content=content
    )


def _explore(client: Any, operation: Any, headers: dict[str, str], known: dict[str, str]) -> None:
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = set(re.findall(r"{(\w+)}", operation.path))
    if names and names <= set(known):
        # Also aim at objects that exist, so requests get past the 404s.
        ids = {name: known[name] for name in names}
        strategies.append(operation.as_strategy(path_parameters=ids))
    cases = st.one_of(*strategies)

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=cases, anonymous=st.booleans())
    def run(case: Any, anonymous: bool) -> None:
        response = _send(client, case, {} if anonymous else headers)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_served_schema_holds_under_generated_requests(cast: Cast, read_side: Any, app: Any):
    client = cast.client
    challenge, terms = cast.open_challenge()
    known = {
        "challenge_id": challenge,
        "submission_id": cast.submit(challenge, terms),
        "organisation_id": cast.organisation,
        "stream_id": challenge,
        "code": "not_found",
    }
    ledger_for(app, create_tables=True).db.close()  # what `openinno migrate` does
    read_side.catch_up()
    raw = client.get("/schema/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    failures: list[str] = []
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        if not operation.path.startswith("/api/v1/"):
            continue
        if operation.path == "/api/v1/me/erasure":
            # Its schema's example is a right password: it would erase the account every
            # later request is made as (tests/web/api/test_personal_data.py covers it).
            continue
        # A fresh token per operation: DELETE /tokens/current revokes the one it is sent with.
        issued = client.post(
            "/api/v1/tokens", json={"email": "sponsor@example.org", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {issued.json()['token']}"}
        try:
            _explore(client, operation, headers, known)
        except (Exception, BaseExceptionGroup) as e:  # report every operation, then fail
            failures.append(f"{operation.method.upper()} {operation.path}: {e}"[:1500])
    assert not failures, "\n\n".join(failures)
