"""Who may see what: the write side's own queries and the access rules every page
and API route asks (one rule each, written once): an entry, an agreement, the
sponsor's views, blind review's identities, a stream's full history."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from openinno.commands.base import CommandBase
from openinno.domain import (
    Account,
    ApiKeyring,
    ApiToken,
    Challenge,
    EntryDraft,
    IdempotencyRecord,
    IpAgreement,
    Organisation,
    Review,
    SolverEntries,
    Submission,
    Team,
)
from openinno.domain.blind import COUNTERPARTY_ROLES, AuthorVisibility
from openinno.domain.errors import (
    NOT_FOUND,
    NotFound,
)

# Organisation roles that act for the sponsor on legal matters: they may read the full
# history of their organisation's streams and the chain of title of its entries
# (managers and reviewers have their own pages).  The same roles as blind review's
# counterparties (domain/blind.py): an award's agreement names its authors to them.
HISTORY_ROLES = COUNTERPARTY_ROLES


class AccessRules(CommandBase):
    # --- queries the write side answers itself ------------------------------------------

    def get_account(self, account_id: UUID) -> Account:
        return self._load(account_id, Account, "account")

    def get_organisation(self, organisation_id: UUID) -> Organisation:
        return self._load(organisation_id, Organisation, "organisation")

    def get_challenge(self, challenge_id: UUID, actor_id: UUID | None = None) -> Challenge:
        return self._visible_challenge(actor_id, challenge_id)

    def get_submission(self, actor_id: UUID | None, submission_id: UUID) -> Submission:
        """The submission, if this actor may see it; otherwise NotFound (never a hint it exists)."""
        submission = self._load(submission_id, Submission, "submission")
        if not self.may_view_submission(actor_id, submission):
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        return submission

    def may_view_submission(
        self, actor_id: UUID | None, submission: Submission, challenge: Challenge | None = None
    ) -> bool:
        """``challenge``: the submission's, when the caller has just loaded it."""
        if actor_id is not None and (
            actor_id in submission.author_ids
            # Named co-authors see what they are asked to put their name to.
            or actor_id in submission.named_coauthor_ids
            or self.on_team_of(actor_id, submission)
        ):
            return True
        if challenge is None or challenge.id != submission.challenge_id:
            challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        # A public gallery's entry, unless it left (withdrawn, disqualified) or a
        # moderator hid it (issue 24: the reason shows in its place; the entry, its
        # files and its support are for those who judge it and its authors only).
        if (
            challenge.spec.visibility == "public"
            and submission.status not in ("withdrawn", "disqualified")
            and submission.hidden_at is None
        ):
            return True
        if actor_id is None:
            return False
        if actor_id in challenge.reviewers:
            return True
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        if organisation.role_of(actor_id) is not None:
            return True
        account = self._maybe_load(actor_id, Account, readonly=True)
        return account is not None and account.is_admin

    def get_agreement(self, actor_id: UUID, agreement_id: UUID) -> IpAgreement:
        """Its authors, admins, and the sponsor's members who may know its authors (the
        text names them: blind review's rule, so managers only once revealed)."""
        agreement = self._load(agreement_id, IpAgreement, "agreement")
        if actor_id in agreement.authors:
            return agreement
        organisation = self._load(agreement.assignee_organisation_id, Organisation, "organisation")
        account = self._maybe_load(actor_id, Account)
        if organisation.role_of(actor_id) is None and not (account and account.is_admin):
            raise NotFound(NOT_FOUND["agreement"], id=str(agreement_id))
        challenge = self._load(agreement.challenge_id, Challenge, "challenge", readonly=True)
        if not self.author_visibility(actor_id, challenge).sees(agreement.authors, awarded=True):
            raise NotFound(NOT_FOUND["agreement"], id=str(agreement_id))
        return agreement

    def require_sponsor_view(self, actor_id: UUID | None, organisation_id: UUID) -> Organisation:
        """What the sponsor reads about its own work (a challenge's ranking, the
        organisation's agreements): its members and active admins, for the pages and
        the API alike.  NotFound for everyone else (no hint the organisation exists)."""
        organisation = self._load(organisation_id, Organisation, "organisation", readonly=True)
        if actor_id is not None and organisation.role_of(actor_id) is not None:
            return organisation
        account = None if actor_id is None else self._maybe_load(actor_id, Account, readonly=True)
        if account is None or not account.active or not account.is_admin:
            raise NotFound(NOT_FOUND["organisation"], id=str(organisation_id))
        return organisation

    # --- blind review: who may know an entry's authors (domain/blind.py) --------------------

    def author_visibility(
        self, actor_id: UUID | None, challenge: Challenge | None = None
    ) -> AuthorVisibility:
        """This actor's standing towards the challenge's entries, for ``sees``: the one
        rule of blind review, for every page, route, query and export that names
        authors.  Without a challenge: towards entries of any challenge (a reviewer's
        queue across challenges), whose reveal the caller then adds per challenge."""
        account = None if actor_id is None else self._maybe_load(actor_id, Account, readonly=True)
        if account is None or not account.active:
            return AuthorVisibility(
                revealed=challenge is not None and challenge.identities_revealed
            )
        role = None
        if challenge is not None:
            organisation = self._maybe_load(challenge.organisation_id, Organisation, readonly=True)
            role = organisation.role_of(account.id) if organisation is not None else None
        return AuthorVisibility(
            viewer=account.id,
            admin=account.is_admin,
            counterparty=role in COUNTERPARTY_ROLES,
            revealed=challenge is not None and challenge.identities_revealed,
        )

    def may_see_authors(
        self, actor_id: UUID | None, submission: Submission, challenge: Challenge | None = None
    ) -> bool:
        """Whether this actor may know who wrote this entry (names, account ids)."""
        if challenge is None or challenge.id != submission.challenge_id:
            challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        return self.author_visibility(actor_id, challenge).sees(
            submission.author_ids, awarded=submission.award_place is not None
        )

    def require_chain_of_title(
        self, actor_id: UUID | None, submission_id: UUID
    ) -> tuple[Submission, Challenge]:
        """A submission's chain of title and its evidence bundle, for the pages and the
        API alike: its authors, admins, and the sponsor's owners and legal members; and
        only for whoever may know its authors, whom both name (so the sponsor's legal
        roles once the entry is awarded or the identities revealed).  NotFound for
        everyone else, the same as for an unknown submission."""
        submission = self.get_submission(actor_id, submission_id)
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        visibility = self.author_visibility(actor_id, challenge)
        is_author = actor_id is not None and actor_id in submission.author_ids
        awarded = submission.award_place is not None
        if not (
            visibility.viewer is not None
            and (visibility.admin or visibility.counterparty or is_author)
            and visibility.sees(submission.author_ids, awarded=awarded)
        ):
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        return submission, challenge

    # --- the history of one stream (who did what, when) ------------------------------------
    #
    # One rule for the API and the pages:
    #   - token, keyring and idempotency streams: nobody, not even admins (their ids stand for a
    #     token's hash; they keep request fingerprints and response bodies);
    #   - admins (active): every other stream;
    #   - the solver: their own submissions (lead or team member), their own agreements
    #     (as an assignor), their own entry counts and the teams they are on;
    #   - owners and legal members of the sponsor organisation: the streams of that
    #     organisation (itself, its challenges, their submissions, reviews and entry
    #     counts, the agreements assigning to it);
    #   - everyone else, and every stream of no organisation (accounts, votes, tallies,
    #     email claims) for a non-admin: not found.

    def _history_organisation(self, stream: Aggregate) -> UUID | None:
        """The sponsor organisation a stream belongs to, mapped through its challenge."""
        if isinstance(stream, Organisation):
            return stream.id
        if isinstance(stream, Challenge):
            return stream.organisation_id
        if isinstance(stream, IpAgreement):
            return stream.assignee_organisation_id
        if isinstance(stream, Submission | Review | SolverEntries):
            challenge = self._maybe_load(stream.challenge_id, Challenge, readonly=True)
            return challenge.organisation_id if challenge is not None else None
        return None

    def _history_stream(self, actor_id: UUID | None, stream_id: UUID) -> Aggregate | None:
        if actor_id is None:
            return None
        account = self._maybe_load(actor_id, Account, readonly=True)
        if account is None or not account.active:
            return None
        stream = self._maybe_load(stream_id, Aggregate, readonly=True)
        if stream is None or isinstance(stream, ApiToken | ApiKeyring | IdempotencyRecord):
            return None
        if account.is_admin:
            return stream
        if (
            (isinstance(stream, Submission) and actor_id in stream.author_ids)
            or (isinstance(stream, IpAgreement) and actor_id in stream.authors)
            or (isinstance(stream, SolverEntries) and stream.solver_id == actor_id)
            # A team's history is its members' (issue 21; no sponsor's: blind review).
            or (isinstance(stream, Team) and actor_id in stream.member_ids)
            # A draft is its author's alone (issue 21): never the sponsor's.
            or (isinstance(stream, EntryDraft) and actor_id == stream.author_id)
        ):
            return stream
        organisation_id = self._history_organisation(stream)
        if organisation_id is None:
            return None
        organisation = self._maybe_load(organisation_id, Organisation, readonly=True)
        if organisation is None or organisation.role_of(actor_id) not in HISTORY_ROLES:
            return None
        # An entry's history and a solver's entry counts name the solver: blind review.
        if isinstance(stream, Submission) and not self.may_see_authors(actor_id, stream):
            return None
        if isinstance(stream, SolverEntries):
            challenge = self._maybe_load(stream.challenge_id, Challenge, readonly=True)
            if challenge is None or not self.author_visibility(actor_id, challenge).sees(
                (stream.solver_id,), awarded=False
            ):
                return None
        return stream

    def may_view_history(self, actor_id: UUID | None, stream_id: UUID) -> bool:
        """Whether this actor may read the full history of this stream (see the rule above)."""
        return self._history_stream(actor_id, stream_id) is not None

    def require_history_access(self, actor_id: UUID | None, stream_id: UUID) -> Aggregate:
        """The stream (read-only: shared, not to be changed) if this actor may read its
        history; otherwise NotFound, the same as for a stream that does not exist."""
        stream = self._history_stream(actor_id, stream_id)
        if stream is None:
            raise NotFound(NOT_FOUND["stream"], id=str(stream_id))
        return stream
