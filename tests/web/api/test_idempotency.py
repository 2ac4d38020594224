"""Idempotency-Key: a retry returns the first response and records nothing new."""

from __future__ import annotations

import itertools
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from tests.web.api.conftest import assert_problem, sign_up
from web.api.idempotency import Fingerprint, request_fingerprint

PDF = b"%PDF-1.4 idempotent drawing\n"


def test_a_retried_write_returns_the_first_response_and_records_nothing(app, client):
    ada = sign_up(client, "ada")
    headers = {**ada.auth, "Idempotency-Key": "create-org-1"}
    first = client.post("/api/v1/organisations", json={"name": "Brickworks"}, headers=headers)
    assert first.status_code == 201
    position = app.recorder.max_notification_id()
    again = client.post("/api/v1/organisations", json={"name": "Brickworks"}, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert app.recorder.max_notification_id() == position


def test_the_same_key_with_another_request_is_422(client):
    ada = sign_up(client, "ada")
    headers = {**ada.auth, "Idempotency-Key": "k"}
    client.post("/api/v1/organisations", json={"name": "Brickworks"}, headers=headers)
    assert_problem(
        client.post("/api/v1/organisations", json={"name": "Other"}, headers=headers),
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )


def test_keys_belong_to_their_account(client):
    ada, bob = sign_up(client, "ada"), sign_up(client, "bob")
    body = {"name": "Brickworks"}
    a = client.post(
        "/api/v1/organisations", json=body, headers={**ada.auth, "Idempotency-Key": "k"}
    )
    b = client.post(
        "/api/v1/organisations", json=body, headers={**bob.auth, "Idempotency-Key": "k"}
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_a_final_error_is_replayed_too(app, client):
    ada = sign_up(client, "ada")
    headers = {**ada.auth, "Idempotency-Key": "bad-name"}
    first = client.post("/api/v1/organisations", json={"name": "X"}, headers=headers)
    assert_problem(first, 422, "invalid_input", "name")
    position = app.recorder.max_notification_id()
    again = client.post("/api/v1/organisations", json={"name": "X"}, headers=headers)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"].startswith("application/problem+json")
    assert app.recorder.max_notification_id() == position


def test_a_request_still_in_progress_is_409_with_retry_after(app, client):
    ada = sign_up(client, "ada")
    from web.api.idempotency import request_fingerprint

    body = b'{"name":"Brickworks"}'
    fingerprint = request_fingerprint(
        "POST", "/api/v1/organisations", b"", "application/json", body
    )
    assert app.begin_idempotent_request(UUID(ada.id), "slow", fingerprint) is None
    response = client.post(
        "/api/v1/organisations",
        content=body,
        headers={**ada.auth, "Idempotency-Key": "slow", "content-type": "application/json"},
    )
    assert_problem(response, 409, "concurrent_update")
    assert response.headers["retry-after"] == "1"


def test_a_bad_key_is_422(client):
    ada = sign_up(client, "ada")
    response = client.post(
        "/api/v1/organisations",
        json={"name": "Brickworks"},
        headers={**ada.auth, "Idempotency-Key": "x" * 300},
    )
    assert_problem(response, 422, "invalid_input", "Idempotency-Key")


def test_a_multipart_retry_with_a_new_boundary_is_the_same_request(app, cast):
    challenge_id, terms = cast.open_challenge()
    url = f"/api/v1/challenges/{challenge_id}/submissions"
    fields = {"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms}
    files = [("files", ("plan.pdf", PDF, "application/pdf"))]
    headers = {**cast.solver.auth, "Idempotency-Key": "submit-1"}
    first = cast.client.post(url, data=fields, files=files, headers=headers)
    assert first.status_code == 201, first.text
    position = app.recorder.max_notification_id()
    again = cast.client.post(url, data=fields, files=files, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert app.recorder.max_notification_id() == position


def test_without_a_key_every_request_counts(client):
    ada = sign_up(client, "ada")
    a = client.post("/api/v1/organisations", json={"name": "Brickworks"}, headers=ada.auth)
    b = client.post("/api/v1/organisations", json={"name": "Brickworks"}, headers=ada.auth)
    assert a.json()["id"] != b.json()["id"]


BOUNDARY_PIECES = st.sampled_from(["ab", "aba", "x-x", "b"])


@given(
    BOUNDARY_PIECES,
    st.lists(
        st.one_of(st.sampled_from([b"a", b"b", b"ab", b"aba", b"x-x"]), st.binary(max_size=4))
    ),
    st.lists(st.integers(0, 80)),
)
def test_a_body_fingerprinted_in_chunks_has_the_fingerprint_of_the_whole(boundary, pieces, cuts):
    """The middleware fingerprints a body as it arrives (never whole in memory): any
    cut, a boundary split across chunks included, gives the whole body's fingerprint."""
    body = b"".join(pieces)
    content_type = f"multipart/form-data; boundary={boundary}"
    fingerprint = Fingerprint("POST", "/api/v1/x", b"q=1", content_type)
    points = sorted({min(c, len(body)) for c in cuts} | {0, len(body)})
    for a, b in itertools.pairwise(points):
        fingerprint.update(body[a:b])
    assert fingerprint.hexdigest() == request_fingerprint(
        "POST", "/api/v1/x", b"q=1", content_type, body
    )


def test_a_large_multipart_retry_is_spooled_and_replayed(app, cast):
    """A body over the spool's memory part (1 MiB) reaches the handler whole from disk."""
    challenge_id, terms = cast.open_challenge()
    url = f"/api/v1/challenges/{challenge_id}/submissions"
    fields = {"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms}
    big = b"%PDF-1.4\n" + bytes(range(256)) * 12_000  # about 3 MiB
    files = [("files", ("plan.pdf", big, "application/pdf"))]
    headers = {**cast.solver.auth, "Idempotency-Key": "big-entry"}
    first = cast.client.post(url, data=fields, files=files, headers=headers)
    assert first.status_code == 201, first.text
    again = cast.client.post(url, data=fields, files=files, headers=headers)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    [stored] = app.get_submission(UUID(cast.solver.id), UUID(first.json()["id"])).content.files
    assert app.files.get(stored.sha256) == big
