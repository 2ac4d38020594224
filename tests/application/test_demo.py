"""`openinno demo`: the demo story loads on SQLite and PostgreSQL, once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.demo import DEMO_ACCOUNTS, DEMO_CHALLENGES, DEMO_PASSWORD, SPONSOR_EMAIL, load_demo
from openinno.domain import Challenge, IpAgreement, Submission
from openinno.domain.errors import InvalidState
from openinno.settings import Settings

IDEAS = "Brickhaven Ideas: design our next building set"
AD = "Crash the Final : votre pub de 30 secondes"
ENERGY = "Power Your Home: ideas for using less energy at home"
LOGO = "Un logotipo para Encuentros Abiertos"


def created(app: OpenInno, event_class: type[Any]) -> list[Any]:
    """Every aggregate whose created event is `event_class`, found through the log."""
    notifications = app.recorder.select_notifications(
        start=None, limit=100_000, topics=[get_topic(event_class)]
    )
    return [app.repository.get(_uuid(n.originator_id)) for n in notifications]


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def challenges(app: OpenInno) -> dict[str, Challenge]:
    return {c.spec.title: c for c in created(app, Challenge.Drafted)}


def account(app: OpenInno, key: str) -> UUID:
    account_id = app.account_id_for_email(f"{key}@demo.openinno.org")
    assert account_id is not None
    return account_id


@pytest.fixture
def demo(app: OpenInno) -> str:
    return load_demo(app)


def test_loading_prints_every_login_with_the_demo_password_notice(
    app: OpenInno, clock: ManualClock
) -> None:
    before = clock.now()
    text = load_demo(app)
    assert text.startswith("Demo data loaded.")
    for a in DEMO_ACCOUNTS:
        assert a.email in text and a.display_name in text
    assert DEMO_PASSWORD in text
    assert "only because this is demo data" in text
    for title, _ in DEMO_CHALLENGES:
        assert title in text
    # The story ran on its own clock; the application's clock is back, unmoved.
    assert app.clock is clock and clock.now() == before


def test_a_second_run_adds_no_events(app: OpenInno, demo: str) -> None:
    position = app.recorder.max_notification_id()
    assert position is not None and position > 200

    again = load_demo(app)

    assert app.recorder.max_notification_id() == position
    assert again.startswith("Demo data is already loaded; nothing was changed.")
    assert again.endswith(demo.split("\n\n", 1)[1])


def test_every_demo_login_authenticates(app: OpenInno, demo: str) -> None:
    for a in DEMO_ACCOUNTS:
        account_id = app.authenticate(a.email, DEMO_PASSWORD)
        person = app.get_account(account_id)
        assert (person.email, person.display_name) == (a.email, a.display_name)
        assert (person.locale, person.time_zone) == (a.locale, a.time_zone)
        assert person.is_admin == (a.key == "admin")
    assert {a.locale for a in DEMO_ACCOUNTS} == {"en", "pl", "fr", "es", "ru"}


def test_the_four_challenges_have_their_voting_modes_and_states(app: OpenInno, demo: str) -> None:
    found = challenges(app)
    assert set(found) == {IDEAS, AD, ENERGY, LOGO}
    assert len({c.organisation_id for c in found.values()}) == 4

    ideas = found[IDEAS]
    assert ideas.status == "published"
    assert (ideas.spec.voting.mode, ideas.spec.voting.threshold) == ("public", 10_000)
    assert ideas.spec.visibility == "public"
    ideas.require_accepting_submissions(app.clock.now())

    ad = found[AD]
    assert ad.spec.voting.mode == "shortlist_then_public"
    assert ad.status == "published" and len(ad.shortlist) == 3
    for entry in ad.shortlist:
        ad.require_voting_open(entry, app.clock.now())
        assert app.support_count(entry) > 0

    energy = found[ENERGY]
    assert (energy.spec.visibility, energy.spec.ip_terms) == ("private", "assignment")
    assert energy.spec.voting.mode == "none"
    assert energy.terms is not None
    # The deadline was extended after publishing; the accepted terms stay as they were.
    assert energy.spec.closes_at > energy.terms.spec.closes_at
    energy.require_accepting_submissions(app.clock.now())

    logo = found[LOGO]
    assert logo.status == "awarded" and logo.identities_revealed
    assert [a.place for a in logo.awards] == [1, 2]


def test_the_logo_contest_ran_to_transfer_and_one_agreement_waits(app: OpenInno, demo: str) -> None:
    logo = challenges(app)[LOGO]
    place_of = {a.agreement_id: a.place for a in logo.awards}
    agreements = {place_of[a.id]: a for a in created(app, IpAgreement.Drafted)}
    assert set(agreements) == {1, 2}
    winner, runner_up = agreements[1], agreements[2]
    assert winner.state == "transferred"
    assert winner.template == "assignment" and winner.payment_reference
    assert winner.assignor_id == account(app, "solver.es")
    assert runner_up.state == "awaiting_countersignature"
    assert runner_up.assignor_id == account(app, "solver.ru")
    # The legal team sees both agreements; each solver sees their own.
    for agreement in agreements.values():
        assert app.get_agreement(account(app, "legal"), agreement.id) is not None
        assert app.get_agreement(agreement.assignor_id, agreement.id) is not None
    submission = app.get_submission(account(app, "solver.es"), winner.submission_id)
    assert len(submission.versions) == 2 and submission.award_place == 1


def test_every_role_has_something_to_look_at(app: OpenInno, demo: str) -> None:
    found = challenges(app)
    energy, ideas = found[ENERGY], found[IDEAS]
    # A reviewer invitation waits to be accepted; others were accepted.
    assert account(app, "reviewer.es") in energy.invited_reviewers - energy.reviewers
    assert {account(app, "reviewer.en"), account(app, "reviewer.ru")} <= energy.reviewers
    # Questions (one hidden by moderation, with a reason) and announcements.
    assert any(q["hidden"] for q in ideas.questions.values())
    assert all(
        q["answered"] for c in found.values() for q in c.questions.values() if not q["hidden"]
    )
    assert all(c.announcements for c in (found[AD], energy, found[LOGO]))
    # Entries in every challenge, a withdrawn one, a disqualified one, a team entry.
    submissions = created(app, Submission.Submitted)
    by_challenge = {c.id: 0 for c in found.values()}
    for s in submissions:
        by_challenge[s.challenge_id] += 1
    assert all(n >= 4 for n in by_challenge.values())
    assert {"submitted", "withdrawn", "disqualified", "awarded"} <= {s.status for s in submissions}
    assert sum(s.shortlisted for s in submissions) == 3
    assert any(s.team_ids for s in submissions)
    # Files are stored content-addressed next to the events that name them.
    for s in submissions:
        for version, _ in s.versions:
            for f in version.files:
                assert app.files.exists(f.sha256)
    # Public support in the ideas gallery, well below the 10,000 threshold.
    ideas_entries = [s for s in submissions if s.challenge_id == ideas.id]
    assert sum(app.support_count(s.id) for s in ideas_entries) >= 10
    assert not any(s.support_threshold_reached for s in ideas_entries)


def test_the_demo_replays_from_the_store_alone(
    app: OpenInno, demo: str, settings: Settings, clock: ManualClock
) -> None:
    """A fresh application (empty cache) decodes and replays every demo stream."""
    fresh = OpenInno(settings, clock=clock)
    try:
        notifications = app.recorder.select_notifications(start=None, limit=100_000)
        originators = {_uuid(n.originator_id) for n in notifications}
        for originator_id in originators:
            assert (
                fresh.repository.get(originator_id).version
                == app.repository.get(originator_id).version
            )
        assert challenges(fresh).keys() == challenges(app).keys()
    finally:
        fresh.close()


def test_a_half_loaded_demo_is_refused_and_nothing_is_written(app: OpenInno) -> None:
    app.register_account(SPONSOR_EMAIL, DEMO_PASSWORD, "Ingrid Holm")
    position = app.recorder.max_notification_id()

    with pytest.raises(InvalidState, match="stopped part way"):
        load_demo(app)

    assert app.recorder.max_notification_id() == position


def test_the_logo_winner_is_paid_a_royalty_on_merchandise(app: OpenInno, demo: str) -> None:
    """After the win (issue 29): production committed and started, two sales reports,
    a statement computed from them, its payout."""
    from decimal import Decimal

    logo = challenges(app)[LOGO]
    winner = app.get_agreement(account(app, "solver.es"), logo.awards[0].agreement_id)
    assert winner.royalty is not None and winner.royalty.rate_percent == Decimal("5")
    assert "5% of the net sales" in winner.text
    assert winner.production == "in_production"
    assert winner.production_target is not None and winner.production_started is not None
    assert len(winner.sales_reports) == 2
    (statement,) = winner.statements
    assert [(ln.net_sales, ln.royalty) for ln in statement.lines] == [
        (Decimal("3245.00"), Decimal("162.25"))
    ]
    assert statement.settled and len(winner.payouts) == 1
