from decimal import Decimal

import pytest
from msgspec.structs import replace

from openinno.domain import Challenge
from openinno.domain.errors import InvalidInput, InvalidState, WindowClosed
from openinno.domain.values import (
    Award,
    ChallengeSpec,
    Criterion,
    Prize,
    Voting,
    canonical_json,
    parse_money,
    sha256_hex,
    validate_spec,
)
from tests.domain.helpers import ORG, REVIEWER, SOLVER, SPONSOR, at, given, new_id, recorded


def a_spec(**changes) -> ChallengeSpec:
    spec = ChallengeSpec(
        title="Cleaner water for small towns",
        brief="Low-cost filtration that a town of 5,000 can run.",
        prizes=(Prize(1, Decimal("10000.00"), "USD"), Prize(2, Decimal("2500"), "USD")),
        criteria=(Criterion("impact", 50), Criterion("cost", 30), Criterion("clarity", 20)),
        opens_at=at(1),
        closes_at=at(30),
        review_ends_at=at(45),
        max_submissions_per_solver=2,
        visibility="public",
        voting=Voting("public", 10_000),
    )
    return replace(spec, **changes)


def a_draft(**changes) -> Challenge:
    return given(
        Challenge(actor_id=SPONSOR, organisation_id=ORG, spec=a_spec(**changes), timestamp=at())
    )


def a_published(**changes) -> Challenge:
    challenge = a_draft(**changes)
    challenge.publish(SPONSOR, at())
    return given(challenge)


class TestDrafting:
    def test_drafting_records_drafted_with_actor_and_clock_time(self):
        challenge = Challenge(actor_id=SPONSOR, organisation_id=ORG, spec=a_spec(), timestamp=at())
        events = challenge.collect_events()
        assert [type(e).__name__ for e in events] == ["Drafted"]
        assert events[0].actor_id == SPONSOR
        assert events[0].timestamp == at()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"criteria": (Criterion("a", 50), Criterion("b", 40))}, "criteria"),
            ({"criteria": (Criterion("a", 50), Criterion("a", 50))}, "criteria"),
            ({"criteria": (Criterion("a", 110), Criterion("b", -10))}, "criteria"),
            ({"criteria": ()}, "criteria"),
            ({"closes_at": at(0.5)}, "closes_at"),
            ({"review_ends_at": at(29)}, "review_ends_at"),
            ({"prizes": ()}, "prizes"),
            ({"prizes": (Prize(1, Decimal("10.001"), "EUR"),)}, "prizes"),
            ({"prizes": (Prize(1, Decimal("10"), "euro"),)}, "currency"),
            ({"prizes": (Prize(2, Decimal("10"), "EUR"),)}, "prizes"),
            ({"title": "x"}, "title"),
            ({"brief": "  "}, "brief"),
            ({"max_submissions_per_solver": 0}, "max_submissions_per_solver"),
            ({"visibility": "private"}, "voting"),
            ({"voting": Voting("public", None)}, "voting"),
            ({"language": "de"}, "language"),
        ],
    )
    def test_bad_specs_are_refused_naming_the_field(self, changes, field):
        with pytest.raises(InvalidInput) as refused:
            validate_spec(a_spec(**changes))
        assert refused.value.field == field

    def test_editing_a_draft_replaces_the_spec(self):
        challenge = a_draft()
        challenge.edit_draft(SPONSOR, a_spec(title="Cleaner water, v2"), at(0.1))
        assert recorded(challenge) == ["DraftEdited"]
        assert challenge.spec.title == "Cleaner water, v2"

    def test_a_discarded_draft_takes_nothing_more(self):
        # Given a draft, when its organisation discards it,
        challenge = a_draft()
        challenge.discard_draft(SPONSOR, at(0.1))
        # then the stream records it and nothing else happens to it.
        assert recorded(challenge) == ["DraftDiscarded"]
        assert challenge.status == "discarded"
        with pytest.raises(InvalidState):
            challenge.edit_draft(SPONSOR, a_spec(title="Back again"), at(0.2))
        with pytest.raises(InvalidState):
            challenge.publish(SPONSOR, at(0.2))

    def test_a_published_challenge_is_cancelled_not_discarded(self):
        challenge = a_published()
        with pytest.raises(InvalidState):
            challenge.discard_draft(SPONSOR, at(0.1))


