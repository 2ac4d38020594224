"""Public support: one vote per person per submission; and (issue 24) the votes
an entry's sponsor sees flagged by the anomaly signals, and voids with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.commands.votes import BULK_VOID_LIMIT, VotesVoided
from openinno.domain.limits import TEXTS
from projections.values import parse_iso
from projections.votes import queries as votes
from web.api.auth import SECURITY, provide_actor, signed_in
from web.api.common import Strict, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.ratelimit import client_address
from web.api.reads import ApiReads, MinPosition
from web.proof_of_work import HEADER as PROOF_HEADER
from web.proof_of_work import proof_of_work_for


class VoteRecorded(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    support_count: int


@put(
    "/submissions/{submission_id:uuid}/vote",
    tags=["votes"],
    summary="Support an entry in a public gallery",
    description=(
        "Where the operator turned the proof of work on (`OPENINNO_PROOF_OF_WORK`), the"
        " request carries a `Proof-Of-Work` header: a solved challenge from"
        " `GET /api/v1/proof-of-work` (422 `proof_of_work` without one)."
    ),
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
)
def support(
    submission_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> VoteRecorded:
    proof_of_work_for(openinno).check(request.headers.get(PROOF_HEADER))
    # The token and what the vote reads, in one query (OpenInno.account_for_token).
    with openinno.one_snapshot():
        actor = provide_actor(request, lambda a: openinno.reads_of_support(a, submission_id))
        recorded = openinno.support(
            actor,
            submission_id,
            address=client_address(request.scope),
            user_agent=request.headers.get("user-agent", ""),
        )
    # The count this vote left (no second read of the tally).
    return VoteRecorded(recorded.id, recorded.position, recorded.support_count)


@delete(
    "/submissions/{submission_id:uuid}/vote",
    tags=["votes"],
    summary="Take your support back",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
def retract_support(
    submission_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> VoteRecorded:
    with openinno.one_snapshot():
        actor = provide_actor(request, lambda a: openinno.reads_of_support(a, submission_id))
        recorded = openinno.retract_support(actor, submission_id)
    return VoteRecorded(recorded.id, recorded.position, recorded.support_count)


Reason = Annotated[
    str,
    msgspec.Meta(
        max_length=TEXTS["reason"].max_length,
        description="Why the votes are voided: kept with each vote.",
    ),
]


class VoidBody(Strict):
    reason: Reason


class BulkVoidBody(Strict):
    vote_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=BULK_VOID_LIMIT)]
    reason: Reason


class VotesVoidedOut(msgspec.Struct, frozen=True):
    """What a void left: the entry's count, the votes voided now, and whether the
    threshold (reached only by voided votes) was withdrawn."""

    submission_id: UUID
    position: int
    support_count: int
    voided: int
    threshold_withdrawn: bool


def _voided(done: VotesVoided) -> VotesVoidedOut:
    return VotesVoidedOut(
        done.id, done.position, done.support_count, done.voided, done.threshold_withdrawn
    )


class FlaggedVoteOut(msgspec.Struct, frozen=True):
    """A vote with at least one anomaly signal.  The voter's address is not shown;
    its network (/24, /48) and how many of the entry's votes share each value are."""

    vote_id: UUID
    voter_id: UUID
    cast_at: datetime
    account_registered_at: datetime | None
    network: str
    user_agent: str
    counting: bool
    voided: bool
    void_reason: str
    signals: list[str]
    same_address: int
    same_network: int
    same_user_agent: int


class EntryVotesOut(msgspec.Struct, frozen=True):
    submission_id: UUID
    votes: int
    counting: int
    voided: int
    signals: dict[str, int]
    flagged: list[FlaggedVoteOut]
    next_cursor: str | None


