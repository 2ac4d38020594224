from datetime import timedelta

import pytest

from openinno.domain.errors import AccessDenied, InvalidState, SubmissionLimitReached
from tests.support.legacy import entry_naming_coauthors
from tests.support.story import scene


def test_nobody_can_make_themselves_admin_through_the_application(app, clock):
    s = scene(app, clock)
    with pytest.raises(AccessDenied):
        app.grant_admin(s.solver, s.solver)
    app.grant_admin_as_operator(s.public)  # the operator's path: `openinno admin create`
    app.grant_admin(s.public, s.reviewer)
    assert app.get_account(s.reviewer).is_admin
    with pytest.raises(InvalidState):
        app.grant_admin(s.public, s.reviewer)
    with pytest.raises(AccessDenied):
        app.revoke_admin(s.solver, s.reviewer)
    app.revoke_admin(s.public, s.reviewer)
    assert not app.get_account(s.reviewer).is_admin


def test_team_members_count_against_the_limit_too(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    app.confirm_coauthorship(s.other_solver, entry)
    with pytest.raises(SubmissionLimitReached):
        app.submit(s.other_solver, challenge_id, "Solo entry", "Alone.", terms)


def test_every_team_member_is_named_in_the_agreement_and_signs(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    app.confirm_coauthorship(s.other_solver, entry)
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    agreement = app.get_agreement(s.other_solver, agreement_id)
    assert f"Other (account {s.other_solver})" in agreement.text
    assert agreement.authors == (s.solver, s.other_solver)
    # and the winners can still be announced after awarding
    app.post_announcement(s.sponsor, challenge_id, "Congratulations to the winning team!")