class TestMoney:
    def test_amounts_are_decimals_within_the_currency_minor_units(self):
        assert parse_money("12.50", "EUR") == Decimal("12.50")
        assert parse_money("1000", "JPY") == Decimal("1000")
        assert parse_money("1.125", "KWD") == Decimal("1.125")

    @pytest.mark.parametrize(
        ("amount", "currency"),
        [("1.5", "JPY"), ("1.001", "EUR"), ("-1", "EUR"), ("abc", "EUR"), ("NaN", "EUR")],
    )
    def test_bad_amounts_are_refused(self, amount, currency):
        with pytest.raises(InvalidInput):
            parse_money(amount, currency)

    def test_floats_are_refused(self):
        with pytest.raises(InvalidInput):
            parse_money(1.5, "EUR")  # type: ignore[arg-type]


class TestPublishing:
    def test_publish_freezes_the_terms_and_records_their_hash(self):
        challenge = a_draft()
        challenge.publish(SPONSOR, at())
        assert recorded(challenge) == ["Published"]
        assert challenge.terms is not None
        assert challenge.terms_sha256 == sha256_hex(canonical_json(challenge.terms))
        assert challenge.terms.ip_template == "assignment"

    def test_the_terms_hash_is_stable_for_the_same_terms(self):
        one, two = a_draft(), a_draft()
        one.publish(SPONSOR, at())
        two.publish(SPONSOR, at())
        # Different challenge ids, so different hashes; same challenge re-hashed: same hash.
        assert one.terms_sha256 != two.terms_sha256
        assert one.terms_sha256 == sha256_hex(canonical_json(one.terms))

    def test_published_terms_cannot_be_edited(self):
        challenge = a_published()
        with pytest.raises(InvalidState):
            challenge.edit_draft(SPONSOR, a_spec(title="Changed after publish"), at(2))
        assert recorded(challenge) == []

    def test_cannot_publish_twice_or_after_the_closing_date(self):
        with pytest.raises(InvalidState):
            a_published().publish(SPONSOR, at())
        with pytest.raises(InvalidInput):
            a_draft().publish(SPONSOR, at(31))


