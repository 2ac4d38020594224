from uuid import uuid4

import pytest

from openinno.domain.errors import (
    AccessDenied,
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidInput,
    NotFound,
)
from tests.support.story import PASSWORD, scene, spec_for


def test_register_normalises_the_email_and_hashes_with_argon2id(app):
    account = app.register_account("  Ada@Example.ORG ", PASSWORD, "Ada", "pl", "Europe/Warsaw")
    stored = app.get_account(account.id)
    assert stored.email == "ada@example.org"
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert app.authenticate("ADA@example.org", PASSWORD) == account.id


def test_one_email_one_account(app):
    app.register_account("ada@example.org", PASSWORD, "Ada")
    before = app.recorder.max_notification_id()
    with pytest.raises(EmailAlreadyRegistered):
        app.register_account("ADA@example.org", PASSWORD, "Ada again")
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("email", "password", "name", "locale", "zone", "field"),
    [
        ("not-an-email", PASSWORD, "Ada", "en", "UTC", "email"),
        ("a@example.org", "short", "Ada", "en", "UTC", "password"),
        ("a@example.org", PASSWORD, " ", "en", "UTC", "display_name"),
        ("a@example.org", PASSWORD, "Ada", "xx", "UTC", "locale"),
        ("a@example.org", PASSWORD, "Ada", "en", "Mars/Olympus", "time_zone"),
    ],
)
def test_bad_registrations_write_nothing(app, email, password, name, locale, zone, field):
    with pytest.raises(InvalidInput) as refused:
        app.register_account(email, password, name, locale, zone)
    assert refused.value.field == field
    assert app.recorder.max_notification_id() in (None, 0)


def test_wrong_password_and_unknown_email_look_the_same(app):
    app.register_account("ada@example.org", PASSWORD, "Ada")
    with pytest.raises(InvalidCredentials) as wrong:
        app.authenticate("ada@example.org", "wrong password!")
    with pytest.raises(InvalidCredentials) as unknown:
        app.authenticate("nobody@example.org", PASSWORD)
    assert wrong.value.message == unknown.value.message


def test_deactivated_accounts_cannot_act_or_sign_in(app):
    account = app.register_account("ada@example.org", PASSWORD, "Ada").id
    app.deactivate_account(account, account, "leaving")
    with pytest.raises(InvalidCredentials):
        app.authenticate("ada@example.org", PASSWORD)
    with pytest.raises(AccessDenied):
        app.create_organisation(account, "Ada's Lab")


def test_a_manager_of_one_organisation_cannot_touch_another_organisations_challenge(app, clock):
    s = scene(app, clock)
    challenge_id = s.draft()
    rival = s.account("rival")
    rival_org = app.create_organisation(rival, "Rival Inc").id
    assert rival_org
    # A draft is invisible to outsiders: not found, not forbidden.
    with pytest.raises(NotFound):
        app.publish_challenge(rival, challenge_id)
    app.publish_challenge(s.sponsor, challenge_id)
    with pytest.raises(AccessDenied):
        app.post_announcement(rival, challenge_id, "We own this now")
    with pytest.raises(AccessDenied):
        app.invite_reviewer(rival, challenge_id, rival)
    with pytest.raises(AccessDenied):
        app.draft_challenge(rival, s.organisation, spec_for(clock))


def test_legal_members_cannot_run_challenges_but_managers_can(app, clock):
    s = scene(app, clock)
    legal, manager = s.account("legal"), s.account("manager")
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    app.add_member(s.sponsor, s.organisation, manager, "manager")
    with pytest.raises(AccessDenied):
        app.draft_challenge(legal, s.organisation, spec_for(clock))
    challenge_id = app.draft_challenge(manager, s.organisation, spec_for(clock)).id
    app.publish_challenge(manager, challenge_id)
    with pytest.raises(AccessDenied):
        app.add_member(manager, s.organisation, s.solver, "manager")


def test_unknown_ids_are_not_found(app, clock):
    s = scene(app, clock)
    with pytest.raises(NotFound):
        app.publish_challenge(s.sponsor, uuid4())
    with pytest.raises(NotFound):
        # an account id is not a challenge id
        app.publish_challenge(s.sponsor, s.solver)
    with pytest.raises(InvalidInput):
        app.add_member(s.sponsor, s.organisation, uuid4(), "legal")


def test_a_non_member_changing_an_organisations_members_gets_not_found_without_its_name(app, clock):
    # Issue 19 (minor): the refusal named the organisation to someone outside it.
    s = scene(app, clock)
    for change in (
        lambda: app.add_member(s.solver, s.organisation, s.other_solver, "manager"),
        lambda: app.remove_member(s.solver, s.organisation, s.sponsor),
    ):
        with pytest.raises(NotFound) as refused:
            change()
        assert refused.value.message == f"No organisation with id {s.organisation}."
        assert "Brickworks" not in refused.value.message
