"""The optional proof of work on sign-up and voting (issue 24): off by default; when
on, a solved challenge this server issued, unexpired, once; the API and the pages
refuse sign-ups and votes without one."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from openinno.clock import ManualClock
from openinno.domain.errors import InvalidInput
from openinno.settings import Settings
from web.proof_of_work import ProofOfWork, load_key, proof_of_work_for, solve

KEY = b"k" * 32


def work(clock: ManualClock, factor: int = 2000) -> ProofOfWork:
    return ProofOfWork(factor, KEY, clock)


def test_off_by_default_and_every_check_passes():
    assert Settings.from_env({}).proof_of_work == 0
    assert Settings.from_env({"OPENINNO_PROOF_OF_WORK": "off"}).proof_of_work == 0
    assert Settings.from_env({"OPENINNO_PROOF_OF_WORK": "50000"}).proof_of_work == 50_000
    with pytest.raises(ValueError):
        Settings.from_env({"OPENINNO_PROOF_OF_WORK": "10"})
    ProofOfWork(0, b"", ManualClock(datetime(2026, 1, 1, tzinfo=UTC))).check(None)


def test_a_solution_works_once_and_until_it_expires():
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    pow_ = work(clock)
    solution = solve(pow_.issue())
    pow_.check(solution)
    with pytest.raises(InvalidInput):
        pow_.check(solution)  # used
    late = solve(pow_.issue())
    clock.advance(timedelta(minutes=11))
    with pytest.raises(InvalidInput):
        pow_.check(late)


@pytest.mark.parametrize("tamper", ["number", "signature", "salt", "garbage", "none"])
def test_a_forged_or_missing_solution_is_refused(tamper):
    pow_ = work(ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
    data = json.loads(base64.b64decode(solve(pow_.issue(number=7))))
    if tamper == "number":
        data["number"] = 8
    elif tamper == "signature":
        data["signature"] = "0" * 64
    elif tamper == "salt":  # a later expiry: the challenge no longer matches
        data["salt"] = data["salt"].replace("expires=", "expires=9")
    sent: str | None = base64.b64encode(json.dumps(data).encode()).decode()
    if tamper == "garbage":
        sent = "not base64 {"
    elif tamper == "none":
        sent = None
    with pytest.raises(InvalidInput) as refused:
        pow_.check(sent)
    assert refused.value.field == "proof_of_work"
    # another server's key: its challenges are not ours
    other = ProofOfWork(2000, b"o" * 32, pow_.clock)
    with pytest.raises(InvalidInput):
        other.check(solve(pow_.issue()))


def test_the_key_is_made_once_and_kept(tmp_path):
    path = tmp_path / "pow.key"
    key = load_key(path)
    assert len(key) == 32 and load_key(path) == key
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def pow_client(app: Any) -> TestClient[Any]:
    from web.app import create_app

    app.settings = dataclasses.replace(app.settings, proof_of_work=2000)
    with TestClient(create_app(app.settings, application=app)) as c:
        yield c


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_api_wants_a_solved_challenge_to_sign_up_and_vote(pow_client, app):
    c = pow_client
    body = {"email": "ada@example.org", "password": "correct horse battery", "display_name": "A"}
    refused = c.post("/api/v1/accounts", json=body)
    assert refused.status_code == 422 and refused.json()["field"] == "proof_of_work"
    challenge = c.get("/api/v1/proof-of-work").json()
    assert challenge["enabled"] is True
    made = c.post(
        "/api/v1/accounts", json=body, headers={"Proof-Of-Work": solve(challenge["challenge"])}
    )
    assert made.status_code == 201, made.text
    # the pages' sign-up form says so, and loads the script that solves it
    page = c.get("/signup").text
    assert "data-proof-of-work" in page and "/static/js/pow.js" in page
    assert proof_of_work_for(app).enabled


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_a_vote_without_a_solved_challenge_is_refused(pow_client, app, clock):
    from tests.support.story import PASSWORD, scene

    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    token, _ = app.issue_token("public@example.org", PASSWORD)
    auth = {"Authorization": f"Bearer {token}"}
    refused = pow_client.put(f"/api/v1/submissions/{entry}/vote", headers=auth)
    assert refused.status_code == 422 and refused.json()["field"] == "proof_of_work"
    assert app.support_count(entry) == 0
    solved = solve(pow_client.get("/api/v1/proof-of-work").json()["challenge"])
    voted = pow_client.put(
        f"/api/v1/submissions/{entry}/vote", headers={**auth, "Proof-Of-Work": solved}
    )
    assert voted.status_code == 200, voted.text
    assert app.support_count(entry) == 1