class TestAfterPublish:
    def test_deadlines_only_extend_and_always_with_a_note(self):
        challenge = a_published()
        with pytest.raises(InvalidInput):
            challenge.extend_deadline(SPONSOR, at(20), new_id(), "Shorter", at(2))
        with pytest.raises(InvalidInput):
            challenge.extend_deadline(SPONSOR, at(40), new_id(), "   ", at(2))
        challenge.extend_deadline(SPONSOR, at(40), new_id(), "Two more weeks for everyone.", at(2))
        assert recorded(challenge) == ["DeadlineExtended"]
        assert challenge.spec.closes_at == at(40)
        assert challenge.spec.review_ends_at == at(55)
        # the accepted terms stay as published
        assert challenge.terms is not None and challenge.terms.spec.closes_at == at(30)

    def test_questions_answers_and_moderation_are_events(self):
        challenge = a_published()
        question = new_id()
        challenge.ask_question(SOLVER, question, "Can teams enter?", at(2))
        challenge.answer_question(SPONSOR, question, "Yes, up to five people.", at(3))
        challenge.hide_question(SPONSOR, question, "Contained a phone number", at(4))
        assert recorded(challenge) == ["QuestionAsked", "QuestionAnswered", "QuestionHidden"]
        with pytest.raises(InvalidState):
            challenge.answer_question(SPONSOR, question, "Again", at(5))
        with pytest.raises(InvalidInput):
            challenge.answer_question(SPONSOR, new_id(), "Unknown question", at(5))

    def test_reviewers_must_be_invited_then_accept(self):
        challenge = a_published()
        with pytest.raises(InvalidState):
            challenge.accept_reviewer_invitation(REVIEWER, at(2))
        challenge.invite_reviewer(SPONSOR, REVIEWER, at(2))
        challenge.accept_reviewer_invitation(REVIEWER, at(3))
        assert recorded(challenge) == ["ReviewerInvited", "ReviewerAccepted"]
        challenge.require_reviewing(REVIEWER, at(31))
        with pytest.raises(WindowClosed):
            challenge.require_reviewing(REVIEWER, at(45))

    def test_submission_window_follows_the_clock(self):
        challenge = a_published()
        with pytest.raises(WindowClosed):
            challenge.require_accepting_submissions(at(0.5))
        challenge.require_accepting_submissions(at(1))
        challenge.require_accepting_submissions(at(29.99))
        with pytest.raises(WindowClosed):
            challenge.require_accepting_submissions(at(30))

    def test_cancel_needs_a_reason_and_stops_everything(self):
        challenge = a_published()
        with pytest.raises(InvalidInput):
            challenge.cancel(SPONSOR, " ", at(2))
        challenge.cancel(SPONSOR, "Sponsor withdrew funding.", at(2))
        assert recorded(challenge) == ["Cancelled"]
        with pytest.raises(InvalidState):
            challenge.require_accepting_submissions(at(3))


def scored(*awards: Award) -> dict:
    """Every awarded version scored by some reviewer."""
    return {a.submission_id: {a.content_sha256} for a in awards}


def an_award(submission_id, place) -> Award:
    return Award(submission_id, place, new_id(), content_sha256="c" * 64, version=1)


class TestAwards:
    def test_award_only_after_review_ends_and_each_place_once(self):
        challenge = a_published()
        one, two = new_id(), new_id()
        for moment in (at(10), at(31)):
            with pytest.raises(WindowClosed):
                challenge.award(SPONSOR, (an_award(one, 1),), moment, scored(an_award(one, 1)))
        for awards in (
            (an_award(one, 1), an_award(two, 1)),
            (an_award(one, 3),),
            (an_award(one, 1), an_award(one, 2)),
        ):
            with pytest.raises(InvalidInput):
                challenge.award(SPONSOR, awards, at(45), scored(*awards))
        awards = (an_award(one, 1), an_award(two, 2))
        challenge.award(SPONSOR, awards, at(45), scored(*awards))
        assert recorded(challenge) == ["WinnersAwarded"]
        with pytest.raises(InvalidState):
            challenge.award(SPONSOR, (an_award(one, 1),), at(46), scored(an_award(one, 1)))

    def test_identities_are_revealed_only_after_awards(self):
        challenge = a_published()
        with pytest.raises(InvalidState):
            challenge.reveal_identities(SPONSOR, at(31))
        award = an_award(new_id(), 1)
        challenge.award(SPONSOR, (award,), at(45), scored(award))
        challenge.reveal_identities(SPONSOR, at(46))
        assert recorded(challenge) == ["WinnersAwarded", "IdentitiesRevealed"]

    def test_shortlist_then_public_vote_opens_only_for_shortlisted_entries(self):
        challenge = a_published(voting=Voting("shortlist_then_public", None))
        chosen, other = new_id(), new_id()
        with pytest.raises(WindowClosed):
            challenge.publish_shortlist(SPONSOR, (chosen,), at(10))
        challenge.publish_shortlist(SPONSOR, (chosen,), at(31))
        assert recorded(challenge) == ["ShortlistPublished"]
        challenge.require_voting_open(chosen, at(32))
        with pytest.raises(InvalidState):
            challenge.require_voting_open(other, at(32))
        with pytest.raises(WindowClosed):
            challenge.require_voting_open(chosen, at(45))
