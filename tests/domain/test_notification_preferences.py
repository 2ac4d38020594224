"""Given-when-then: e-mail preferences per notification kind on the Account stream."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from openinno.domain import Account
from openinno.domain.errors import InvalidInput, InvalidState
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from tests.domain.helpers import SOLVER, at, given, recorded


def account() -> Account:
    return Account(
        id=SOLVER,
        actor_id=SOLVER,
        email="solver@example.org",
        display_name="Solver",
        locale="pl",
        time_zone="Europe/Warsaw",
        password_hash="x",
        timestamp=at(),
    )


def test_a_preference_is_recorded_once_and_read_back():
    a = given(account())
    assert a.mail_preferences == {}
    a.set_notification_preference(SOLVER, "announcement", "off", at(1))
    assert recorded(a) == ["NotificationPreferenceSet"]
    assert a.mail_preferences == {"announcement": "off"}
    # the same again: nothing to record (a second click on an unsubscribe link)
    a.set_notification_preference(SOLVER, "announcement", "off", at(2), unsubscribed=True)
    assert recorded(a) == []
    # back to the default
    a.set_notification_preference(SOLVER, "announcement", "instant", at(3))
    assert recorded(a) == ["NotificationPreferenceSet"]
    assert a.mail_preferences == {"announcement": "instant"}


@pytest.mark.parametrize(("kind", "mail"), [("gossip", "off"), ("awarded", "weekly")])
def test_unknown_kinds_and_modes_are_refused(kind: str, mail: str):
    a = given(account())
    with pytest.raises(InvalidInput):
        a.set_notification_preference(SOLVER, kind, mail, at(1))
    assert recorded(a) == []


def test_a_deactivated_account_sets_nothing():
    a = given(account())
    a.deactivate(SOLVER, "", at(1))
    given(a)
    with pytest.raises(InvalidState):
        a.set_notification_preference(SOLVER, "awarded", "off", at(2))


def test_a_payload_without_the_optional_field_still_loads():
    """``unsubscribed`` is optional: a payload written without it decodes to False."""
    a = given(account())
    a.set_notification_preference(SOLVER, "awarded", "off", at(1))
    (event,) = a.collect_events()
    mapper = MsgspecMapper(MsgspecTranscoder())
    stored = mapper.to_stored_event(event)
    payload = json.loads(stored.state)
    payload.pop("unsubscribed")
    again = mapper.to_domain_event(replace(stored, state=json.dumps(payload).encode()))
    assert again.unsubscribed is False and again.kind == "awarded"
