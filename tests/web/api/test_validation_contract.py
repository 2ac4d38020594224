"""Each validation error of every JSON body, from the served schema: a missing
required field, an unknown field and a value of the wrong type are each a 422
problem naming the field, and nothing is recorded.  A new endpoint is covered
without a line here (its body has an example: test_openapi checks that)."""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import pytest

from tests.web.api.conftest import assert_problem, sign_up

WRONG = [[{"x": 1}]]  # no field of any body takes a list of lists


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _json_bodies(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path, operations in doc["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None:
                continue
            example = next(iter(media["examples"].values()))["value"]
            found.append((method, path, _resolve(doc, media["schema"]), example))
    return found


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_every_body_field_fails_alone_with_a_422_naming_it(client, app):
    doc = client.get("/schema/openapi.json").json()
    user = sign_up(client, "ada")
    bodies = _json_bodies(doc)
    assert len(bodies) > 15
    position = app.recorder.max_notification_id()
    checked = 0
    for method, path, schema, example in bodies:
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)

        def send(body: Any, url: str = url, method: str = method) -> Any:
            return client.request(method.upper(), url, json=body, headers=user.auth)

        for name in schema.get("required", []):
            body = copy.deepcopy(example)
            body.pop(name, None)
            assert_problem(send(body), 422, "invalid_body", field=name)
            checked += 1
        for name in schema.get("properties", {}):
            body = {**copy.deepcopy(example), name: WRONG}
            got = assert_problem(send(body), 422, "invalid_body")
            assert got["field"].split("[")[0].split(".")[0] == name, (method, path, got)
            checked += 1
        got = assert_problem(send({**example, "colour": "blue"}), 422, "invalid_body")
        assert got["field"] == "colour", (method, path, got)
    assert checked > 50
    # Refused before any command ran.
    assert app.recorder.max_notification_id() == position
