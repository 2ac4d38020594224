"""Given-when-then: e-mail verification and password resets on the Account stream."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from openinno.domain import Account
from openinno.domain.account import RESET_LINK_TTL, VERIFY_LINK_TTL
from openinno.domain.errors import InvalidState
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from tests.domain.helpers import SOLVER, at, given, recorded

EMAIL = "solver@example.org"


def account() -> Account:
    return Account(
        id=SOLVER,
        actor_id=SOLVER,
        email=EMAIL,
        display_name="Solver",
        locale="en",
        time_zone="UTC",
        password_hash="x",
        timestamp=at(),
    )


def replayed(a: Account, events: list) -> Account:
    """The account rebuilt from its events, as the store would."""
    mapper = MsgspecMapper(MsgspecTranscoder())
    aggregate = None
    for e in events:
        aggregate = mapper.to_domain_event(mapper.to_stored_event(e)).mutate(aggregate)
    assert isinstance(aggregate, Account)
    return aggregate


def test_a_link_before_it_expires_verifies_once():
    a = given(account())
    assert not a.email_is_verified
    a.verify_email(SOLVER, EMAIL, at() + VERIFY_LINK_TTL, at(1))
    assert recorded(a) == ["EmailVerified"]
    assert a.email_is_verified
    a.verify_email(SOLVER, EMAIL, at() + VERIFY_LINK_TTL, at(1.5))
    assert recorded(a) == []  # followed twice: nothing more


def test_an_expired_link_or_another_address_verifies_nothing():
    a = given(account())
    with pytest.raises(InvalidState, match="expired"):
        a.verify_email(
            SOLVER, EMAIL, at() + VERIFY_LINK_TTL, at() + VERIFY_LINK_TTL + timedelta(seconds=1)
        )
    with pytest.raises(InvalidState, match="another"):
        a.verify_email(SOLVER, "other@example.org", at() + VERIFY_LINK_TTL, at(1))
    assert recorded(a) == [] and not a.email_is_verified


def test_the_link_is_asked_for_again_until_verified():
    a = given(account())
    a.request_email_verification(SOLVER, at(1))
    assert recorded(a) == ["EmailVerificationRequested"]
    a.verify_email(SOLVER, EMAIL, at(1) + VERIFY_LINK_TTL, at(1))
    given(a)
    with pytest.raises(InvalidState):
        a.request_email_verification(SOLVER, at(2))


def test_a_reset_is_used_once_and_the_event_names_it():
    a = account()
    first, second = uuid4(), uuid4()
    a.request_password_reset(SOLVER, first, at(1))
    a.request_password_reset(SOLVER, second, at(1))
    a.reset_password(SOLVER, first, "new hash", at(1) + timedelta(minutes=5))
    events = list(a.collect_events())
    assert [type(e).__name__ for e in events][-1] == "PasswordChanged"
    assert events[-1].reset_id == first
    assert a.password_hash == "new hash"
    # Used: refused again; and the other link asked for before it is dead too.
    for reset in (first, second):
        with pytest.raises(InvalidState, match="already used"):
            a.reset_password(SOLVER, reset, "again", at(1) + timedelta(minutes=6))
    # The same holds for the account rebuilt from its events.
    again = replayed(a, events)
    assert again.pending_resets == ()
    with pytest.raises(InvalidState):
        again.reset_password(SOLVER, first, "again", at(1) + timedelta(minutes=6))


def test_an_expired_reset_changes_nothing():
    a = account()
    reset = uuid4()
    a.request_password_reset(SOLVER, reset, at(1))
    given(a)
    with pytest.raises(InvalidState, match="expired"):
        a.reset_password(SOLVER, reset, "h", at(1) + RESET_LINK_TTL + timedelta(seconds=1))
    assert recorded(a) == [] and a.password_hash == "x"


def test_a_password_changed_payload_without_a_reset_id_still_loads():
    a = given(account())
    a.change_password(SOLVER, "h2", at(1))
    (event,) = a.collect_events()
    mapper = MsgspecMapper(MsgspecTranscoder())
    stored = mapper.to_stored_event(event)
    payload = json.loads(stored.state)
    payload.pop("reset_id")
    again = mapper.to_domain_event(replace(stored, state=json.dumps(payload).encode()))
    assert again.reset_id is None and again.password_hash == "h2"
