from decimal import Decimal

import pytest

from openinno.domain import IpAgreement, Organisation, Review
from openinno.domain.errors import AccessDenied, ConflictOfInterest, InvalidInput, InvalidState
from openinno.domain.values import Criterion, Signature
from tests.domain.helpers import REVIEWER, SOLVER, SPONSOR, at, given, new_id, recorded

CRITERIA = (Criterion("impact", 60), Criterion("cost", 40, 1, 5))


def a_review() -> Review:
    return given(
        Review(
            id=new_id(),
            actor_id=REVIEWER,
            challenge_id=new_id(),
            submission_id=new_id(),
            timestamp=at(),
        )
    )


def test_scores_are_recorded_then_revised():
    review = a_review()
    review.record_scores(
        REVIEWER, CRITERIA, {"impact": Decimal(7), "cost": Decimal(4)}, "Solid", at(31)
    )
    review.record_scores(
        REVIEWER, CRITERIA, {"impact": Decimal("7.5"), "cost": Decimal(4)}, "Better", at(32)
    )
    assert recorded(review) == ["ScoresRecorded", "ScoresRevised"]
    assert review.scores == {"impact": Decimal("7.5"), "cost": Decimal(4)}


@pytest.mark.parametrize(
    "scores",
    [
        {"impact": Decimal(7)},
        {"impact": Decimal(11), "cost": Decimal(3)},
        {"impact": Decimal(5), "cost": Decimal(0)},
        {"impact": Decimal(5), "cost": Decimal(3), "style": Decimal(1)},
    ],
)
def test_every_criterion_is_scored_within_its_range(scores):
    with pytest.raises(InvalidInput):
        a_review().record_scores(REVIEWER, CRITERIA, scores, "", at(31))


def test_a_declared_conflict_ends_scoring():
    review = a_review()
    with pytest.raises(InvalidInput):
        review.declare_conflict(REVIEWER, "  ", at(31))
    review.declare_conflict(REVIEWER, "I know the team", at(31))
    assert recorded(review) == ["ConflictDeclared"]
    with pytest.raises(ConflictOfInterest):
        review.record_scores(
            REVIEWER, CRITERIA, {"impact": Decimal(5), "cost": Decimal(3)}, "", at(31)
        )


def an_agreement(
    template: str = "assignment", payment_required: bool = True, co_assignors=()
) -> IpAgreement:
    return given(draft_agreement(template, payment_required, co_assignors))


def draft_agreement(
    template: str = "assignment", payment_required: bool = True, co_assignors=()
) -> IpAgreement:
    return IpAgreement(
        id=new_id(),
        actor_id=SPONSOR,
        challenge_id=new_id(),
        submission_id=new_id(),
        content_sha256="c" * 64,
        terms_sha256="t" * 64,
        template=template,
        template_version=1,
        text="The agreement text",
        text_sha256="x" * 64,
        assignor_id=SOLVER,
        co_assignor_ids=co_assignors,
        assignee_organisation_id=new_id(),
        place=1,
        amount=Decimal("5000.00"),
        currency="EUR",
        payment_required=payment_required,
        timestamp=at(31),
    )


def sig(signer, text_sha256="x" * 64, name="Ada Lovelace"):
    return Signature(
        signer, name, "I agree to be bound", "password", "127.0.0.1", "test", text_sha256
    )


def test_ownership_transfers_only_after_both_signatures_and_payment():
    agreement = an_agreement()
    assert agreement.state == "awaiting_signature"
    with pytest.raises(InvalidState):
        agreement.countersign(SPONSOR, sig(SPONSOR), at(32))
    agreement.sign(SOLVER, sig(SOLVER), at(32))
    agreement.countersign(SPONSOR, sig(SPONSOR), at(33))
    assert agreement.state == "awaiting_payment"
    agreement.record_payment(SPONSOR, "SEPA-2026-0042", at(34))
    assert recorded(agreement) == [
        "SignedByAssignor",
        "CountersignedByAssignee",
        "ConsiderationPaid",
        "OwnershipTransferred",
    ]
    assert agreement.state == "transferred"


def test_payment_before_countersignature_transfers_at_countersignature():
    agreement = an_agreement()
    agreement.sign(SOLVER, sig(SOLVER), at(32))
    agreement.record_payment(SPONSOR, "REF-1", at(33))
    agreement.countersign(SPONSOR, sig(SPONSOR), at(34))
    assert recorded(agreement)[-1] == "OwnershipTransferred"


def test_a_solver_retains_template_grants_a_licence_without_payment():
    agreement = an_agreement("solver_retains", payment_required=False)
    agreement.sign(SOLVER, sig(SOLVER), at(32))
    agreement.countersign(SPONSOR, sig(SPONSOR), at(33))
    assert recorded(agreement) == ["SignedByAssignor", "CountersignedByAssignee", "LicenceGranted"]


def test_signing_needs_the_text_hash_seen_a_typed_name_and_the_right_person():
    agreement = an_agreement()
    with pytest.raises(InvalidInput):
        agreement.sign(SOLVER, sig(SOLVER, text_sha256="y" * 64), at(32))
    with pytest.raises(InvalidInput):
        agreement.sign(SOLVER, sig(SOLVER, name=" "), at(32))
    with pytest.raises(InvalidState):
        agreement.sign(SPONSOR, sig(SPONSOR), at(32))
    assert recorded(agreement) == []


def test_every_team_member_signs_before_the_sponsor_countersigns():
    teammate = new_id()
    agreement = an_agreement(co_assignors=(teammate,))
    agreement.sign(SOLVER, sig(SOLVER), at(32))
    with pytest.raises(InvalidState):
        agreement.countersign(SPONSOR, sig(SPONSOR), at(33))
    agreement.sign(teammate, sig(teammate), at(33))
    agreement.countersign(SPONSOR, sig(SPONSOR), at(34))


def test_a_disputed_agreement_stops_until_resolved():
    agreement = an_agreement()
    agreement.dispute(SOLVER, "Amount differs from the published prize", at(32))
    with pytest.raises(InvalidState):
        agreement.sign(SOLVER, sig(SOLVER), at(33))
    agreement.rescind(SPONSOR, "Re-issued with the right amount", at(34))
    assert recorded(agreement) == ["Disputed", "Rescinded"]


def test_organisation_roles():
    org = given(Organisation(actor_id=SPONSOR, name="Brickworks", timestamp=at()))
    org.add_member(SPONSOR, SOLVER, "legal", at())
    with pytest.raises(AccessDenied):
        org.add_member(SOLVER, REVIEWER, "manager", at())
    with pytest.raises(InvalidInput):
        org.add_member(SPONSOR, REVIEWER, "janitor", at())
    with pytest.raises(InvalidState):
        org.remove_member(SPONSOR, SPONSOR, at())
    org.remove_member(SPONSOR, SOLVER, at())
    assert recorded(org) == ["MemberAdded", "MemberRemoved"]
