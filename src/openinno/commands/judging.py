"""Judging that binds to the work (issue 20): reviews record the version they
scored, review runs when the challenge says (after submissions close, or rolling)
and ends at ``review_ends_at`` or when the sponsor closes it early, and an award
names the version it awards, refused where no reviewer scored that version unless
the sponsor records why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from openinno.commands.base import CommandBase
from openinno.commands.results import AwardsRecorded, Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import (
    Account,
    Challenge,
    IpAgreement,
    Organisation,
    Review,
    ReviewAssignment,
    Submission,
    SupportTally,
    ids,
)
from openinno.domain.award_rule import rule_order, weighted_total
from openinno.domain.errors import (
    NOT_FOUND,
    ConflictOfInterest,
    InvalidInput,
    InvalidState,
    NotFound,
)
from openinno.domain.ip_templates import TEMPLATES, render_agreement
from openinno.domain.review import scored_versions
from openinno.domain.values import Award, sha256_hex


class Judging(CommandBase):
    # --- reviews --------------------------------------------------------------------------

    def _reviewable(self, actor_id: UUID, submission_id: UUID) -> tuple[Submission, Challenge]:
        self._actor(actor_id)
        submission = self._load(submission_id, Submission, "submission")
        challenge = self._load(submission.challenge_id, Challenge, "challenge")
        if actor_id not in challenge.reviewers:
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        if actor_id in submission.author_ids:
            raise ConflictOfInterest("You cannot review your own entry.")
        return submission, challenge

    def _review(self, actor_id: UUID, submission: Submission, at: datetime) -> Review:
        review_id = ids.review_id(submission.id, actor_id)
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        round_number = challenge.round_of(actor_id)
        return self._maybe_load(review_id, Review) or Review(
            id=review_id,
            actor_id=actor_id,
            challenge_id=submission.challenge_id,
            submission_id=submission.id,
            timestamp=at,
            round=None if round_number == 1 else round_number,
        )

    @retry_on_conflict
    def record_review(
        self,
        actor_id: UUID,
        submission_id: UUID,
        scores: dict[str, Decimal | int | str],
        comment: str = "",
        content_sha256: str | None = None,
    ) -> Recorded:
        """``content_sha256``: the version the reviewer read (the score form sends
        it); scores of a version that is no longer the entry's current one are
        refused, so a review always binds to what its reviewer saw.  Without it the
        scores are of the version current when they are recorded."""
        submission, challenge = self._reviewable(actor_id, submission_id)
        at = self._now()
        challenge.require_reviewing(actor_id, at)
        # Where the challenge assigns entries (decision 0023), only one's own.
        if not self.assigned_to(challenge, actor_id, submission_id) or not challenge.in_round(
            submission_id, challenge.round_of(actor_id)
        ):
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        submission.require_active()
        version = len(submission.versions)
        if content_sha256 is not None and content_sha256 != submission.content_sha256:
            raise InvalidState(
                "This entry was revised since you opened it: read version %(version)s"
                " and score that.",
                field="content_sha256",
                version=version,
            )
        review = self._review(actor_id, submission, at)
        # The domain reads each score (review.check_scores): finite, plainly written.
        review.record_scores(
            actor_id,
            challenge.rubric_of(actor_id),
            dict(scores),
            comment,
            at,
            content_sha256=submission.content_sha256,
            version=version,
        )
        return Recorded(review.id, self._commit(review))

    @retry_on_conflict
    def declare_conflict(self, actor_id: UUID, submission_id: UUID, reason: str) -> Recorded:
        submission, challenge = self._reviewable(actor_id, submission_id)
        at = self._now()
        challenge.require_reviewing(actor_id, at, scoring=False)
        review = self._review(actor_id, submission, at)
        review.declare_conflict(actor_id, reason, at)
        # An assigned entry leaves the reviewer's assignment with the conflict; the
        # sponsor's next assignment run gives it to another (decision 0023).
        assignment = None
        if challenge.assignment_k is not None:
            assignment = self._maybe_load(
                ids.assignment_id(challenge.id, actor_id), ReviewAssignment
            )
            if assignment is not None:
                assignment.note_conflict(
                    actor_id, submission_id, "A conflict of interest was declared.", at
                )
        return Recorded(review.id, self._commit(review, assignment))

    @retry_on_conflict
    def advance_round(
        self, actor_id: UUID, challenge_id: UUID, submission_ids: Sequence[UUID]
    ) -> Recorded:
        """End the current review round: its shortlist is the next round's entries."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        challenge.advance_round(actor_id, tuple(submission_ids), self._now())
        return Recorded(challenge_id, self._commit(challenge))

    def declare_conflicts(
        self, actor_id: UUID, challenge_id: UUID, submission_ids: Sequence[UUID], reason: str
    ) -> Recorded:
        """A conflict for each of several entries of one challenge at once (a reviewer
        who has just accepted goes through the entries they may know); each recorded
        as ``declare_conflict`` records one, in order, and any refusal stops the rest."""
        position = 0
        for submission_id in dict.fromkeys(submission_ids):
            submission = self._load(submission_id, Submission, "submission", readonly=True)
            if submission.challenge_id != challenge_id:
                raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
            position = self.declare_conflict(actor_id, submission_id, reason).position
        return Recorded(challenge_id, position)

    @retry_on_conflict
    def close_review_early(self, actor_id: UUID, challenge_id: UUID, text: str) -> Recorded:
        """End review before ``review_ends_at`` with an announcement every participant
        sees; awarding may begin."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        challenge.close_review_early(actor_id, uuid4(), text, self._now())
        return Recorded(challenge_id, self._commit(challenge))

    def scored_versions(self, challenge: Challenge, submission: Submission) -> frozenset[str]:
        """The content hashes of ``submission`` that its challenge's reviewers
        of the final round counted reviews scored (not conflicted;
        ``Review.scored_content``): with review rounds, a screening score does not
        back an award.  One review stream per such reviewer, by its derived id."""
        reviews = (
            self._maybe_load(ids.review_id(submission.id, reviewer_id), Review, readonly=True)
            for reviewer_id in sorted(challenge.final_round_reviewers())
        )
        return scored_versions(
            (r for r in reviews if r is not None), [digest for _c, digest in submission.versions]
        )

    def rule_order(self, challenge: Challenge) -> list[UUID] | None:
        """Where the terms give the public a say in the award (``award_rule`` public or
        weighted) and a shortlist was put to the vote: the shortlist in the order the
        rule gives, from the final round's counted reviews of each entry's current
        version (mean weighted total) and each entry's support tally.  A few streams
        per shortlisted entry."""
        spec = challenge.spec
        if spec.award_rule not in ("public", "weighted") or not challenge.shortlist:
            return None
        criteria = spec.round_criteria(spec.round_count)
        jurors = sorted(challenge.final_round_reviewers())
        jury: dict[UUID, float | None] = {}
        support: dict[UUID, int] = {}
        for entry_id in challenge.shortlist:
            entry = self._load(entry_id, Submission, "submission", readonly=True)
            hashes = [digest for _c, digest in entry.versions]
            totals = []
            for juror in jurors:
                review = self._maybe_load(ids.review_id(entry_id, juror), Review, readonly=True)
                if review is not None and review.scored_content(hashes) == entry.content_sha256:
                    assert review.scores is not None
                    totals.append(weighted_total(criteria, review.scores))
            jury[entry_id] = sum(totals) / len(totals) if totals else None
            tally = self._maybe_load(ids.support_tally_id(entry_id), SupportTally, readonly=True)
            support[entry_id] = 0 if tally is None else tally.count
        return [
            e for e, _score in rule_order(spec.decided_by, spec.public_weight or 0, jury, support)
        ]

    # --- awards ---------------------------------------------------------------------------

    @retry_on_conflict
    def award(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        places: Sequence[tuple[UUID, int]],
        override_reasons: Mapping[UUID, str] | None = None,
    ) -> AwardsRecorded:
        """Award places; each award drafts its IP agreement in the same transaction.
        Each award names the entry's current version; ``override_reasons``: per
        entry, why it is awarded though no reviewer scored that version."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        organisation = self._sponsor(actor_id, challenge, "owner", "manager")
        at = self._now()
        reasons = dict(override_reasons or {})
        entries: dict[UUID, Submission] = {}
        for submission_id, _place in places:
            if submission_id in entries:
                continue
            submission = self._load(submission_id, Submission, "submission")
            if submission.challenge_id != challenge.id:
                raise InvalidInput(
                    "Submission %(id)s is not an entry of this challenge.",
                    field="submission_ids",
                    id=str(submission_id),
                )
            submission.require_active()
            entries[submission_id] = submission
        awards = tuple(
            Award(
                submission_id,
                place,
                uuid4(),
                content_sha256=entries[submission_id].content_sha256,
                version=len(entries[submission_id].versions),
                override_reason=reasons.get(submission_id),
            )
            for submission_id, place in places
        )
        scored = {s.id: self.scored_versions(challenge, s) for s in entries.values()}
        challenge.award(actor_id, awards, at, scored, self.rule_order(challenge))
        # The checked awards (their reasons trimmed, blank ones dropped).
        awards = challenge.awards
        submissions = [entries[a.submission_id] for a in awards]
        agreements = self._draft_agreements(actor_id, challenge, organisation, awards, entries, at)
        position = self._commit(challenge, *submissions, *agreements)
        return AwardsRecorded(challenge_id, position, tuple(a.agreement_id for a in awards))

    def _draft_agreements(
        self,
        actor_id: UUID,
        challenge: Challenge,
        organisation: Organisation,
        awards: Sequence[Award],
        entries: Mapping[UUID, Submission],
        at: datetime,
    ) -> list[IpAgreement]:
        """Each award recorded on its entry and its IP agreement drafted from the
        terms' template (for an award and for a re-award alike)."""
        assert challenge.terms is not None and challenge.terms_sha256 is not None
        submissions = [entries[a.submission_id] for a in awards]
        template = TEMPLATES[(challenge.terms.ip_template, challenge.terms.ip_template_version)]
        prizes = {p.place: p for p in challenge.terms.spec.prizes}
        agreements = []
        for award, submission in zip(awards, submissions, strict=True):
            submission.award(actor_id, award.place, award.agreement_id, at, award.override_reason)
            prize = prizes[award.place]
            # The assignors: the authors of the awarded version (for a team entry, who
            # was on the team when it was recorded), the one who recorded it first.
            assignor_id, *co_assignor_ids = submission.latest_author_ids
            solver = self._load(assignor_id, Account, "account")
            team = tuple(
                (member_id, self._load(member_id, Account, "account").display_name)
                for member_id in co_assignor_ids
            )
            text = render_agreement(
                template,
                agreement_id=award.agreement_id,
                challenge_id=challenge.id,
                challenge_title=challenge.terms.spec.title,
                terms_sha256=challenge.terms_sha256,
                submission_id=submission.id,
                submission_title=submission.content.title,
                content_sha256=submission.content_sha256,
                place=award.place,
                amount=prize.amount,
                currency=prize.currency,
                assignor_id=solver.id,
                assignor_name=solver.display_name,
                assignee_id=organisation.id,
                assignee_name=organisation.name,
                co_assignors=team,
                royalty=challenge.terms.spec.beyond_the_prizes.royalty,
            )
            agreements.append(
                IpAgreement(
                    id=award.agreement_id,
                    actor_id=actor_id,
                    challenge_id=challenge.id,
                    submission_id=submission.id,
                    content_sha256=submission.content_sha256,
                    terms_sha256=challenge.terms_sha256,
                    template=template.kind,
                    template_version=template.version,
                    text=text,
                    text_sha256=sha256_hex(text.encode()),
                    assignor_id=assignor_id,
                    co_assignor_ids=tuple(co_assignor_ids),
                    assignee_organisation_id=organisation.id,
                    place=award.place,
                    amount=prize.amount,
                    currency=prize.currency,
                    payment_required=template.payment_required and prize.amount > 0,
                    timestamp=at,
                    content_version=award.version,
                    override_reason=award.override_reason,
                    royalty=challenge.terms.spec.beyond_the_prizes.royalty,
                )
            )
        return agreements
