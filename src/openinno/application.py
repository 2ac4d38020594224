"""The one eventsourcing Application: its methods are the commands.

Every command takes the acting account's id, checks access per object here (a
route guard is not enough), reads the time from the injected clock, and saves
all the aggregates it changed in one atomic call.  Commands return the
notification id (``position``) they produced, so a page can wait for its read
model to catch up (read-your-writes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, PersistenceError, RecordConflictError, Recording
from eventsourcing.postgres import PostgresAggregateRecorder

from openinno.clock import Clock, SystemClock

# What callers import from here, defined by area in openinno.commands.
from openinno.commands.access import HISTORY_ROLES, AccessRules
from openinno.commands.account_links import AccountLinks
from openinno.commands.appeals import Appeals
from openinno.commands.assignment import Assignments
from openinno.commands.comments import Comments
from openinno.commands.drafts import EntryDrafts
from openinno.commands.duplicates import DuplicateRulings
from openinno.commands.entry_files import (
    EntryFiles,
    ServedFile,
    ShownFile,
    neutral_file_name,
)
from openinno.commands.judging import Judging
from openinno.commands.moderation import Moderation
from openinno.commands.notifications import NotificationCommands
from openinno.commands.personal_data import PersonalDataCommands
from openinno.commands.reawards import Reawards
from openinno.commands.remedies import Remedies
from openinno.commands.results import (
    AwardsRecorded,
    IdempotentResponse,
    Published,
    Recorded,
    SubmissionRecorded,
    SupportRecorded,
    TokenGrant,
    TokenInfo,
)
from openinno.commands.retry import retry_on_conflict
from openinno.commands.royalties import Royalties
from openinno.commands.signing_keys import SigningKeyHistory
from openinno.commands.submissions import Submissions
from openinno.commands.support import PublicSupport
from openinno.commands.tagging import Tagging
from openinno.commands.tokens import ApiTokens
from openinno.commands.votes import VoteIntegrity
from openinno.commands.webhooks import WebhookCommands
from openinno.derivatives import DerivedFiles
from openinno.domain import (
    Account,
    Challenge,
    EmailClaim,
    IpAgreement,
    Organisation,
    SolverEntries,
    Submission,
    ids,
)
from openinno.domain.account import check_profile
from openinno.domain.errors import (
    NOT_FOUND,
    NOTHING_FOUND,
    AccessDenied,
    ConflictOfInterest,
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidInput,
    InvalidState,
    NotFound,
    StoreUnavailable,
)
from openinno.domain.organisation import LOGO_MAX_BYTES, LOGO_TYPES
from openinno.domain.values import (
    ChallengeSpec,
    Signature,
    normalise_email,
    same_name,
    terms_document,
)
from openinno.files import FileStore, Upload, check_upload, sniff_media_type
from openinno.keyed_lock import KeyedLocks
from openinno.passwords import Passwords
from openinno.persistence import pool_check, statements, write_proof
from openinno.persistence.environment import eventsourcing_env
from openinno.persistence.group_commit import GroupCommitter
from openinno.persistence.mapper import MsgspecMapper
from openinno.persistence.repository import CopyOnWriteRepository
from openinno.privacy.keys import PersonalKeys
from openinno.settings import Settings
from openinno.teams import TeamCommands

__all__ = [
    "HISTORY_ROLES",
    "AwardsRecorded",
    "IdempotentResponse",
    "OpenInno",
    "Published",
    "Recorded",
    "ServedFile",
    "ShownFile",
    "SubmissionRecorded",
    "SupportRecorded",
    "TokenGrant",
    "TokenInfo",
    "neutral_file_name",
    "open_application",
    "retry_on_conflict",
]

A = TypeVar("A", bound=Aggregate)


class OpenInno(
    PersonalDataCommands,
    Tagging,
    DuplicateRulings,
    PublicSupport,
    Submissions,
    AccountLinks,
    NotificationCommands,
    VoteIntegrity,
    WebhookCommands,
    Remedies,
    Royalties,
    Appeals,
    Moderation,
    Comments,
    TeamCommands,
    Reawards,
    Judging,
    Assignments,
    EntryDrafts,
    AccessRules,
    EntryFiles,
    ApiTokens,
    SigningKeyHistory,
    Application[UUID],
):
    name = "openinno"

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        create_tables: bool = False,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.clock: Clock = clock or SystemClock()
        self.passwords = Passwords(
            time_cost=self.settings.argon2_time_cost,
            memory_cost_kib=self.settings.argon2_memory_kib,
        )
        self.files = FileStore(self.settings.files_dir)
        self.derived = DerivedFiles(self.files, self.settings.derived_files_dir)
        self._create_tables = create_tables
        super().__init__(env=eventsourcing_env(self.settings, create_table=create_tables))
        pool_check.install(self.recorder)
        statements.install(self.recorder, create=create_tables)
        # Votes on one entry take turns on its tally within this process (keyed_lock.py).
        self._tally_locks = KeyedLocks()
        self.group_committer: GroupCommitter | None = (
            GroupCommitter(self.mapper, self.recorder)
            if self.settings.group_commit_enabled
            else None
        )

    # --- plumbing ---------------------------------------------------------------------

    def construct_mapper(self) -> Mapper[UUID]:
        # Every event recorded carries a write proof when the write key is configured.
        mapper = super().construct_mapper()
        if isinstance(mapper, MsgspecMapper):
            mapper.write_key = write_proof.load_key(self.settings.write_key_path)
            # Personal fields are encrypted under their person's key (decision 0032).
            mapper.personal = PersonalKeys(self.settings, create_tables=self._create_tables)
        return mapper

    def close(self) -> None:
        personal = getattr(self.mapper, "personal", None)
        if personal is not None:
            personal.close()
        super().close()

    def construct_repository(self) -> Repository[UUID]:
        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        recorder = self.events.recorder
        return CopyOnWriteRepository(
            self.events,
            cache_maxsize=int(size) if size else None,
            read_many=(
                statements.streams_reader(recorder)
                if isinstance(recorder, PostgresAggregateRecorder)
                else None
            ),
        )

    @property
    def _streams(self) -> CopyOnWriteRepository:
        return cast(CopyOnWriteRepository, self.repository)

    def one_snapshot(self) -> AbstractContextManager[object]:
        """One scope of reads ahead for a request's token lookup and its command
        (``account_for_token(..., also=...)``): the streams the command will read come
        in the same query as the token's.  Nothing is decided on them before the token
        is: the command still runs only once its account is known and active."""
        return self._streams.fresh_reads()

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        # The rest of Application.save (snapshots, notify) runs as the library has it.
        if self.group_committer is None or processing_event.tracking is not None:
            return super()._record(processing_event)
        return self.group_committer.put(processing_event.events)

    def _now(self) -> datetime:
        return self.clock.now()

    def _save(self, aggregates: Sequence[Aggregate | None]) -> list[Recording[UUID]]:
        """``Application.save`` for this application's own aggregates: the library's
        steps (record, snapshots, notify), with the events collected directly.  The
        library's ``collect_events`` asks of every object whether it is an event or an
        aggregate through runtime-checkable protocols, which walk the protocols'
        members on every check: about a tenth of a millisecond per command, a tenth of
        the floor a vote is measured against (docs/decisions/0034)."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in aggregates:
            if aggregate is not None:
                processing_event.events.extend(aggregate.collect_events())
                processing_event.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, as save has it
        return recordings

    def _commit(self, *aggregates: Aggregate | None) -> int:
        try:
            recordings = self._save(aggregates)
        except RecordConflictError:
            raise
        except PersistenceError as e:
            # The transaction rolled back as a whole: nothing of this command is stored.
            raise StoreUnavailable(
                "The event store could not record this (%(cause)s); nothing was saved. "
                "Try again shortly.",
                cause=str(e),
            ) from e
        finally:
            # Recorded (or not): either way, read afresh from now on.
            self._streams.forget(a.id for a in aggregates if a is not None)
        if not recordings:
            raise InvalidState("Nothing to record.")
        position = recordings[-1].notification.id
        return position

    def _load(self, aggregate_id: UUID, kind: type[A], what: str, *, readonly: bool = False) -> A:
        """``readonly``: the shared cached object, which the caller must not change
        (no copy is made); otherwise the caller's own copy, to change and save."""
        unknown = NOT_FOUND.get(what, NOTHING_FOUND)
        try:
            aggregate: Aggregate = self.repository.get(
                aggregate_id, deepcopy_from_cache=not readonly
            )
        except AggregateNotFoundError:
            raise NotFound(unknown, id=str(aggregate_id)) from None
        if not isinstance(aggregate, kind):
            raise NotFound(unknown, id=str(aggregate_id))
        return aggregate

    def _maybe_load(self, aggregate_id: UUID, kind: type[A], *, readonly: bool = False) -> A | None:
        try:
            aggregate: Aggregate = self.repository.get(
                aggregate_id, deepcopy_from_cache=not readonly
            )
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None

    def _actor(self, actor_id: UUID, *, readonly: bool = True) -> Account:
        account = self._maybe_load(actor_id, Account, readonly=readonly)
        if account is None or not account.active:
            raise AccessDenied("Sign in with an active account first.")
        return account

    def _sponsor(self, actor_id: UUID, challenge: Challenge, *roles: str) -> Organisation:
        """The challenge's organisation (read-only) if the actor holds one of the roles."""
        self._actor(actor_id)
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        organisation.require_role(actor_id, *roles)
        return organisation

    def _visible_challenge(
        self, actor_id: UUID | None, challenge_id: UUID, *, readonly: bool = False
    ) -> Challenge:
        """Drafts exist only for their organisation: to anyone else they are not found;
        a discarded draft is not found by anyone."""
        challenge = self._load(challenge_id, Challenge, "challenge", readonly=readonly)
        if challenge.status == "discarded":
            raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id))
        if challenge.status == "draft":
            organisation = self._load(
                challenge.organisation_id, Organisation, "organisation", readonly=True
            )
            if actor_id is None or organisation.role_of(actor_id) is None:
                raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id))
        return challenge

    def authenticate(self, email: str, password: str) -> UUID:
        try:
            normalised = normalise_email(email)
        except InvalidInput:
            raise InvalidCredentials("Email or password is wrong.") from None
        claim = self._maybe_load(ids.email_claim_id(normalised), EmailClaim)
        if claim is None:
            self.passwords.dummy_verify()
            raise InvalidCredentials("Email or password is wrong.")
        account = self._load(claim.account_id, Account, "account")
        if not self.passwords.verify(account.password_hash, password):
            raise InvalidCredentials("Email or password is wrong.")
        if not account.active:
            # Only to who knows the password: the holder learns why (issue 24), where an
            # admin gave a reason.
            if account.deactivation_reason:
                raise InvalidCredentials(
                    "This account was deactivated: %(reason)s",
                    reason=account.deactivation_reason,
                )
            raise InvalidCredentials("This account was deactivated.")
        return account.id

    def account_id_for_email(self, email: str) -> UUID | None:
        claim = self._maybe_load(ids.email_claim_id(normalise_email(email)), EmailClaim)
        return claim.account_id if claim else None

    # --- accounts ---------------------------------------------------------------------------

    @retry_on_conflict
    def register_account(
        self,
        email: str,
        password: str,
        display_name: str,
        locale: str = "en",
        time_zone: str = "UTC",
    ) -> Recorded:
        normalised = normalise_email(email)
        check_profile(display_name, locale, time_zone)
        claim_id = ids.email_claim_id(normalised)
        if self._maybe_load(claim_id, EmailClaim) is not None:
            raise EmailAlreadyRegistered("That email is already registered; sign in instead.")
        password_hash = self.passwords.hash(password)
        account_id = uuid4()
        at = self._now()
        account = Account(
            id=account_id,
            actor_id=account_id,
            email=normalised,
            display_name=display_name,
            locale=locale,
            time_zone=time_zone,
            password_hash=password_hash,
            timestamp=at,
        )
        claim = EmailClaim(id=claim_id, account_id=account_id, timestamp=at)
        try:
            return Recorded(account_id, self._commit(account, claim))
        except RecordConflictError:
            raise EmailAlreadyRegistered(
                "That email is already registered; sign in instead."
            ) from None

    def update_profile(
        self, actor_id: UUID, display_name: str, locale: str, time_zone: str
    ) -> Recorded:
        account = self._actor(actor_id, readonly=False)
        account.update_profile(actor_id, display_name, locale, time_zone, self._now())
        return Recorded(actor_id, self._commit(account))

    def change_password(self, actor_id: UUID, old_password: str, new_password: str) -> Recorded:
        """A new password ends every API token issued under the old one, in the same
        transaction (whoever knew the old password may have issued some)."""
        account = self._actor(actor_id, readonly=False)
        if not self.passwords.verify(account.password_hash, old_password):
            raise InvalidCredentials("Your current password is wrong.")
        at = self._now()
        account.change_password(actor_id, self.passwords.hash(new_password), at)
        account.revoke_api_tokens(actor_id, "password changed", at)
        return Recorded(actor_id, self._commit(account))

    def grant_admin(self, actor_id: UUID, account_id: UUID) -> Recorded:
        """Only an admin grants the admin role."""
        if not self._actor(actor_id).is_admin:
            raise AccessDenied("Only an admin can grant the admin role.")
        return self._grant_admin(actor_id, account_id)

    def grant_admin_as_operator(self, account_id: UUID) -> Recorded:
        """The operator's path (`openinno admin create`, shell access to the server):
        no web or API route may call this.  Recorded as the account acting on itself."""
        return self._grant_admin(account_id, account_id)

    @retry_on_conflict
    def _grant_admin(self, actor_id: UUID, account_id: UUID) -> Recorded:
        account = self._load(account_id, Account, "account")
        if account.is_admin:
            raise InvalidState("That account is already an admin.")
        account.grant_role(actor_id, "admin", self._now())
        return Recorded(account_id, self._commit(account))

    @retry_on_conflict
    def revoke_admin(self, actor_id: UUID, account_id: UUID) -> Recorded:
        if not self._actor(actor_id).is_admin:
            raise AccessDenied("Only an admin can revoke the admin role.")
        account = self._load(account_id, Account, "account")
        if not account.is_admin:
            raise InvalidState("That account is not an admin.")
        account.revoke_role(actor_id, "admin", self._now())
        return Recorded(account_id, self._commit(account))

    # --- organisations ------------------------------------------------------------------

    def create_organisation(self, actor_id: UUID, name: str) -> Recorded:
        self._actor(actor_id)
        organisation = Organisation(
            actor_id=actor_id, name=Organisation.check_name(name), timestamp=self._now()
        )
        return Recorded(organisation.id, self._commit(organisation))

    def _member_of(self, actor_id: UUID, organisation_id: UUID) -> Organisation:
        """The organisation (a copy to change) if the actor is one of its members; to
        anyone else NotFound, as for an unknown one: a refusal would name it."""
        organisation = self._load(organisation_id, Organisation, "organisation")
        if organisation.role_of(actor_id) is None:
            raise NotFound(NOT_FOUND["organisation"], id=str(organisation_id))
        return organisation

    @retry_on_conflict
    def change_organisation_logo(
        self, actor_id: UUID, organisation_id: UUID, upload: Upload | None
    ) -> Recorded:
        """Set (an image upload) or remove (None) the logo shown on the organisation's
        challenges: its owners and managers."""
        self._actor(actor_id)
        organisation = self._member_of(actor_id, organisation_id)
        logo = None
        if upload is not None:
            if sniff_media_type(upload.content) not in LOGO_TYPES:  # before the entry kinds
                raise InvalidInput("A logo is a PNG, JPEG, WebP or GIF image.", field="logo")
            logo = check_upload(upload, max_bytes=LOGO_MAX_BYTES)
        organisation.change_logo(actor_id, logo, self._now())
        if upload is not None:
            self._store_files([upload])
        return Recorded(organisation_id, self._commit(organisation))

    def logo_for(self, organisation_id: UUID) -> ServedFile:
        """The organisation's logo, to anyone: it is shown on its public challenges."""
        organisation = self._maybe_load(organisation_id, Organisation, readonly=True)
        logo = organisation.logo if organisation is not None else None
        if logo is None or not self.files.exists(logo.sha256):
            raise NotFound("This organisation shows no logo.")
        path = self.files.path_for(logo.sha256)
        return ServedFile(path, logo.size, logo.sha256, logo.media_type, logo.name, blind=False)

    @retry_on_conflict
    def add_member(
        self, actor_id: UUID, organisation_id: UUID, account_id: UUID, role: str
    ) -> Recorded:
        self._actor(actor_id)
        organisation = self._member_of(actor_id, organisation_id)
        member = self._maybe_load(account_id, Account)
        if member is None or not member.active:
            raise InvalidInput("No active account with that id.", field="account_id")
        organisation.add_member(actor_id, account_id, role, self._now())
        return Recorded(organisation_id, self._commit(organisation))

    @retry_on_conflict
    def remove_member(
        self, actor_id: UUID, organisation_id: UUID, account_id: UUID, reason: str = ""
    ) -> Recorded:
        """``reason``: told to the person removed (issue 24)."""
        self._actor(actor_id)
        organisation = self._member_of(actor_id, organisation_id)
        organisation.remove_member(actor_id, account_id, self._now(), reason)
        return Recorded(organisation_id, self._commit(organisation))

    # --- challenges -----------------------------------------------------------------------

    def draft_challenge(
        self, actor_id: UUID, organisation_id: UUID, spec: ChallengeSpec
    ) -> Recorded:
        self._actor(actor_id)
        organisation = self._load(organisation_id, Organisation, "organisation")
        organisation.require_role(actor_id, "owner", "manager")
        Challenge.check_spec(spec)
        challenge = Challenge(
            actor_id=actor_id, organisation_id=organisation_id, spec=spec, timestamp=self._now()
        )
        return Recorded(challenge.id, self._commit(challenge))

    @retry_on_conflict
    def edit_challenge(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        spec: ChallengeSpec | Callable[[ChallengeSpec], ChallengeSpec],
    ) -> Recorded:
        """Replace the draft's spec, or change it with a function of the current one.
        The function form is applied to fresh state on every retry, so two concurrent
        partial edits (say, of the title and of the deadline) both survive."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        new_spec = spec(challenge.spec) if callable(spec) else spec
        challenge.edit_draft(actor_id, new_spec, self._now())
        return Recorded(challenge_id, self._commit(challenge))

    @retry_on_conflict
    def discard_challenge_draft(self, actor_id: UUID, challenge_id: UUID) -> Recorded:
        """Delete a draft (its owners and managers): it is no longer found by anyone."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        challenge.discard_draft(actor_id, self._now())
        return Recorded(challenge_id, self._commit(challenge))

    @retry_on_conflict
    def publish_challenge(self, actor_id: UUID, challenge_id: UUID) -> Published:
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        challenge.publish(actor_id, self._now())
        assert challenge.terms_sha256 is not None
        return Published(challenge_id, self._commit(challenge), challenge.terms_sha256)

    @retry_on_conflict
    def ask_question(self, actor_id: UUID, challenge_id: UUID, text: str) -> Recorded:
        self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id)
        question_id = uuid4()
        challenge.ask_question(actor_id, question_id, text, self._now())
        return Recorded(question_id, self._commit(challenge))

    @retry_on_conflict
    def answer_question(
        self, actor_id: UUID, challenge_id: UUID, question_id: UUID, text: str
    ) -> Recorded:
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        challenge.answer_question(actor_id, question_id, text, self._now())
        return Recorded(question_id, self._commit(challenge))

    @retry_on_conflict
    def hide_question(
        self, actor_id: UUID, challenge_id: UUID, question_id: UUID, reason: str
    ) -> Recorded:
        """Moderation is an event with a reason, never a deletion."""
        actor = self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id)
        if not actor.is_admin:
            self._sponsor(actor_id, challenge, "owner", "manager")
        challenge.hide_question(actor_id, question_id, reason, self._now())
        return Recorded(question_id, self._commit(challenge))

    @retry_on_conflict
    def post_announcement(self, actor_id: UUID, challenge_id: UUID, text: str) -> Recorded:
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        announcement_id = uuid4()
        challenge.post_announcement(actor_id, announcement_id, text, self._now())
        return Recorded(announcement_id, self._commit(challenge))

    @retry_on_conflict
    def extend_deadline(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        closes_at: datetime,
        text: str,
        review_ends_at: datetime | None = None,
    ) -> Recorded:
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        challenge.extend_deadline(
            actor_id, closes_at, uuid4(), text, self._now(), review_ends_at=review_ends_at
        )
        return Recorded(challenge_id, self._commit(challenge))

    @retry_on_conflict
    def invite_reviewer(
        self, actor_id: UUID, challenge_id: UUID, reviewer_id: UUID, round: int | None = None
    ) -> Recorded:
        """``round``: the review round they serve in (issue 20; default the first)."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        reviewer = self._maybe_load(reviewer_id, Account)
        if reviewer is None or not reviewer.active:
            raise InvalidInput("No active account with that id.", field="reviewer_id")
        at = self._now()
        challenge.invite_reviewer(actor_id, reviewer_id, at, round)
        # Noted on the person's entry count: refused if they entered, and an entry of
        # theirs racing this invitation conflicts with it on that stream.
        entries = self._entries(challenge_id, reviewer_id, at)
        entries.note_review_invitation(actor_id, at)
        return Recorded(challenge_id, self._commit(challenge, entries))

    @retry_on_conflict
    def accept_reviewer_invitation(self, actor_id: UUID, challenge_id: UUID) -> Recorded:
        self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id)
        if actor_id not in challenge.invited_reviewers:
            raise NotFound("No invitation to review challenge %(id)s.", id=str(challenge_id))
        # Invitations recorded before they were noted on the entry count could name
        # someone who had entered.
        entries = self._maybe_load(
            ids.solver_entries_id(challenge_id, actor_id), SolverEntries, readonly=True
        )
        if entries is not None and entries.entered:
            raise ConflictOfInterest(
                "You have an entry in this challenge, so you cannot review it."
            )
        challenge.accept_reviewer_invitation(actor_id, self._now())
        return Recorded(challenge_id, self._commit(challenge))

    # --- shortlist, awards and agreements -------------------------------------------------

    def _entries_of(self, challenge: Challenge, submission_ids: Sequence[UUID]) -> list[Submission]:
        submissions = []
        for submission_id in submission_ids:
            submission = self._load(submission_id, Submission, "submission")
            if submission.challenge_id != challenge.id:
                raise InvalidInput(
                    "Submission %(id)s is not an entry of this challenge.",
                    field="submission_ids",
                    id=str(submission_id),
                )
            submission.require_active()
            submissions.append(submission)
        return submissions

    @retry_on_conflict
    def publish_shortlist(
        self, actor_id: UUID, challenge_id: UUID, submission_ids: Sequence[UUID]
    ) -> Recorded:
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        at = self._now()
        challenge.publish_shortlist(actor_id, tuple(submission_ids), at)
        submissions = self._entries_of(challenge, submission_ids)
        for submission in submissions:
            submission.shortlist(actor_id, at)
        return Recorded(challenge_id, self._commit(challenge, *submissions))

    @retry_on_conflict
    def reveal_identities(self, actor_id: UUID, challenge_id: UUID) -> Recorded:
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._sponsor(actor_id, challenge, "owner", "manager")
        challenge.reveal_identities(actor_id, self._now())
        return Recorded(challenge_id, self._commit(challenge))

    def _signature(
        self,
        actor_id: UUID,
        typed_name: str,
        intent: str,
        text_sha256: str,
        auth_method: str,
        ip_address: str,
        user_agent: str,
    ) -> Signature:
        account = self._actor(actor_id)
        return Signature(
            signer_id=actor_id,
            typed_name=typed_name.strip(),
            intent=intent.strip(),
            auth_method=auth_method,
            ip_address=ip_address[:64],
            user_agent=user_agent[:512],
            text_sha256=text_sha256,
            typed_name_matches_account=same_name(typed_name, account.display_name),
        )

    @retry_on_conflict
    def sign_agreement(
        self,
        actor_id: UUID,
        agreement_id: UUID,
        typed_name: str,
        intent: str,
        text_sha256: str,
        auth_method: str = "password",
        ip_address: str = "",
        user_agent: str = "",
    ) -> Recorded:
        self._actor(actor_id)
        agreement = self._load(agreement_id, IpAgreement, "agreement")
        if actor_id not in agreement.authors:
            raise NotFound(NOT_FOUND["agreement"], id=str(agreement_id))
        signature = self._signature(
            actor_id, typed_name, intent, text_sha256, auth_method, ip_address, user_agent
        )
        agreement.sign(actor_id, signature, self._now())
        return Recorded(agreement_id, self._commit(agreement))

    def _sponsor_agreement(self, actor_id: UUID, agreement_id: UUID, *roles: str) -> IpAgreement:
        self._actor(actor_id)
        agreement = self._load(agreement_id, IpAgreement, "agreement")
        organisation = self._load(agreement.assignee_organisation_id, Organisation, "organisation")
        challenge = self._load(agreement.challenge_id, Challenge, "challenge", readonly=True)
        # The agreement names its authors: a member who may not know them yet (a
        # manager before the reveal) may not find it, to read or to act on (get_agreement).
        if organisation.role_of(actor_id) is None or not self.author_visibility(
            actor_id, challenge
        ).sees(agreement.authors, awarded=True):
            raise NotFound(NOT_FOUND["agreement"], id=str(agreement_id))
        organisation.require_role(actor_id, *roles)
        return agreement

    @retry_on_conflict
    def countersign_agreement(
        self,
        actor_id: UUID,
        agreement_id: UUID,
        typed_name: str,
        intent: str,
        text_sha256: str,
        auth_method: str = "password",
        ip_address: str = "",
        user_agent: str = "",
    ) -> Recorded:
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "legal")
        signature = self._signature(
            actor_id, typed_name, intent, text_sha256, auth_method, ip_address, user_agent
        )
        agreement.countersign(actor_id, signature, self._now())
        return Recorded(agreement_id, self._commit(agreement))

    @retry_on_conflict
    def record_payment(self, actor_id: UUID, agreement_id: UUID, reference: str) -> Recorded:
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "manager")
        agreement.record_payment(actor_id, reference, self._now())
        return Recorded(agreement_id, self._commit(agreement))

    def terms_document(self, challenge: Challenge) -> bytes:
        """The exact bytes whose SHA-256 is the published terms hash."""
        if challenge.terms is None:
            raise InvalidState("This challenge is not published yet.")
        return terms_document(challenge.terms)


def open_application(settings: Settings | None = None, **kwargs: Any) -> OpenInno:
    return OpenInno(settings, **kwargs)
