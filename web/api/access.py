"""Who may read what from the read models.  Every rule asks the application (the
write side): ``get_challenge`` and ``get_submission`` hide what the caller may not
see, organisation roles come from the ``Organisation`` aggregate.  A caller who may
not see a resource gets NotFound (404), never a hint that it exists."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from openinno.application import OpenInno
from openinno.domain import (
    Challenge,
    Organisation,
    Submission,
)
from openinno.domain.blind import AuthorVisibility
from openinno.domain.errors import NOT_FOUND, NotFound


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
    seen_by: AuthorVisibility  # whose solver ids and names show (blind review's rule)

    @property
    def all_statuses(self) -> bool:
        return self.kind == "sponsor"


def entries_audience(
    openinno: OpenInno, viewer: UUID | None, challenge_id: UUID
) -> EntriesAudience:
    """Sponsors (members of the organisation) and admins see every entry; the
    challenge's accepted reviewers see live entries under pseudonyms; anyone sees a
    public gallery's live entries.  Solver identities show as blind review's rule
    says (``OpenInno.author_visibility``)."""
    challenge = openinno.get_challenge(challenge_id, viewer)
    seen_by = openinno.author_visibility(viewer, challenge)
    if (
        is_admin(openinno, viewer)
        or role_in(openinno, viewer, challenge.organisation_id) is not None
    ):
        return EntriesAudience(challenge, "sponsor", seen_by)
    if viewer is not None and viewer in challenge.reviewers:
        return EntriesAudience(challenge, "reviewer", seen_by)
    if challenge.status != "draft" and challenge.spec.visibility == "public":
        return EntriesAudience(challenge, "public", seen_by)
    raise NotFound("No list of entries for challenge %(id)s.", id=str(challenge_id))


def sponsor_challenge(openinno: OpenInno, viewer: UUID, challenge_id: UUID) -> Challenge:
    """The challenge, for members of its organisation and admins only (the pages' rule
    too: ``OpenInno.require_sponsor_view``)."""
    challenge = openinno.get_challenge(challenge_id, viewer)
    try:
        openinno.require_sponsor_view(viewer, challenge.organisation_id)
    except NotFound:
        raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id)) from None
    return challenge


def member_organisation(openinno: OpenInno, viewer: UUID, organisation_id: UUID) -> Organisation:
    """The organisation, for its members and admins only (``OpenInno.require_sponsor_view``)."""
    return openinno.require_sponsor_view(viewer, organisation_id)


def chain_submission(openinno: OpenInno, viewer: UUID, submission_id: UUID) -> Submission:
    """A submission's chain of title and evidence: the application's rule
    (``OpenInno.require_chain_of_title``), shared with the pages."""
    submission, _challenge = openinno.require_chain_of_title(viewer, submission_id)
    return submission


# The history of a stream: who may read it is the application's rule
# (``OpenInno.require_history_access``), shared with the pages.
