"""Webhooks: deliveries from the log to a real receiver on 127.0.0.1 that checks each
Standard Webhooks signature; retries with back-off, the delivery log and manual
redelivery; private addresses refused at registration and at delivery (a host that
resolves elsewhere by then: DNS rebinding); a removed endpoint hears nothing more;
no author named before the reveal; a rebuild queues nothing twice; and a sender
killed mid-batch loses and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from standardwebhooks.webhooks import Webhook

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain.errors import InvalidInput
from openinno.settings import Settings
from projections.db import Db, open_db
from projections.webhooks import PROJECTION
from tests.support.story import Scene, scene
from tests.support.webhook_receiver import Receiver, receiving
from web.readside import read_side_for, read_store_for
from web.webhooks import outbox, signing
from web.webhooks.sender import WebhookSender
from web.webhooks.ssrf import check_endpoint

sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
ROOT = Path(__file__).resolve().parents[2]
SITE = "site secret for the webhook tests"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as r:
        yield r


@pytest.fixture
def cast(app: OpenInno, clock: ManualClock) -> Scene:
    return scene(app, clock)


def hook_settings(settings: Settings, **changes: Any) -> Settings:
    values: dict[str, Any] = {"webhooks_allow_private": True, "webhook_max_age_hours": 10**6}
    return replace(settings, **{**values, **changes})


def fed(app: OpenInno, settings: Settings) -> Db:
    store = read_store_for(settings)
    side = read_side_for(settings, app, (PROJECTION,), store=store)
    side.setup()
    side.catch_up()
    return open_db(store)


def sender_for(settings: Settings, db: Db, clock: ManualClock, **kw: Any) -> WebhookSender:
    return WebhookSender(settings, db, SITE, now=clock.now, **kw)


def signed_by(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The signature header holds the HMAC of this id, timestamp and body."""
    at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC)
    expected = Webhook(secret).sign(headers["webhook-id"], at, body)
    return expected in headers["webhook-signature"].split(" ")


def test_the_signature_matches_the_specifications_example():
    """The example of the Standard Webhooks specification, through our headers."""
    at = datetime.fromtimestamp(1614265330, tz=UTC)
    made = signing.headers(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        at,
        b'{"test": 2432232314}',
    )
    assert made == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


def test_each_endpoint_has_its_own_secret_derived_from_the_site_key():
    a, b = UUID(int=1), UUID(int=2)
    assert signing.endpoint_secret(SITE, a) == signing.endpoint_secret(SITE, a)
    assert signing.endpoint_secret(SITE, a) != signing.endpoint_secret(SITE, b)
    assert signing.endpoint_secret(SITE, a) != signing.endpoint_secret("another site", a)
    assert signing.endpoint_secret(SITE, a).startswith("whsec_")


@sqlite_only
def test_deliveries_reach_a_real_receiver_signed_once_each_and_name_no_author(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, receiver: Receiver
):
    s = hook_settings(settings)
    hook = app.register_webhook(
        cast.sponsor, cast.organisation, receiver.url, ["submission.received", "question.asked"]
    ).id
    challenge, terms = cast.open_challenge()
    entry = cast.submit(challenge, terms, title="Pendulum park")
    app.ask_question(cast.other_solver, challenge, "May we use gears?")
    app.publish_challenge(cast.sponsor, cast.draft())  # a type it did not ask for
    rival_owner = cast.account("rival")
    rival = app.create_organisation(rival_owner, "Rival").id
    other = app.draft_challenge(rival_owner, rival, cast_spec(cast)).id
    app.publish_challenge(rival_owner, other)  # another organisation's
    db = fed(app, s)
    # The real clock: the library's verify() also checks the timestamp's freshness.
    sender = WebhookSender(s, db, SITE)
    assert sender.catch_up() == 2
    assert sender.catch_up() == 0
    secret = signing.endpoint_secret(SITE, hook)
    bodies = [Webhook(secret).verify(body, headers) for headers, body in receiver.requests]
    assert [b["type"] for b in bodies] == ["submission.received", "question.asked"]
    assert bodies[0]["data"] == {
        "challenge_id": str(challenge),
        "submission_id": str(entry),
        "version": 1,
    }
    raw = b" ".join(body for _, body in receiver.requests).decode()
    for secret_of_the_blind in (str(cast.solver), str(cast.other_solver), "solver@", "Solver"):
        assert secret_of_the_blind not in raw
    ids = [h["webhook-id"] for h, _ in receiver.requests]
    assert len(set(ids)) == 2
    assert outbox.counts(db) == {"delivered": 2}
    # A rebuild of the read model queues nothing again.
    side = read_side_for(s, app, (PROJECTION,), store=read_store_for(s))
    side.rebuild()
    assert sender.catch_up() == 0 and len(receiver.requests) == 2
    db.close()


def cast_spec(cast: Scene) -> Any:
    from tests.support.story import spec_for

    return spec_for(cast.clock)


