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
from openinno.commands.entry_files import (
    EntryFiles,
    ServedFile,
    ShownFile,
    neutral_file_name,
)
from openinno.commands.judging import Judging
from openinno.commands.moderation import Moderation
from openinno.commands.notifications import NotificationCommands
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
from openinno.commands.tokens import ApiTokens
from openinno.commands.votes import VoteIntegrity
from openinno.commands.webhooks import WebhookCommands
from openinno.derivatives import DerivedFiles
from openinno.domain import (
    Account,
    Challenge,
    EmailClaim,
    EntryDraft,
    IpAgreement,
    Organisation,
    SolverEntries,
    Submission,
    SupportTally,
    Vote,
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
    Term,
    TermsMismatch,
)
from openinno.domain.organisation import LOGO_MAX_BYTES, LOGO_TYPES
from openinno.domain.submission import check_content, content_sha256
from openinno.domain.values import (
    ChallengeSpec,
    Signature,
    SubmissionContent,
    normalise_email,
    same_name,
    terms_document,
)
from openinno.domain.vote import ADDRESS_LENGTH, USER_AGENT_LENGTH
from openinno.files import FileStore, Upload, check_upload, sniff_media_type
from openinno.keyed_lock import KeyedLocks
from openinno.passwords import Passwords
from openinno.persistence import pool_check, statements, write_proof
from openinno.persistence.environment import eventsourcing_env
from openinno.persistence.group_commit import GroupCommitter
from openinno.persistence.mapper import MsgspecMapper
from openinno.persistence.repository import CopyOnWriteRepository, postgres_read_many
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
        return mapper

    def construct_repository(self) -> Repository[UUID]:
        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        recorder = self.events.recorder
        return CopyOnWriteRepository(
            self.events,
            cache_maxsize=int(size) if size else None,
            read_many=(
                postgres_read_many(recorder)
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

    def _commit(self, *aggregates: Aggregate | None) -> int:
        try:
            recordings = self.save(*aggregates)
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
        if not self.passwords.verify(account.password_hash, password) or not account.active:
            raise InvalidCredentials("Email or password is wrong.")
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
    def remove_member(self, actor_id: UUID, organisation_id: UUID, account_id: UUID) -> Recorded:
        self._actor(actor_id)
        organisation = self._member_of(actor_id, organisation_id)
        organisation.remove_member(actor_id, account_id, self._now())
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

    # --- submissions ----------------------------------------------------------------------

    def _content(self, title: str, summary: str, files: Sequence[Upload]) -> SubmissionContent:
        refs = tuple(check_upload(f, max_bytes=self.settings.max_file_bytes) for f in files)
        content = SubmissionContent(title=title.strip(), summary=summary.strip(), files=refs)
        check_content(content, max_files=self.settings.max_files_per_submission)
        return content

    def _store_files(self, files: Sequence[Upload]) -> None:
        # Before the events: a file without an event is harmless (content-addressed,
        # unreferenced); an event naming a missing file would not be.
        for upload in files:
            self.files.put(upload)

    def reads_of_submit(self, actor_id: UUID, challenge_id: UUID) -> tuple[UUID | None, ...]:
        """The streams ``submit`` reads, for one query (``read_ahead``).  Named co-authors
        are not read: nothing about them is decided until they confirm."""
        return (
            actor_id,
            challenge_id,
            self._streams.cached_link(challenge_id, "organisation_id"),
            ids.solver_entries_id(challenge_id, actor_id),
        )

    def _require_may_enter(
        self, person_id: UUID, challenge: Challenge, organisation: Organisation
    ) -> None:
        """Who may be an author of an entry: not the sponsor's staff, not its judges."""
        if organisation.role_of(person_id) is not None:
            raise AccessDenied("Members of the sponsor organisation cannot enter its challenges.")
        challenge.require_not_judging(person_id, Term("enter it"))
        if challenge.spec.enter_needs_verified_email:
            person = self._maybe_load(person_id, Account, readonly=True)
            if person is None or not person.email_is_verified:
                raise AccessDenied(
                    "This challenge takes entries only from accounts with a verified"
                    " e-mail address."
                )

    @retry_on_conflict
    def submit(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        title: str,
        summary: str,
        accepted_terms_sha256: str,
        files: Sequence[Upload] = (),
        team_ids: Sequence[UUID] = (),
        team_id: UUID | None = None,
    ) -> SubmissionRecorded:
        """``team_id``: enter for this team (issue 21, teams.py): its members who
        accepted the terms are the authors.  ``team_ids`` (older clients): invitations
        to the submitter's team, never authorship (``TeamCommands._submit_inviting``);
        recorded as given, unchecked, so that inviting one tells nothing about its
        account.  Entries recorded before issue 21 named co-authors instead
        (``Submission.CoauthorsNamed``), who still confirm or decline."""
        return self._submit_once(
            actor_id,
            challenge_id,
            title,
            summary,
            accepted_terms_sha256,
            files,
            team_ids,
            team_id,
        )

    def _submit_once(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        title: str,
        summary: str,
        accepted_terms_sha256: str,
        files: Sequence[Upload] = (),
        team_ids: Sequence[UUID] = (),
        team_id: UUID | None = None,
        draft: EntryDraft | None = None,
    ) -> SubmissionRecorded:
        """``submit``, once (the caller retries on a conflict).  ``draft``: the entry
        draft this submits, closed in the same transaction (``submit_draft``)."""
        # Read-only loads (no copy): only SolverEntries and the new Submission change.
        self._streams.read_ahead(self.reads_of_submit(actor_id, challenge_id))
        self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        at = self._now()
        challenge.require_accepting_submissions(at)
        if accepted_terms_sha256 != challenge.terms_sha256:
            raise TermsMismatch(
                "The terms you accepted are not the published ones; read them again and accept.",
                field="accepted_terms_sha256",
            )
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        self._require_may_enter(actor_id, challenge, organisation)
        content = self._content(title, summary, files)
        if team_id is not None:
            if team_ids:
                raise InvalidInput(
                    "Invite people to the team instead of naming them.", field="team_ids"
                )
            return self._submit_for_team(
                actor_id, challenge, team_id, content, accepted_terms_sha256, files, at, draft
            )
        if team_ids:
            return self._submit_inviting(
                actor_id, challenge, team_ids, content, accepted_terms_sha256, files, at
            )
        submission_id = uuid4()
        entries = self._entries(challenge_id, actor_id, at)
        entries.count_entry(submission_id, challenge.spec.max_submissions_per_solver, at)
        digest = content_sha256(content)
        submission = Submission(
            id=submission_id,
            actor_id=actor_id,
            challenge_id=challenge_id,
            team_ids=(),
            content=content,
            accepted_terms_sha256=accepted_terms_sha256,
            content_sha256=digest,
            receipt_id=uuid4(),
            timestamp=at,
            terms_accepted_at=(at,),
        )
        if draft is not None:
            draft.mark_submitted(actor_id, submission_id, at)
        self._store_files(files)
        position = self._commit(submission, entries, draft)
        return SubmissionRecorded(submission_id, position, submission.receipt)

    @retry_on_conflict
    def confirm_coauthorship(self, actor_id: UUID, submission_id: UUID) -> Recorded:
        """A named co-author accepts: an author from now on, with an entry slot of theirs
        counted (the limit holds per person, whether they lead an entry or co-author it)."""
        self._actor(actor_id)
        submission = self._named_on(actor_id, submission_id)
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        at = self._now()
        challenge.require_accepting_submissions(at)
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        self._require_may_enter(actor_id, challenge, organisation)
        submission.confirm_coauthorship(actor_id, at)
        # On the co-author's own entry count, in the same transaction: a race with their
        # other entries, or with an invitation to review, conflicts on that stream.
        entries = self._entries(challenge.id, actor_id, at)
        entries.count_entry(submission_id, challenge.spec.max_submissions_per_solver, at)
        return Recorded(submission_id, self._commit(submission, entries))

    @retry_on_conflict
    def decline_coauthorship(self, actor_id: UUID, submission_id: UUID) -> Recorded:
        """A named co-author refuses: no longer named on the entry."""
        self._actor(actor_id)
        submission = self._named_on(actor_id, submission_id)
        submission.decline_coauthorship(actor_id, self._now())
        return Recorded(submission_id, self._commit(submission))

    def _named_on(self, actor_id: UUID, submission_id: UUID) -> Submission:
        """The entry naming this actor as a co-author (confirmed or not); to anyone else
        it is not found."""
        submission = self._load(submission_id, Submission, "submission")
        if actor_id not in (*submission.named_coauthor_ids, *submission.team_ids):
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        return submission

    def _entries(self, challenge_id: UUID, solver_id: UUID, at: datetime) -> SolverEntries:
        entries_id = ids.solver_entries_id(challenge_id, solver_id)
        return self._maybe_load(entries_id, SolverEntries) or SolverEntries(
            id=entries_id, challenge_id=challenge_id, solver_id=solver_id, timestamp=at
        )

    @retry_on_conflict
    def revise_submission(
        self,
        actor_id: UUID,
        submission_id: UUID,
        title: str,
        summary: str,
        files: Sequence[Upload] = (),
    ) -> SubmissionRecorded:
        self._actor(actor_id)
        submission = self._load(submission_id, Submission, "submission")
        if submission.team_id is not None:
            return self._revise_for_team(actor_id, submission, title, summary, files)
        if actor_id not in submission.author_ids:
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        challenge = self._load(submission.challenge_id, Challenge, "challenge")
        challenge.require_accepting_submissions(self._now())
        content = self._content(title, summary, files)
        self._store_files(files)
        submission.revise(actor_id, content, uuid4(), self._now())
        return SubmissionRecorded(submission_id, self._commit(submission), submission.receipt)

    @retry_on_conflict
    def withdraw_submission(
        self, actor_id: UUID, submission_id: UUID, reason: str = ""
    ) -> Recorded:
        self._actor(actor_id)
        submission = self._load(submission_id, Submission, "submission")
        if submission.team_id is not None:
            return self._withdraw_for_team(actor_id, submission, reason)
        if actor_id != submission.solver_id:
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        at = self._now()
        self._require_withdrawals_open(submission, at)
        submission.withdraw(actor_id, reason, at)
        # A withdrawn entry frees its slot for every author: the limit counts live entries.
        entries = [self._entries(submission.challenge_id, a, at) for a in submission.author_ids]
        for author_entries in entries:
            author_entries.release_entry(submission_id, at)
        return Recorded(submission_id, self._commit(submission, *entries))

    def _require_withdrawals_open(self, submission: Submission, at: datetime) -> None:
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        challenge.require_withdrawals_open(at)

    # --- public support -------------------------------------------------------------------

    def reads_of_support(self, actor_id: UUID, submission_id: UUID) -> tuple[UUID | None, ...]:
        """The streams ``support`` and ``retract_support`` read, for one query."""
        challenge_id = self._streams.cached_link(submission_id, "challenge_id")
        return (
            actor_id,
            submission_id,
            challenge_id,
            challenge_id and self._streams.cached_link(challenge_id, "organisation_id"),
            ids.vote_id(submission_id, actor_id),
            # Not the tally: it is read under the entry's lock, after the votes
            # ahead of this one in the process have recorded theirs.
        )

    def _supportable(
        self, actor_id: UUID, submission_id: UUID, *, voting: bool = False
    ) -> tuple[Submission, Challenge]:
        """Both read-only (shared, not to be changed).  ``voting``: a vote cast (not
        retracted), which the challenge may keep to verified e-mail addresses."""
        challenge_id = self._streams.cached_link(submission_id, "challenge_id")
        self._streams.read_ahead(self.reads_of_support(actor_id, submission_id))
        account = self._actor(actor_id)
        submission = self._load(submission_id, Submission, "submission", readonly=True)
        if challenge_id is None:
            # An entry not cached yet: its challenge and organisation in one more query,
            # not one each.
            self._streams.read_ahead(
                (
                    submission.challenge_id,
                    self._streams.cached_link(submission.challenge_id, "organisation_id"),
                )
            )
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        if not self.may_view_submission(None, submission, challenge):
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        if actor_id in submission.author_ids:
            raise InvalidState("You cannot support your own entry.")
        if voting and challenge.spec.vote_needs_verified_email and not account.email_is_verified:
            raise AccessDenied(
                "This challenge counts votes only from accounts with a verified e-mail address."
            )
        return submission, challenge

    @retry_on_conflict
    def support(
        self, actor_id: UUID, submission_id: UUID, address: str = "", user_agent: str = ""
    ) -> SupportRecorded:
        """``address`` and ``user_agent``: the request's, kept on the vote for the
        anomaly signals (issue 24)."""
        _submission, challenge = self._supportable(actor_id, submission_id, voting=True)
        # Staff could push their own challenge's entries over a support threshold.
        # Retracting stays open to them (a vote cast before joining can be taken back).
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        if organisation.role_of(actor_id) is not None:
            raise AccessDenied(
                "Members of the sponsor organisation cannot support entries in its challenges."
            )
        # Read from the challenge already loaded: no read more on the votes' hot path.
        challenge.require_not_judging(actor_id, Term("support its entries"))
        at = self._now()
        challenge.require_voting_open(submission_id, at)
        vote_id = ids.vote_id(submission_id, actor_id)
        vote = self._maybe_load(vote_id, Vote)
        if vote is None:
            vote = Vote(
                id=vote_id,
                actor_id=actor_id,
                submission_id=submission_id,
                challenge_id=challenge.id,
                timestamp=at,
                address=address[:ADDRESS_LENGTH],
                user_agent=user_agent[:USER_AGENT_LENGTH],
            )
        else:
            vote.recast(actor_id, at, address, user_agent)
        with self._tally_locks.hold(submission_id):
            tally = self._tally(submission_id, at)
            tally.change(+1, at, vote_id)
            flagged: Submission | None = None
            threshold = challenge.spec.voting.threshold
            if threshold is not None and tally.crosses_threshold(threshold):
                tally.mark_threshold(threshold, at)
                # Once per entry: its own copy to change (the one above is shared).
                flagged = self._load(submission_id, Submission, "submission")
                flagged.reach_support_threshold(actor_id, tally.count, threshold, at)
            position = self._commit(vote, tally, flagged)
        return SupportRecorded(vote_id, position, tally.count)

    @retry_on_conflict
    def retract_support(self, actor_id: UUID, submission_id: UUID) -> SupportRecorded:
        _submission, challenge = self._supportable(actor_id, submission_id)
        at = self._now()
        challenge.require_voting_open(submission_id, at)
        vote = self._maybe_load(ids.vote_id(submission_id, actor_id), Vote)
        if vote is None:
            raise InvalidState("You do not support this entry.")
        vote.retract(actor_id, at)
        with self._tally_locks.hold(submission_id):
            tally = self._tally(submission_id, at)
            tally.change(-1, at, vote.id)
            position = self._commit(vote, tally)
        return SupportRecorded(vote.id, position, tally.count)

    def _tally(self, submission_id: UUID, at: datetime) -> SupportTally:
        tally_id = ids.support_tally_id(submission_id)
        return self._maybe_load(tally_id, SupportTally) or SupportTally(
            id=tally_id, submission_id=submission_id, timestamp=at
        )

    def support_count(self, submission_id: UUID) -> int:
        tally = self._maybe_load(ids.support_tally_id(submission_id), SupportTally, readonly=True)
        return tally.count if tally else 0

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