@get(
    "/submissions/{submission_id:uuid}/votes/flags",
    tags=["votes"],
    summary="An entry's votes flagged by the anomaly signals (the sponsor's owners and"
    " managers; admins)",
    description=(
        "Signals: " + ", ".join(votes.SIGNALS) + " (docs/decisions/0025). Voided votes are"
        " listed too (``voided``); ``counting`` is false for retracted and voided ones."
        " The counts cover every vote of the entry; ``flagged`` is one page of them, oldest"
        " first (``cursor``, ``limit``)."
    ),
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 422, 503),
    sync_to_thread=True,
)
@signed_in
def vote_flags(
    submission_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> EntryVotesOut:
    openinno.require_vote_moderator(actor, submission_id)
    after = decode_key("vote_flags", cursor, (str, str))
    db = reads.at_least(openinno, min_position, ("votes",))
    seen = votes.entry_votes(db, str(submission_id))
    rest = [v for v in seen.flagged if after is None or (v.cast_at, v.vote_id) > after]
    page, next_cursor = keyset_page(
        "vote_flags", rest[: limit + 1], lambda v: (v.cast_at, v.vote_id), limit
    )
    return EntryVotesOut(
        submission_id=submission_id,
        votes=seen.votes,
        counting=seen.counting,
        voided=seen.voided,
        signals=seen.signal_counts(),
        flagged=[
            FlaggedVoteOut(
                vote_id=UUID(v.vote_id),
                voter_id=UUID(v.voter_id),
                cast_at=parse_iso(v.cast_at),
                account_registered_at=parse_iso(v.registered_at) if v.registered_at else None,
                network=v.network,
                user_agent=v.user_agent,
                counting=v.active,
                voided=v.voided,
                void_reason=v.void_reason,
                signals=list(v.signals),
                same_address=v.same_address,
                same_network=v.same_network,
                same_user_agent=v.same_user_agent,
            )
            for v in page
        ],
        next_cursor=next_cursor,
    )


@post(
    "/votes/{vote_id:uuid}/void",
    tags=["votes"],
    summary="Void one vote, with a reason (the sponsor's owners and managers; admins)",
    description=(
        "The vote leaves the count for good; where the entry's support threshold had been"
        " reached only by voided votes it is withdrawn and announced on the challenge."
        " A vote the caller may not moderate is not found (404)."
    ),
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"reason": "One address, 200 accounts made that hour."}),
)
@signed_in
def void_vote(
    vote_id: FromPath[UUID],
    data: JSONBody[VoidBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> VotesVoidedOut:
    return _voided(openinno.void_vote(actor, vote_id, data.reason))


@post(
    "/submissions/{submission_id:uuid}/votes/void",
    tags=["votes"],
    summary="Void several votes of an entry at once, with one reason (all or none)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {
            "vote_ids": ["0b8f1c1e-5f0a-5c1e-9a51-3f1c2d9e8a11"],
            "reason": "One address, 200 accounts made that hour.",
        }
    ),
)
@signed_in
def void_votes(
    submission_id: FromPath[UUID],
    data: JSONBody[BulkVoidBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> VotesVoidedOut:
    return _voided(openinno.void_votes(actor, submission_id, data.vote_ids, data.reason))


class ProofOfWorkChallenge(msgspec.Struct, frozen=True):
    """``enabled`` false: no proof needed (``challenge`` null)."""

    enabled: bool
    challenge: dict[str, Any] | None


@get(
    "/proof-of-work",
    tags=["votes"],
    summary="A proof-of-work challenge for sign-up and voting (when the operator turned it on)",
    description=(
        "ALTCHA's scheme: find the `number` in 0..`maxnumber` whose SHA-256 of `salt` +"
        " `number` (decimal) is `challenge`; send back base64 of the JSON object"
        " `{algorithm, challenge, number, salt, signature}` in the `Proof-Of-Work` header"
        " of `POST /api/v1/accounts` or `PUT /api/v1/submissions/{id}/vote`, within ten"
        " minutes, once."
    ),
    sync_to_thread=False,
)
def proof_of_work_challenge(openinno: NamedDependency[OpenInno]) -> ProofOfWorkChallenge:
    work = proof_of_work_for(openinno)
    return ProofOfWorkChallenge(work.enabled, work.issue() if work.enabled else None)


HANDLERS = [
    support,
    retract_support,
    vote_flags,
    void_vote,
    void_votes,
    proof_of_work_challenge,
]