@sqlite_only
def test_failures_are_retried_with_back_off_logged_and_redelivered_by_hand(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, receiver: Receiver
):
    s = hook_settings(settings)
    hook = app.register_webhook(
        cast.sponsor, cast.organisation, receiver.url, ["challenge.published"]
    ).id
    app.publish_challenge(cast.sponsor, cast.draft())
    db = fed(app, s)
    sender = sender_for(s, db, clock)
    receiver.statuses = [500, 503]
    assert sender.catch_up() == 1
    assert sender.catch_up() == 0  # not due yet
    clock.advance(timedelta(seconds=31))
    assert sender.catch_up() == 1  # refused again
    clock.advance(timedelta(seconds=31))
    assert sender.catch_up() == 0  # the second wait is twice as long
    clock.advance(timedelta(seconds=30))
    assert sender.catch_up() == 1
    (delivery,) = outbox.deliveries(db, str(hook), before=None, limit=10)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3
    log = outbox.attempts_of(db, str(hook), [int(delivery["position"])])
    assert [a["status_code"] for a in log[int(delivery["position"])]] == [500, 503, 200]
    assert log[int(delivery["position"])][0]["error"] == "HTTP 500"
    secret = signing.endpoint_secret(SITE, hook)
    assert all(signed_by(secret, h, b) for h, b in receiver.requests)
    assert len({h["webhook-id"] for h, _ in receiver.requests}) == 1  # one event, same id
    # By hand, again: the same webhook-id, a fourth attempt.
    assert outbox.redeliver(db, str(hook), int(delivery["position"]), clock.now(), 3)
    assert not outbox.redeliver(db, str(hook), int(delivery["position"]), clock.now(), 3)
    assert sender.catch_up() == 1
    assert len(receiver.requests) == 4
    assert len({h["webhook-id"] for h, _ in receiver.requests}) == 1
    (again,) = outbox.deliveries(db, str(hook), before=None, limit=10)
    assert again["status"] == "delivered" and again["attempts"] == 4
    db.close()


@sqlite_only
def test_an_endpoint_that_keeps_failing_is_given_up(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, receiver: Receiver
):
    s = hook_settings(settings)
    app.register_webhook(cast.sponsor, cast.organisation, receiver.url, ["challenge.published"])
    app.publish_challenge(cast.sponsor, cast.draft())
    db = fed(app, s)
    sender = sender_for(s, db, clock)
    receiver.statuses = [500] * 20
    for _ in range(12):
        sender.catch_up()
        clock.advance(timedelta(hours=5))
    assert outbox.counts(db) == {"failed": 1}
    assert len(receiver.requests) == 12
    db.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost/hook",
    ],
)
def test_private_addresses_are_refused_at_registration(url: str):
    with pytest.raises(InvalidInput):
        check_endpoint(url, allow_private=False)
    check_endpoint(url, allow_private=True)  # what the operator's setting allows


def test_public_addresses_are_allowed():
    check_endpoint("https://93.184.216.34/hook", allow_private=False)
    check_endpoint("https://hooks.example/hook", False, lambda host, port: ["2606:4700::1"])
    with pytest.raises(InvalidInput):  # one private address among them is enough
        check_endpoint("https://hooks.example/", False, lambda h, p: ["93.184.216.34", "10.0.0.1"])


@sqlite_only
def test_a_host_that_resolves_to_a_private_address_at_delivery_is_refused(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, receiver: Receiver
):
    """Registered while it resolved to a public address; by delivery time it resolves
    to 127.0.0.1 (DNS rebinding): nothing is sent, the attempt says why.  With private
    addresses allowed, the request goes to the very address resolved."""
    url = f"http://hooks.example:{receiver.port}/hook"
    check_endpoint(url, False, lambda host, port: ["93.184.216.34"])
    app.register_webhook(cast.sponsor, cast.organisation, url, ["challenge.published"])
    app.publish_challenge(cast.sponsor, cast.draft())
    s = hook_settings(settings, webhooks_allow_private=False)
    db = fed(app, s)
    rebound = sender_for(s, db, clock, resolver=lambda host, port: ["127.0.0.1"])
    assert rebound.catch_up() == 1
    assert receiver.requests == []
    (row,) = db.rows("SELECT * FROM wh_attempts")
    assert row["status_code"] is None and "not a global address" in row["error"]
    clock.advance(timedelta(minutes=1))
    allowed = sender_for(
        replace(s, webhooks_allow_private=True), db, clock, resolver=lambda h, p: ["127.0.0.1"]
    )
    assert allowed.catch_up() == 1
    ((headers, _),) = receiver.requests
    assert headers["host"] == f"hooks.example:{receiver.port}"
    assert outbox.counts(db) == {"delivered": 1}
    db.close()


