"""Personal fields are stored encrypted under their person's key; erasing the person
destroys the key, and every reader then sees "erased" (decision 0032; SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openinno.domain import Account
from openinno.domain.errors import AccessDenied, InvalidInput, InvalidState
from openinno.domain.personal import ERASED
from tests.ledger.test_log_and_audit import raw
from tests.support.story import PASSWORD, scene


def stored_bytes(app) -> bytes:
    return b"".join(bytes(state) for (state,) in raw(app, "SELECT state FROM stored_events"))


def test_names_emails_and_comments_are_stored_encrypted_and_read_back_plain(app, clock):
    s = scene(app, clock)
    alice = s.account("alice")
    challenge_id, _terms = s.open_challenge()
    comment_id = app.comment_on_challenge(alice, challenge_id, "My secret musings").id
    stored = stored_bytes(app)
    assert b"alice@example.org" not in stored
    assert b"Alice" not in stored
    assert b"My secret musings" not in stored
    account = app.repository.get(alice)
    assert (account.email, account.display_name) == ("alice@example.org", "Alice")
    assert app.repository.get(comment_id).text == "My secret musings"
    assert app.authenticate("alice@example.org", PASSWORD) == alice


def test_an_erasure_shreds_the_key_and_readers_see_erased(app, clock, settings):
    s = scene(app, clock)
    alice = s.account("alice")
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    app.support(alice, entry, address="203.0.113.7", user_agent="AliceBrowser/1.0")
    comment_id = app.comment_on_challenge(alice, challenge_id, "My secret musings").id
    with pytest.raises(InvalidInput):
        app.erase_my_personal_data(alice, "wrong password")
    app.erase_my_personal_data(alice, PASSWORD)

    # Another process, with a cold cache, reads the same log.
    from openinno.application import OpenInno

    other = OpenInno(settings, clock=clock)
    try:
        account = other.repository.get(alice)
        assert isinstance(account, Account)
        assert (account.email, account.display_name, account.active) == (ERASED, ERASED, False)
        assert other.repository.get(comment_id).text == ERASED
        payloads = [
            other.mapper.to_payload(n)
            for n in other.recorder.select_notifications(1, 10_000)
            if n.topic.endswith("Vote.Cast")
        ]
        assert [(p["address"], p["user_agent"]) for p in payloads] == [(ERASED, ERASED)]
    finally:
        other.close()
    # Her vote still counts: the next one makes two.
    assert app.support(s.public, entry).support_count == 2
    with pytest.raises(InvalidState):
        app.repository.get(alice).reactivate(s.sponsor, "oops", clock.now())


def test_only_an_admin_erases_another_persons_data(app, clock):
    s = scene(app, clock)
    with pytest.raises(AccessDenied):
        app.erase_personal_data(s.solver, s.public, "because")


def test_data_of_an_erased_person_recorded_later_is_recorded_erased(app, clock):
    s = scene(app, clock)
    alice = s.account("alice")
    app.shred_personal_data(alice, "test")
    clock.advance(timedelta(seconds=1))
    # A late event about her (an operator's script, a race with the erasure).
    account = app.repository.get(alice)
    account.update_profile(alice, "Alice Again", "en", "UTC", clock.now())
    app.save(account)
    assert b"Alice Again" not in stored_bytes(app)
