"""Given-when-then: an organisation's webhooks on its stream."""

from __future__ import annotations

import pytest

from openinno.domain import Organisation
from openinno.domain.errors import AccessDenied, InvalidInput, InvalidState, NotFound
from openinno.domain.webhooks import MAX_ENDPOINTS
from tests.domain.helpers import REVIEWER, SOLVER, SPONSOR, at, given, new_id, recorded


def organisation() -> Organisation:
    o = Organisation(actor_id=SPONSOR, name="Brickworks", timestamp=at())
    o.add_member(SPONSOR, SOLVER, "manager", at())
    o.add_member(SPONSOR, REVIEWER, "legal", at())
    return given(o)  # type: ignore[return-value]


def test_owners_and_managers_register_and_remove_webhooks():
    o = organisation()
    hook = new_id()
    o.register_webhook(SOLVER, hook, " https://hooks.example/in ", ["question.asked"], at(1))
    assert recorded(o) == ["WebhookRegistered"]
    assert o.webhooks[hook].url == "https://hooks.example/in"
    assert o.webhooks[hook].types == ("question.asked",)
    o.remove_webhook(SPONSOR, hook, at(2))
    assert recorded(o) == ["WebhookRemoved"]
    assert o.webhooks == {}
    with pytest.raises(NotFound):
        o.remove_webhook(SPONSOR, hook, at(3))


def test_legal_members_may_not():
    o = organisation()
    with pytest.raises(AccessDenied):
        o.register_webhook(REVIEWER, new_id(), "https://hooks.example/", ["question.asked"], at())
    assert recorded(o) == []


@pytest.mark.parametrize(
    ("url", "types"),
    [
        ("ftp://hooks.example/", ["question.asked"]),
        ("https://user:pw@hooks.example/", ["question.asked"]),
        ("https:///nohost", ["question.asked"]),
        ("https://hooks.example/", []),
        ("https://hooks.example/", ["everything"]),
        ("https://hooks.example/" + "x" * 2000, ["question.asked"]),
    ],
)
def test_addresses_and_types_are_checked(url: str, types: list[str]):
    o = organisation()
    with pytest.raises(InvalidInput):
        o.register_webhook(SPONSOR, new_id(), url, types, at())
    assert recorded(o) == []


def test_at_most_so_many_endpoints():
    o = organisation()
    for _ in range(MAX_ENDPOINTS):
        o.register_webhook(SPONSOR, new_id(), "https://hooks.example/", ["question.asked"], at())
    with pytest.raises(InvalidState):
        o.register_webhook(SPONSOR, new_id(), "https://hooks.example/", ["question.asked"], at())
