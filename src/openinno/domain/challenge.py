"""Challenges: drafted by a sponsor, published with frozen terms, then run."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from msgspec.structs import replace

from openinno.domain import limits
from openinno.domain.errors import (
    ConflictOfInterest,
    InvalidInput,
    InvalidState,
    Term,
    UnreviewedVersion,
    WindowClosed,
)
from openinno.domain.ip_templates import current_template
from openinno.domain.values import (
    Award,
    ChallengeSpec,
    ChallengeTerms,
    Criterion,
    sha256_hex,
    terms_document,
    validate_spec,
)


def check_text(text: str, field: str = "text") -> str:
    """A question, answer, announcement or reason (limits.TEXTS["message"])."""
    if isinstance(text, str) and not text.strip():
        raise InvalidInput("Write something first.", field=field)
    return limits.check_text(text, "message", field)


class Challenge(Aggregate):
    # Streams replayed from before review could be closed early have no such attribute.
    review_closed_early = False
    # Announcements a moderator hid (issue 24).
    hidden_announcements: tuple[UUID, ...] = ()

    class Drafted(Aggregate.Created):
        actor_id: UUID
        organisation_id: UUID
        spec: ChallengeSpec

    @event(Drafted)
    def __init__(
        self, actor_id: UUID, organisation_id: UUID, spec: ChallengeSpec, timestamp: datetime
    ) -> None:
        self.organisation_id = organisation_id
        self.spec = spec
        self.status = "draft"
        self.terms: ChallengeTerms | None = None
        self.terms_sha256: str | None = None
        self.questions: dict[UUID, dict[str, object]] = {}
        self.announcements: list[UUID] = []
        self.invited_reviewers: set[UUID] = set()
        self.reviewers: set[UUID] = set()
        self.shortlist: tuple[UUID, ...] = ()
        self.awards: tuple[Award, ...] = ()
        self.identities_revealed = False
        self.cancel_reason = ""

    @staticmethod
    def check_spec(spec: ChallengeSpec) -> None:
        validate_spec(spec)

    class DraftEdited(Aggregate.Event):
        actor_id: UUID
        spec: ChallengeSpec

    def edit_draft(self, actor_id: UUID, spec: ChallengeSpec, at: datetime) -> None:
        if self.status != "draft":
            raise InvalidState("Published terms are frozen; post an announcement instead.")
        validate_spec(spec)
        self._draft_edited(actor_id, spec, at)

    @event(DraftEdited)
    def _draft_edited(self, actor_id: UUID, spec: ChallengeSpec, timestamp: datetime) -> None:
        self.spec = spec

    class DraftDiscarded(Aggregate.Event):
        """A draft its organisation no longer wants: gone from every page and list.
        The stream stays (events are forever); nothing else can happen to it."""

        actor_id: UUID

    def discard_draft(self, actor_id: UUID, at: datetime) -> None:
        if self.status != "draft":
            raise InvalidState(
                "Only a draft can be deleted; a published challenge is cancelled instead."
            )
        self._draft_discarded(actor_id, at)

    @event(DraftDiscarded)
    def _draft_discarded(self, actor_id: UUID, timestamp: datetime) -> None:
        self.status = "discarded"

    class Published(Aggregate.Event):
        actor_id: UUID
        terms: ChallengeTerms
        terms_sha256: str

    def publish(self, actor_id: UUID, at: datetime) -> None:
        if self.status != "draft":
            raise InvalidState("Only a draft can be published.")
        if self.spec.closes_at <= at:
            raise InvalidInput("The closing date has already passed.", field="closes_at")
        template = current_template(self.spec.ip_terms)
        # The review timing goes into the terms explicitly (a draft may leave it unsaid):
        # solvers accept when their entries will be judged.
        # So do the other choices added since (issue 20: assignment, rounds, the award
        # rule): every key of new terms is explicit, so the stored terms are exactly
        # the document hashed (the evidence verifier re-encodes the stored payload).
        spec = replace(
            self.spec,
            review_timing=self.spec.review_runs,
            independent_reviewers=bool(self.spec.independent_reviewers),
            later_rounds=self.spec.later_rounds or (),
            award_rule=self.spec.decided_by,
            public_weight=self.spec.public_weight or 0,
            verified_email_to_enter=bool(self.spec.verified_email_to_enter),
            verified_email_to_vote=bool(self.spec.verified_email_to_vote),
        )
        # So are the appeal rules (issue 24): how long solvers may appeal, and what.
        spec = replace(spec, appeals=spec.appeal_rules)
        # And what is promised after the win (issue 29): royalties, or nothing ({}).
        spec = replace(spec, after_the_win=spec.beyond_the_prizes)
        terms = ChallengeTerms(
            challenge_id=self.id,
            organisation_id=self.organisation_id,
            spec=spec,
            ip_template=template.kind,
            ip_template_version=template.version,
        )
        self._published(actor_id, terms, sha256_hex(terms_document(terms)), at)

    @event(Published)
    def _published(
        self, actor_id: UUID, terms: ChallengeTerms, terms_sha256: str, timestamp: datetime
    ) -> None:
        self.status = "published"
        self.terms = terms
        published = terms.spec
        self.spec = replace(
            self.spec,
            review_timing=published.review_timing,
            independent_reviewers=published.independent_reviewers,
            later_rounds=published.later_rounds,
            award_rule=published.award_rule,
            public_weight=published.public_weight,
            verified_email_to_enter=published.verified_email_to_enter,
            verified_email_to_vote=published.verified_email_to_vote,
        )
        self.terms_sha256 = terms_sha256

    class QuestionAsked(Aggregate.Event):
        actor_id: UUID
        question_id: UUID
        text: str

    def ask_question(self, actor_id: UUID, question_id: UUID, text: str, at: datetime) -> None:
        self._require_running(allow_awarded=True)
        self._question_asked(actor_id, question_id, check_text(text), at)

    @event(QuestionAsked)
    def _question_asked(
        self, actor_id: UUID, question_id: UUID, text: str, timestamp: datetime
    ) -> None:
        self.questions[question_id] = {"asked_by": actor_id, "answered": False, "hidden": False}

    class QuestionAnswered(Aggregate.Event):
        actor_id: UUID
        question_id: UUID
        text: str

    def answer_question(self, actor_id: UUID, question_id: UUID, text: str, at: datetime) -> None:
        self._require_running(allow_awarded=True)
        question = self.questions.get(question_id)
        if question is None:
            raise InvalidInput("No such question on this challenge.", field="question_id")
        if question["hidden"]:
            raise InvalidState("A moderator hid this question.")
        self._question_answered(actor_id, question_id, check_text(text), at)

    @event(QuestionAnswered)
    def _question_answered(
        self, actor_id: UUID, question_id: UUID, text: str, timestamp: datetime
    ) -> None:
        self.questions[question_id]["answered"] = True

    class QuestionHidden(Aggregate.Event):
        """Moderation: the question stays in history and shows as hidden by a moderator."""

        actor_id: UUID
        question_id: UUID
        reason: str

    def hide_question(self, actor_id: UUID, question_id: UUID, reason: str, at: datetime) -> None:
        question = self.questions.get(question_id)
        if question is None:
            raise InvalidInput("No such question on this challenge.", field="question_id")
        if question["hidden"]:
            raise InvalidState("This question is already hidden.")
        self._question_hidden(actor_id, question_id, check_text(reason, "reason"), at)

    @event(QuestionHidden)
    def _question_hidden(
        self, actor_id: UUID, question_id: UUID, reason: str, timestamp: datetime
    ) -> None:
        self.questions[question_id]["hidden"] = True
        # From when an appeal of the decision may be made (issue 24).
        self.questions[question_id]["hidden_at"] = timestamp

    class QuestionRestored(Aggregate.Event):
        """A hidden question shows again: an appeal of its hiding was upheld (issue 24)."""

        actor_id: UUID
        question_id: UUID
        appeal_id: UUID
        reason: str

    def restore_question(
        self, actor_id: UUID, question_id: UUID, appeal_id: UUID, reason: str, at: datetime
    ) -> None:
        question = self.questions.get(question_id)
        if question is None or not question["hidden"]:
            raise InvalidState("This question is not hidden.")
        self._question_restored(actor_id, question_id, appeal_id, check_text(reason, "reason"), at)

    @event(QuestionRestored)
    def _question_restored(
        self, actor_id: UUID, question_id: UUID, appeal_id: UUID, reason: str, timestamp: datetime
    ) -> None:
        self.questions[question_id]["hidden"] = False

    class AnnouncementPosted(Aggregate.Event):
        actor_id: UUID
        announcement_id: UUID
        text: str

    def post_announcement(
        self, actor_id: UUID, announcement_id: UUID, text: str, at: datetime
    ) -> None:
        # Sponsors announce winners after awarding, so awarded challenges still take news.
        self._require_running(allow_awarded=True)
        self._announcement_posted(actor_id, announcement_id, check_text(text), at)

    @event(AnnouncementPosted)
    def _announcement_posted(
        self, actor_id: UUID, announcement_id: UUID, text: str, timestamp: datetime
    ) -> None:
        self.announcements.append(announcement_id)

    class AnnouncementHidden(Aggregate.Event):
        """Moderation (issue 24): the announcement stays in history, shown as hidden."""

        actor_id: UUID
        announcement_id: UUID
        reason: str

    def hide_announcement(
        self, actor_id: UUID, announcement_id: UUID, reason: str, at: datetime
    ) -> None:
        if announcement_id not in self.announcements:
            raise InvalidInput("No such announcement on this challenge.", field="target_id")
        if announcement_id in self.hidden_announcements:
            raise InvalidState("This announcement is already hidden.")
        self._announcement_hidden(actor_id, announcement_id, check_text(reason, "reason"), at)

    @event(AnnouncementHidden)
    def _announcement_hidden(
        self, actor_id: UUID, announcement_id: UUID, reason: str, timestamp: datetime
    ) -> None:
        self.hidden_announcements = (*self.hidden_announcements, announcement_id)

    class DeadlineExtended(Aggregate.Event):
        """Deadlines only move later, and always with a note every participant sees."""

        actor_id: UUID
        closes_at: datetime
        review_ends_at: datetime
        announcement_id: UUID
        text: str

    def extend_deadline(
        self,
        actor_id: UUID,
        closes_at: datetime,
        announcement_id: UUID,
        text: str,
        at: datetime,
        review_ends_at: datetime | None = None,
    ) -> None:
        self._require_running()
        if self.awards:
            raise InvalidState("Winners are already awarded.")
        if self.review_closed_early:
            raise InvalidState("Review was closed early; deadlines can no longer move.")
        limits.check_moment(closes_at, "closes_at")
        if review_ends_at is not None:
            limits.check_moment(review_ends_at, "review_ends_at")
        if closes_at <= self.spec.closes_at:
            raise InvalidInput("A deadline can only be extended, not shortened.", field="closes_at")
        if review_ends_at is None:
            # Both deadlines lie within limits' range, so this stays far from datetime.max;
            # the moved review end is checked like any other deadline.
            review_ends_at = self.spec.review_ends_at + (closes_at - self.spec.closes_at)
            limits.check_moment(review_ends_at, "review_ends_at")
        if review_ends_at <= closes_at or review_ends_at < self.spec.review_ends_at:
            raise InvalidInput(
                "Review must end after the new closing time.", field="review_ends_at"
            )
        self._deadline_extended(
            actor_id, closes_at, review_ends_at, announcement_id, check_text(text), at
        )

    @event(DeadlineExtended)
    def _deadline_extended(
        self,
        actor_id: UUID,
        closes_at: datetime,
        review_ends_at: datetime,
        announcement_id: UUID,
        text: str,
        timestamp: datetime,
    ) -> None:
        # The published terms (and their hash) stay as accepted; the live deadlines move.
        self.spec = replace(self.spec, closes_at=closes_at, review_ends_at=review_ends_at)
        self.announcements.append(announcement_id)

    class ReviewerInvited(Aggregate.Event):
        """``round``: the review round the reviewer serves in (issue 20; None: the
        first, as in every invitation recorded before rounds)."""

        actor_id: UUID
        reviewer_id: UUID
        round: int | None = None

    def invite_reviewer(
        self, actor_id: UUID, reviewer_id: UUID, at: datetime, round: int | None = None
    ) -> None:
        self._require_running()
        if reviewer_id in self.invited_reviewers:
            raise InvalidState("That reviewer is already invited.")
        if round is not None and (
            isinstance(round, bool)
            or not isinstance(round, int)
            or not 1 <= round <= self.spec.round_count
        ):
            raise InvalidInput(
                "This challenge has review rounds 1 to %(count)s.",
                field="round",
                count=self.spec.round_count,
            )
        self._reviewer_invited(actor_id, reviewer_id, None if round == 1 else round, at)

    @event(ReviewerInvited)
    def _reviewer_invited(
        self, actor_id: UUID, reviewer_id: UUID, round: int | None, timestamp: datetime
    ) -> None:
        self.invited_reviewers.add(reviewer_id)
        if round is not None and round > 1:
            self.reviewer_rounds = {**self.reviewer_rounds, reviewer_id: round}

    # --- review rounds (issue 20) -------------------------------------------------------
    # Streams replayed from before rounds: one round, every reviewer in it.
    current_round = 1
    # (Unannotated: the library makes annotated class attributes constructor fields.)
    reviewer_rounds = cast(Mapping[UUID, int], MappingProxyType({}))
    round_entries = cast(Mapping[int, tuple[UUID, ...]], MappingProxyType({}))

    def round_of(self, reviewer_id: UUID) -> int:
        return self.reviewer_rounds.get(reviewer_id, 1)

    def rubric_of(self, reviewer_id: UUID) -> tuple[Criterion, ...]:
        """The criteria a reviewer scores on: their round's (a juror's are the jury
        round's, not the screening's).  The score command and the score form both ask
        here, so the form never offers a rubric the command would refuse."""
        return self.spec.round_criteria(self.round_of(reviewer_id))

    def final_round_reviewers(self) -> set[UUID]:
        """The accepted reviewers of the last round the terms name: only their scores
        back an award (the award guard)."""
        final = self.spec.round_count
        return {r for r in self.reviewers if self.round_of(r) == final}

    def in_round(self, submission_id: UUID, round_number: int) -> bool:
        """Whether the entry is reviewed in that round: every entry in round 1; the
        shortlist the round before advanced in each later one."""
        return round_number <= 1 or submission_id in self.round_entries.get(round_number, ())

    class RoundAdvanced(Aggregate.Event):
        """Round ``round`` ends: its shortlist (``submission_ids``) is the entry list of
        the next round, reviewed by that round's reviewers on its own rubric."""

        actor_id: UUID
        round: int
        submission_ids: tuple[UUID, ...]

    def advance_round(self, actor_id: UUID, submission_ids: tuple[UUID, ...], at: datetime) -> None:
        self._require_running()
        if at < self.spec.closes_at:
            raise WindowClosed("Rounds advance after submissions close.")
        if self.review_ended(at):
            raise WindowClosed("The review period has ended; scores are final.")
        if self.current_round >= self.spec.round_count:
            raise InvalidState("This is the last review round.")
        if not submission_ids or len(set(submission_ids)) != len(submission_ids):
            raise InvalidInput("Name each shortlisted submission once.", field="submission_ids")
        if self.current_round > 1 and not set(submission_ids) <= set(
            self.round_entries.get(self.current_round, ())
        ):
            raise InvalidInput(
                "Shortlist only entries of the round that ends.", field="submission_ids"
            )
        self._round_advanced(actor_id, self.current_round, submission_ids, at)

    @event(RoundAdvanced)
    def _round_advanced(
        self, actor_id: UUID, round: int, submission_ids: tuple[UUID, ...], timestamp: datetime
    ) -> None:
        self.current_round = round + 1
        self.round_entries = {**self.round_entries, round + 1: submission_ids}

    class ReviewerAccepted(Aggregate.Event):
        actor_id: UUID

    def accept_reviewer_invitation(self, actor_id: UUID, at: datetime) -> None:
        self._require_running()
        if actor_id not in self.invited_reviewers:
            raise InvalidState("You have no invitation to review this challenge.")
        if actor_id in self.reviewers:
            raise InvalidState("You already accepted.")
        self._reviewer_accepted(actor_id, at)

    @event(ReviewerAccepted)
    def _reviewer_accepted(self, actor_id: UUID, timestamp: datetime) -> None:
        self.reviewers.add(actor_id)

    class ShortlistPublished(Aggregate.Event):
        actor_id: UUID
        submission_ids: tuple[UUID, ...]

    def publish_shortlist(
        self, actor_id: UUID, submission_ids: tuple[UUID, ...], at: datetime
    ) -> None:
        self._require_running()
        if at < self.spec.closes_at:
            raise WindowClosed("Shortlist after submissions close.")
        if self.shortlist:
            raise InvalidState("The shortlist is already published.")
        if not submission_ids or len(set(submission_ids)) != len(submission_ids):
            raise InvalidInput("Name each shortlisted submission once.", field="submission_ids")
        self._shortlist_published(actor_id, submission_ids, at)

    @event(ShortlistPublished)
    def _shortlist_published(
        self, actor_id: UUID, submission_ids: tuple[UUID, ...], timestamp: datetime
    ) -> None:
        self.shortlist = submission_ids

    class ReviewClosedEarly(Aggregate.Event):
        """The sponsor ends review before ``review_ends_at``, with a note every
        participant sees (issue 20): scores are final from here, and awarding may
        begin."""

        actor_id: UUID
        announcement_id: UUID
        text: str

    def close_review_early(
        self, actor_id: UUID, announcement_id: UUID, text: str, at: datetime
    ) -> None:
        text = check_text(text)
        self._require_running()
        if at < self.spec.closes_at:
            raise WindowClosed("Review can be closed only after submissions close.")
        if self.review_ended(at):
            raise InvalidState("Review has already ended.")
        self._review_closed_early(actor_id, announcement_id, text, at)

    @event(ReviewClosedEarly)
    def _review_closed_early(
        self, actor_id: UUID, announcement_id: UUID, text: str, timestamp: datetime
    ) -> None:
        self.review_closed_early = True
        self.announcements.append(announcement_id)

    # --- assignment at volume (decision 0023) ------------------------------------------
    # Streams replayed from before assignment existed: every accepted reviewer reviews
    # every entry.
    assignment_k: int | None = None

    class ReviewersAssigned(Aggregate.Event):
        """An assignment run's parameters (the entries each reviewer received are in
        their ``ReviewAssignment`` stream): ``k`` reviewers per entry, the ``seed`` of
        the order, the entries considered (count and SHA-256 of their sorted ids), the
        reviewers in the pool and how many (entry, reviewer) pairs the run added."""

        actor_id: UUID
        k: int
        seed: int
        entry_count: int
        entries_sha256: str
        reviewer_ids: tuple[UUID, ...]
        pairs_added: int

    def record_assignment(
        self,
        actor_id: UUID,
        k: int,
        seed: int,
        entry_count: int,
        entries_sha256: str,
        reviewer_ids: tuple[UUID, ...],
        pairs_added: int,
        at: datetime,
    ) -> None:
        self._require_running()
        if self.review_ended(at):
            raise WindowClosed("The review period has ended; scores are final.")
        if not set(reviewer_ids) <= self.reviewers:
            raise InvalidInput(
                "Assign entries only to reviewers who accepted.", field="reviewer_ids"
            )
        self._reviewers_assigned(
            actor_id, k, seed, entry_count, entries_sha256, reviewer_ids, pairs_added, at
        )

    @event(ReviewersAssigned)
    def _reviewers_assigned(
        self,
        actor_id: UUID,
        k: int,
        seed: int,
        entry_count: int,
        entries_sha256: str,
        reviewer_ids: tuple[UUID, ...],
        pairs_added: int,
        timestamp: datetime,
    ) -> None:
        self.assignment_k = k

    def review_ended(self, at: datetime) -> bool:
        return self.review_closed_early or at >= self.spec.review_ends_at

    class WinnersAwarded(Aggregate.Event):
        """Each ``Award`` names the version awarded (``content_sha256``, ``version``)
        and, where no reviewer scored that version, the sponsor's ``override_reason``."""

        actor_id: UUID
        awards: tuple[Award, ...]

    def award(
        self,
        actor_id: UUID,
        awards: tuple[Award, ...],
        at: datetime,
        scored: Mapping[UUID, Collection[str]],
        rule_order: Sequence[UUID] | None = None,
    ) -> None:
        """``scored``: per awarded entry, the content hashes that reviews counted for
        it scored (``Review.scored_content``).  An award of a version no counted
        review scored is refused unless it carries the sponsor's reason.
        ``rule_order``: where the terms give the public a say (``award_rule`` public
        or weighted), the shortlist in the order that rule puts it; a place given
        otherwise is refused unless it carries the sponsor's reason too."""
        self._require_running()
        if at < self.spec.closes_at:
            raise WindowClosed("Award after submissions close.")
        if not self.review_ended(at):
            raise WindowClosed(
                "Award once review ends, or close review early with an announcement first."
            )
        if self.awards:
            raise InvalidState("Winners are already awarded.")
        places = {p.place for p in self.spec.prizes}
        given = [a.place for a in awards]
        if not awards or len(set(given)) != len(given) or not set(given) <= places:
            raise InvalidInput("Award each prize place at most once.", field="awards")
        if len({a.submission_id for a in awards}) != len(awards):
            raise InvalidInput("A submission can win only one place.", field="awards")
        checked = []
        for a in awards:
            reason = a.override_reason
            if reason is not None:
                reason = check_text(reason, "override_reason") if reason.strip() else None
                a = replace(a, override_reason=reason)
            if a.content_sha256 is None or (
                a.content_sha256 not in scored.get(a.submission_id, ()) and reason is None
            ):
                raise UnreviewedVersion(
                    "No reviewer scored version %(version)s of entry %(entry)s: wait for a"
                    " review of it, or give the reason you award it unreviewed."
                    if a.version
                    else "No reviewer scored the current version of entry %(entry)s: wait"
                    " for a review of it, or give the reason you award it unreviewed.",
                    field="override_reason",
                    version=a.version or 0,
                    entry=str(a.submission_id),
                )
            if rule_order is not None and reason is None:
                expected = rule_order[a.place - 1] if a.place <= len(rule_order) else None
                if a.submission_id != expected:
                    raise UnreviewedVersion(
                        "The terms decide the winners by the %(rule)s rule, which gives"
                        " place %(place)s to another entry: award by it, or give the"
                        " reason you depart from it.",
                        field="override_reason",
                        rule=self.spec.decided_by,
                        place=a.place,
                    )
            checked.append(a)
        self._winners_awarded(actor_id, tuple(checked), at)

    @event(WinnersAwarded)
    def _winners_awarded(
        self, actor_id: UUID, awards: tuple[Award, ...], timestamp: datetime
    ) -> None:
        self.awards = awards
        self.status = "awarded"

    class WinnersReawarded(Aggregate.Event):
        """After the award (issue 24): ``awards`` give places anew, each replacing the
        award of its place (whose agreement is rescinded and whose entry's award is
        revoked, in the same transaction), for ``reason``: a winner's disqualification
        that stands, or the score appeal ``appeal_id`` upheld.  A winner given another
        place gives up the one it held (left unawarded unless given too)."""

        actor_id: UUID
        awards: tuple[Award, ...]
        reason: str
        appeal_id: UUID | None = None

    def reaward(
        self,
        actor_id: UUID,
        awards: tuple[Award, ...],
        reason: str,
        at: datetime,
        scored: Mapping[UUID, Collection[str]],
        appeal_id: UUID | None = None,
    ) -> tuple[Award, ...]:
        """Returns the awards replaced.  An award of a version no counted review scored
        carries the re-award's reason as the reason it is awarded unreviewed."""
        if self.status != "awarded":
            raise InvalidState("Re-award only once the challenge is awarded.")
        if not reason.strip():
            raise InvalidInput("Say why the places are awarded again.", field="reason")
        reason = check_text(reason, "reason")
        places = {p.place for p in self.spec.prizes}
        given = [a.place for a in awards]
        if not awards or len(set(given)) != len(given) or not set(given) <= places:
            raise InvalidInput("Award each prize place at most once.", field="awards")
        kept = self._kept_awards(awards)
        winners = [a.submission_id for a in kept] + [a.submission_id for a in awards]
        if len(set(winners)) != len(winners):
            raise InvalidInput("A submission can win only one place.", field="awards")
        checked = []
        for a in awards:
            unscored = a.content_sha256 not in scored.get(a.submission_id, ())
            checked.append(replace(a, override_reason=reason if unscored else None))
        replaced = tuple(a for a in self.awards if a not in kept)
        self._winners_reawarded(actor_id, tuple(checked), reason, appeal_id, at)
        return replaced

    def _kept_awards(self, awards: tuple[Award, ...]) -> list[Award]:
        """The awards a re-award leaves: not of a place given anew, nor of an entry
        given another place."""
        given = {a.place for a in awards}
        moved = {a.submission_id for a in awards}
        return [a for a in self.awards if a.place not in given and a.submission_id not in moved]

    @event(WinnersReawarded)
    def _winners_reawarded(
        self,
        actor_id: UUID,
        awards: tuple[Award, ...],
        reason: str,
        appeal_id: UUID | None,
        timestamp: datetime,
    ) -> None:
        kept = self._kept_awards(awards)
        self.awards = tuple(sorted((*kept, *awards), key=lambda a: a.place))

    class IdentitiesRevealed(Aggregate.Event):
        actor_id: UUID

    def reveal_identities(self, actor_id: UUID, at: datetime) -> None:
        if not self.awards:
            raise InvalidState("Solvers stay anonymous to reviewers until winners are awarded.")
        if self.identities_revealed:
            raise InvalidState("Identities are already revealed.")
        self._identities_revealed(actor_id, at)

    @event(IdentitiesRevealed)
    def _identities_revealed(self, actor_id: UUID, timestamp: datetime) -> None:
        self.identities_revealed = True

    class Cancelled(Aggregate.Event):
        actor_id: UUID
        reason: str

    def cancel(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.status in ("cancelled", "awarded"):
            raise InvalidState(
                "A challenge that is cancelled cannot be cancelled."
                if self.status == "cancelled"
                else "A challenge that is awarded cannot be cancelled."
            )
        if not reason.strip():
            raise InvalidInput("Say why the challenge is cancelled.", field="reason")
        self._cancelled(actor_id, check_text(reason, "reason"), at)

    def entries_possible(self, at: datetime) -> bool:
        """Whether entries may exist: once published and its window opened.  (The
        challenge's stream never learns of each entry: that would put a write on it
        in every submission.)"""
        return self.status != "draft" and at >= self.spec.opens_at

    @event(Cancelled)
    def _cancelled(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.status = "cancelled"
        self.cancel_reason = reason

    # --- questions other aggregates ask -------------------------------------------------

    def require_accepting_submissions(self, at: datetime) -> None:
        self._require_running()
        if at < self.spec.opens_at:
            raise WindowClosed("This challenge is not open for submissions yet.")
        if at >= self.spec.closes_at:
            raise WindowClosed("Submissions for this challenge have closed.")

    def require_withdrawals_open(self, at: datetime) -> None:
        """Solvers withdraw their entries while submissions are open; after the deadline
        the entries are what reviewers judge, and only a remedy (disqualification) takes
        one out."""
        if at >= self.spec.closes_at:
            raise WindowClosed("Entries can only be withdrawn until submissions close.")

    def require_reviewing(self, reviewer_id: UUID, at: datetime, *, scoring: bool = True) -> None:
        """``scoring=False``: declaring a conflict, which a reviewer may do any time
        until review ends, also before it starts."""
        self._require_running(allow_awarded=True)
        if reviewer_id not in self.reviewers:
            raise InvalidState("Accept the invitation to review this challenge first.")
        if self.review_ended(at):
            raise WindowClosed("The review period has ended; scores are final.")
        if scoring and self.spec.review_runs == "after_close" and at < self.spec.closes_at:
            raise WindowClosed(
                "Review starts when submissions close; this challenge does not review"
                " entries while they may still change."
            )
        if scoring and self.round_of(reviewer_id) != self.current_round:
            raise WindowClosed(
                "Your review round (%(round)s) is not the one under way (%(current)s).",
                round=self.round_of(reviewer_id),
                current=self.current_round,
            )

    def require_not_judging(self, person_id: UUID, doing: Term) -> None:
        """Judges do not compete: an invited reviewer, accepted or not, neither enters
        this challenge (alone or as a co-author) nor supports its entries."""
        if person_id in self.invited_reviewers:
            raise ConflictOfInterest(
                "You are invited to review this challenge, so you cannot %(doing)s.", doing=doing
            )

    def require_voting_open(self, submission_id: UUID, at: datetime) -> None:
        self._require_running()
        mode = self.spec.voting.mode
        if mode == "none":
            raise InvalidState("This challenge has no public voting.")
        if mode == "public":
            if not self.spec.opens_at <= at < self.spec.closes_at:
                raise WindowClosed("Public support is open only while submissions are open.")
        else:
            if submission_id not in self.shortlist:
                raise InvalidState("Only shortlisted entries can be supported.")
            if at >= self.spec.review_ends_at:
                raise WindowClosed("The public vote has ended.")

    def _require_running(self, *, allow_awarded: bool = False) -> None:
        if self.status == "draft":
            raise InvalidState("This challenge is not published yet.")
        if self.status == "cancelled":
            raise InvalidState("This challenge was cancelled.")
        if self.status == "awarded" and not allow_awarded:
            raise InvalidState("This challenge has been awarded.")