@sqlite_only
def test_a_removed_endpoint_hears_nothing_more(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, receiver: Receiver
):
    s = hook_settings(settings)
    hook = app.register_webhook(
        cast.sponsor, cast.organisation, receiver.url, ["challenge.published"]
    ).id
    app.publish_challenge(cast.sponsor, cast.draft())  # queued, then the endpoint goes
    app.remove_webhook(cast.sponsor, cast.organisation, hook)
    app.publish_challenge(cast.sponsor, cast.draft())  # after: never queued
    db = fed(app, s)
    assert sender_for(s, db, clock).catch_up() == 1
    assert receiver.requests == []
    assert outbox.counts(db) == {"cancelled": 1}
    db.close()


@sqlite_only
def test_a_sender_killed_mid_batch_loses_and_duplicates_nothing(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock, receiver: Receiver
):
    hook = app.register_webhook(
        cast.sponsor, cast.organisation, receiver.url, ["challenge.published"]
    ).id
    for _ in range(10):
        app.publish_challenge(cast.sponsor, cast.draft())
    s = hook_settings(settings)
    db = fed(app, s)
    env = {
        **os.environ,
        "OPENINNO_DATABASE_URL": s.database_url,
        "OPENINNO_DATA_DIR": str(s.data_dir),
        "OPENINNO_SECRET_KEY": SITE,
        "OPENINNO_WEBHOOKS_ALLOW_PRIVATE": "1",
        "OPENINNO_WEBHOOK_MAX_AGE_HOURS": str(10**6),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "webhooks", "send", "--follow", "--lease-seconds", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    receiver.victim, receiver.kill_at = process.pid, 4  # killed waiting on its 4th answer
    try:
        assert process.wait(timeout=60) == -signal.SIGKILL, process.stderr
    finally:
        if process.poll() is None:
            process.kill()
    assert len(receiver.requests) == 3
    assert outbox.counts(db) == {"delivered": 3, "queued": 7}
    later = sender_for(s, db, clock)
    later.now = lambda: clock.now() + timedelta(days=400)  # past the 60 s leases
    assert later.catch_up() == 7
    secret = signing.endpoint_secret(SITE, hook)
    assert all(signed_by(secret, h, b) for h, b in receiver.requests)
    ids = [h["webhook-id"] for h, _ in receiver.requests]
    assert len(ids) == 10 and len(set(ids)) == 10
    published = {json.loads(b)["data"]["challenge_id"] for _, b in receiver.requests}
    assert len(published) == 10
    assert outbox.counts(db) == {"delivered": 10}
    db.close()


def test_two_senders_never_claim_one_delivery(
    app: OpenInno, cast: Scene, settings: Settings, clock: ManualClock
):
    """The queueing and the claim on each store (the PostgreSQL twin): two claimers at
    once split the due deliveries; a lease that ran out is claimed again; a lost lease
    records nothing."""
    import threading

    app.register_webhook(
        cast.sponsor, cast.organisation, "https://93.184.216.34/h", ["challenge.published"]
    )
    for _ in range(6):
        app.publish_challenge(cast.sponsor, cast.draft())
    db = fed(app, hook_settings(settings))
    other = open_db(read_store_for(settings))
    try:
        now, lease = clock.now(), timedelta(minutes=2)
        got: dict[str, list[Any]] = {}

        def claimer(name: str, handle: Db) -> None:
            got[name] = outbox.claim(handle, name, now, lease, 4)

        threads = [
            threading.Thread(target=claimer, args=("a", db)),
            threading.Thread(target=claimer, args=("b", other)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        a, b = ({outbox.key_of(r) for r in got[n]} for n in ("a", "b"))
        assert not a & b and len(a | b) == 6 and max(len(a), len(b)) <= 4
        later = now + lease + timedelta(seconds=1)
        again = outbox.claim(db, "c", later, lease, 10)
        assert {outbox.key_of(r) for r in again} == a | b
        stale = got["a"][0]
        assert not outbox.renew(db, stale, "a", later, lease)
        assert not outbox.finish(db, stale, "a", "delivered", later, {"status_code": 200})
        assert outbox.finish(db, stale, "c", "delivered", later, {"status_code": 200})
        assert outbox.counts(db) == {"delivered": 1, "queued": 5}
        assert len(db.rows("SELECT * FROM wh_attempts")) == 1
    finally:
        other.close()
        db.close()


@sqlite_only
def test_the_follower_that_serve_starts_posts_the_deliveries(
    app: OpenInno, cast: Scene, settings: Settings, receiver: Receiver, monkeypatch
):
    from web.webhooks_cli import start_webhooks

    monkeypatch.setenv("OPENINNO_SECRET_KEY", SITE)
    hook = app.register_webhook(
        cast.sponsor, cast.organisation, receiver.url, ["challenge.published"]
    ).id
    app.publish_challenge(cast.sponsor, cast.draft())
    s = hook_settings(settings)
    fed(app, s).close()
    stop = start_webhooks(s)
    try:
        import threading

        waiting = threading.Event()
        for _ in range(200):
            if receiver.requests:
                break
            waiting.wait(0.05)
    finally:
        stop()
    ((headers, body),) = receiver.requests
    assert signed_by(signing.endpoint_secret(SITE, hook), headers, body)
