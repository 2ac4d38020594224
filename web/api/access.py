"""Who may read what from the read models.  Every rule asks the application (the
write side): ``get_challenge`` and ``get_submission`` hide what the caller may not
see, organisation roles come from the ``Organisation`` aggregate.  A caller who may
not see a resource gets NotFound (404), never a hint that it exists."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from openinno.application import OpenInno
from openinno.domain import (
    Account,
    ApiToken,
    Challenge,
    EmailClaim,
    IdempotencyRecord,
    IpAgreement,
    Organisation,
    Review,
    SolverEntries,
    Submission,
    SupportTally,
    Vote,
)
from openinno.domain.errors import NotFound

# Organisation roles that act for the sponsor on legal matters (countersign, chain of title).
LEGAL_ROLES = ("owner", "legal")


def is_admin(openinno: OpenInno, viewer: UUID | None) -> bool:
    if viewer is None:
        return False
    try:
        account = openinno.get_account(viewer)
    except NotFound:
        return False
    return account.active and account.is_admin


def role_in(openinno: OpenInno, viewer: UUID | None, organisation_id: UUID) -> str | None:
    if viewer is None:
        return None
    return openinno.get_organisation(organisation_id).role_of(viewer)


@dataclass(frozen=True)
class EntriesAudience:
    """How a caller sees a challenge's entries."""

    challenge: Challenge
    kind: str  # "sponsor" (members and admins), "reviewer" (blind) or "public"
    identities: bool  # solver ids and names shown

    @property
    def all_statuses(self) -> bool:
        return self.kind == "sponsor"


def entries_audience(
    openinno: OpenInno, viewer: UUID | None, challenge_id: UUID
) -> EntriesAudience:
    """Sponsors (members of the organisation) and admins see every entry; the
    challenge's accepted reviewers see live entries under pseudonyms; anyone sees a
    public gallery's live entries.  Solver identities show only once the sponsor
    revealed them (admins always see them)."""
    challenge = openinno.get_challenge(challenge_id, viewer)
    admin = is_admin(openinno, viewer)
    revealed = challenge.identities_revealed
    if admin or role_in(openinno, viewer, challenge.organisation_id) is not None:
        return EntriesAudience(challenge, "sponsor", revealed or admin)
    if viewer is not None and viewer in challenge.reviewers:
        return EntriesAudience(challenge, "reviewer", revealed)
    if challenge.status != "draft" and challenge.spec.visibility == "public":
        return EntriesAudience(challenge, "public", revealed)
    raise NotFound(f"No list of entries for challenge {challenge_id}.")


def sponsor_challenge(openinno: OpenInno, viewer: UUID, challenge_id: UUID) -> Challenge:
    """The challenge, for members of its organisation and admins only."""
    challenge = openinno.get_challenge(challenge_id, viewer)
    if role_in(openinno, viewer, challenge.organisation_id) is None and not is_admin(
        openinno, viewer
    ):
        raise NotFound(f"No challenge with id {challenge_id}.")
    return challenge


def member_organisation(openinno: OpenInno, viewer: UUID, organisation_id: UUID) -> Organisation:
    """The organisation, for its members and admins only."""
    organisation = openinno.get_organisation(organisation_id)
    if organisation.role_of(viewer) is None and not is_admin(openinno, viewer):
        raise NotFound(f"No organisation with id {organisation_id}.")
    return organisation


def chain_submission(openinno: OpenInno, viewer: UUID, submission_id: UUID) -> Submission:
    """A submission's chain of title: its authors, the sponsor's owners and legal
    members, and admins.  Managers and reviewers see the entry but not its title chain."""
    submission = openinno.get_submission(viewer, submission_id)
    if viewer in submission.author_ids or is_admin(openinno, viewer):
        return submission
    challenge = openinno.get_challenge(submission.challenge_id, viewer)
    if role_in(openinno, viewer, challenge.organisation_id) in LEGAL_ROLES:
        return submission
    raise NotFound(f"No submission with id {submission_id}.")


# --- the history of a stream, per stream type -----------------------------------------------
#
#   Submission        its chain-of-title audience (authors, sponsor owners/legal, admins)
#   IpAgreement       its parties: authors, members of the assignee organisation, admins
#   Challenge         members of its organisation, admins (drafts, invitations, shortlists)
#   Organisation      its members, admins
#   Account           the account itself, admins (password hashes are never in the read model)
#   Review            the reviewer, members of the sponsor organisation, admins
#   Vote              the voter, admins
#   SolverEntries     the solver, admins
#   SupportTally      admins
#   EmailClaim        admins (its id is derived from an email address)
#   ApiToken          nobody: the stream id is derived from the token's hash
#   IdempotencyRecord nobody: it keeps request fingerprints and response bodies


def _load(openinno: OpenInno, stream_id: UUID) -> object | None:
    try:
        return openinno.repository.get(stream_id)
    except AggregateNotFoundError:
        return None


def _organisation_member(openinno: OpenInno, viewer: UUID, challenge_id: UUID) -> bool:
    challenge = openinno.get_challenge(challenge_id, viewer)
    return role_in(openinno, viewer, challenge.organisation_id) is not None


def may_read_history(openinno: OpenInno, viewer: UUID, stream: object) -> bool:
    if isinstance(stream, ApiToken | IdempotencyRecord):
        return False
    if isinstance(stream, Submission):
        try:
            chain_submission(openinno, viewer, stream.id)
        except NotFound:
            return False
        return True
    if is_admin(openinno, viewer):
        return True
    if isinstance(stream, IpAgreement):
        try:
            openinno.get_agreement(viewer, stream.id)
        except NotFound:
            return False
        return True
    if isinstance(stream, Challenge):
        return stream.organisation_id is not None and (
            role_in(openinno, viewer, stream.organisation_id) is not None
        )
    if isinstance(stream, Organisation):
        return stream.role_of(viewer) is not None
    if isinstance(stream, Account):
        return stream.id == viewer
    if isinstance(stream, Review):
        return stream.reviewer_id == viewer or _organisation_member(
            openinno, viewer, stream.challenge_id
        )
    if isinstance(stream, Vote):
        return stream.voter_id == viewer
    if isinstance(stream, SolverEntries):
        return stream.solver_id == viewer
    if isinstance(stream, SupportTally | EmailClaim):
        return False
    return False


def history_stream(openinno: OpenInno, viewer: UUID, stream_id: UUID) -> object:
    stream = _load(openinno, stream_id)
    if stream is None or not may_read_history(openinno, viewer, stream):
        raise NotFound(f"No stream with id {stream_id}.")
    return stream
