"""Re-awarding after the award (issue 24, decision 0030).

Once a challenge is awarded, its places change only for a cause recorded in the log:

- a winner's **disqualification that stands** (an admin disqualified the awarded entry;
  its appeal was decided, or the terms' appeal window passed with none lodged), which
  opens that place;
- a **score appeal upheld** (``appeal_id``), after which any place may be given anew.

The sponsor's owners and managers, or an admin, then re-award the places with a reason.
One transaction records it all: ``Challenge.WinnersReawarded``; for each replaced award
``Submission.AwardRevoked`` and ``IpAgreement.Rescinded`` (same reason; an agreement
already rescinded is left as it is); for each new winner ``Submission.Awarded`` and a
new ``IpAgreement.Drafted`` through the same drafting as an award, so the new
agreements are signed, countersigned and paid as usual and every step is in the chain
of title of both entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID, uuid4

from openinno.commands.judging import Judging
from openinno.commands.results import AwardsRecorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Appeal, Challenge, IpAgreement, Organisation, Submission
from openinno.domain.errors import NOT_FOUND, InvalidInput, InvalidState, NotFound
from openinno.domain.limits import check_text
from openinno.domain.values import Award


class Reawards(Judging):
    def _may_reaward(self, actor_id: UUID, challenge: Challenge) -> Organisation:
        if self._actor(actor_id).is_admin:
            return self._load(
                challenge.organisation_id, Organisation, "organisation", readonly=True
            )
        return self._sponsor(actor_id, challenge, "owner", "manager")

    def _upheld_score_appeal(self, challenge: Challenge, appeal_id: UUID) -> None:
        appeal = self._maybe_load(appeal_id, Appeal, readonly=True)
        if appeal is None or appeal.challenge_id != challenge.id:
            raise NotFound(NOT_FOUND["appeal"], id=str(appeal_id))
        if appeal.ground != "scores" or appeal.status != "upheld":
            raise InvalidState(
                "Only an upheld appeal of the scores opens every place to a re-award.",
            )

    def _place_open(self, challenge: Challenge, holder: Submission, place: int) -> None:
        """A place held by an entry disqualified for good (its appeal decided, or the
        window passed with none lodged) may be given anew."""
        if holder.status != "disqualified" or holder.disqualified_at is None:
            raise InvalidState(
                "Place %(place)s's winner stands: re-award a place after its winner's"
                " disqualification, or after an appeal of the scores is upheld.",
                place=place,
            )
        appeal_id = holder.last_appeal("disqualification")
        if appeal_id is not None:
            appeal = self._load(appeal_id, Appeal, "appeal", readonly=True)
            if appeal.decided_at is not None and appeal.decided_at >= holder.disqualified_at:
                return
            raise InvalidState(
                "Place %(place)s's winner has appealed the disqualification: decide the"
                " appeal first.",
                place=place,
            )
        spec = challenge.terms.spec if challenge.terms is not None else challenge.spec
        window = timedelta(days=spec.appeal_rules.window_days)
        if self._now() < holder.disqualified_at + window:
            raise InvalidState(
                "Place %(place)s's winner may still appeal the disqualification (the"
                " terms allow %(days)s days): re-award once that time has passed.",
                place=place,
                days=window.days,
            )

    @retry_on_conflict
    def reaward(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        places: Sequence[tuple[UUID, int]],
        reason: str,
        appeal_id: UUID | None = None,
    ) -> AwardsRecorded:
        """Give ``places`` anew (each (entry, place)); see the module's docstring."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        organisation = self._may_reaward(actor_id, challenge)
        at = self._now()
        if challenge.status != "awarded":
            raise InvalidState("Re-award only once the challenge is awarded.")
        if appeal_id is not None:
            self._upheld_score_appeal(challenge, appeal_id)
        entries: dict[UUID, Submission] = {}

        def entry(submission_id: UUID) -> Submission:
            if submission_id not in entries:
                entries[submission_id] = self._load(submission_id, Submission, "submission")
            return entries[submission_id]

        holders = {a.place: a for a in challenge.awards}
        for submission_id, place in places:
            if place in holders and appeal_id is None:
                self._place_open(challenge, entry(holders[place].submission_id), place)
            submission = entry(submission_id)
            if submission.challenge_id != challenge.id:
                raise InvalidInput(
                    "Submission %(id)s is not an entry of this challenge.",
                    field="submission_ids",
                    id=str(submission_id),
                )
            submission.require_active()
        awards = tuple(
            Award(
                submission_id,
                place,
                uuid4(),
                content_sha256=entries[submission_id].content_sha256,
                version=len(entries[submission_id].versions),
            )
            for submission_id, place in places
        )
        new_ids = {a.submission_id for a in awards}
        scored = {i: self.scored_versions(challenge, entries[i]) for i in new_ids}
        replaced = challenge.reaward(actor_id, awards, reason, at, scored, appeal_id)
        reason = check_text(reason, "reason")
        rescinded: list[IpAgreement] = []
        for old in replaced:
            entry(old.submission_id).revoke_award(actor_id, old.agreement_id, reason, at)
            agreement = self._load(old.agreement_id, IpAgreement, "agreement")
            if not agreement.rescinded:
                agreement.rescind(actor_id, reason, at)
                rescinded.append(agreement)
        given = tuple(
            a for a in challenge.awards if a.agreement_id in {n.agreement_id for n in awards}
        )
        drafted = self._draft_agreements(actor_id, challenge, organisation, given, entries, at)
        position = self._commit(challenge, *entries.values(), *rescinded, *drafted)
        return AwardsRecorded(challenge_id, position, tuple(a.agreement_id for a in given))
