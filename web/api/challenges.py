"""Challenges: draft, edit while draft, publish, read; questions, announcements,
deadlines and reviewers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from openinno.application import OpenInno
from openinno.domain.challenge import Challenge
from openinno.domain.errors import InvalidInput
from openinno.domain.limits import TEXTS
from openinno.domain.values import (
    AfterTheWin,
    AppealRules,
    AwardRule,
    ChallengeSpec,
    Criterion,
    IpTerms,
    Prize,
    ReviewRound,
    ReviewTiming,
    RoyaltyTerms,
    Visibility,
    Voting,
    VotingMode,
    check_rate,
    parse_money,
)
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True, examples=["2026-04-01T09:00:00+02:00"])]
DecimalString = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]+(\.[0-9]+)?$",
        max_length=32,
        description="A decimal amount as a string, never a float.",
        examples=["5000.00"],
    ),
]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
Text = Annotated[str, msgspec.Meta(max_length=TEXTS["message"].max_length)]


def bounded(kind: str) -> Any:
    """A text field with the domain's maximum length for ``kind`` (limits.TEXTS)."""
    return msgspec.Meta(max_length=TEXTS[kind].max_length)


Title = Annotated[str, bounded("challenge_title")]
Brief = Annotated[str, bounded("brief")]
Category = Annotated[str, bounded("category")]
Eligibility = Annotated[str, bounded("eligibility")]
Rules = Annotated[str, bounded("rules")]


CHALLENGE_EXAMPLE: dict[str, Any] = {
    "organisation_id": "7d9f3c2a-1b4e-4f6a-8c0d-2e5f7a9b1c3d",
    "title": "Bricks that teach physics",
    "brief": "Propose a building set that teaches a physics principle.",
    "category": "toys",
    "prizes": [
        {"place": 1, "amount": "5000.00", "currency": "EUR"},
        {"place": 2, "amount": "1000.00", "currency": "EUR"},
    ],
    "criteria": [
        {"name": "originality", "weight": 40},
        {"name": "feasibility", "weight": 35},
        {"name": "fun", "weight": 25},
    ],
    "opens_at": "2026-04-01T09:00:00+02:00",
    "closes_at": "2026-04-30T17:00:00+02:00",
    "review_ends_at": "2026-05-15T17:00:00+02:00",
    "max_submissions_per_solver": 2,
    "visibility": "public",
    "voting": {"mode": "public", "threshold": 25},
    "ip_terms": "assignment",
}


class PrizeBody(Strict):
    place: int
    amount: DecimalString
    currency: Currency


class CriterionBody(Strict):
    name: Annotated[str, bounded("criterion_name")]
    weight: Annotated[int, msgspec.Meta(description="Weights sum to 100.")]
    min_score: int = 0
    max_score: int = 10


class RoundBody(Strict):
    """A review round after the first (issue 20): its name and its own rubric."""

    name: Annotated[str, bounded("criterion_name")]
    criteria: list[CriterionBody]


class VotingBody(Strict):
    mode: VotingMode = "none"
    threshold: int | None = None


class AppealsBody(Strict):
    """What the terms say of appeals (issue 24): the days to appeal a decision (0: no
    appeals), and whether the published scores can be appealed."""

    window_days: int = 7
    scores: bool = False


class RoyaltyBody(Strict):
    """A share of the sales (issue 29): percent of reported net sales, the period sales
    are reported and stated for, and optionally the one currency they are in."""

    rate_percent: Annotated[str, msgspec.Meta(max_length=12, examples=["1.5"])]
    period: Literal["month", "quarter", "year"] = "quarter"
    currency: Annotated[str, msgspec.Meta(max_length=3)] | None = None


class AfterTheWinBody(Strict):
    """What the terms promise beyond the prize places (issue 29)."""

    royalty: RoyaltyBody | None = None


class NewChallenge(Strict):
    organisation_id: UUID
    title: Title
    brief: Brief
    prizes: list[PrizeBody]
    criteria: list[CriterionBody]
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    review_ends_at: AwareDatetime
    max_submissions_per_solver: int = 1
    visibility: Visibility = "private"
    voting: VotingBody = msgspec.field(default_factory=VotingBody)
    ip_terms: IpTerms = "assignment"
    category: Category = "general"
    eligibility: Eligibility = ""
    rules: Rules = ""
    language: str = "en"
    review_timing: Annotated[
        ReviewTiming,
        msgspec.Meta(
            description=(
                "When reviewers score: after_close (once submissions close; the default) or "
                "rolling (from the opening; a revision after scoring leaves the review stale)"
            )
        ),
    ] = "after_close"
    verified_email_to_enter: Annotated[
        bool, msgspec.Meta(description="Only accounts with a verified e-mail address may enter")
    ] = False
    verified_email_to_vote: Annotated[
        bool, msgspec.Meta(description="Only accounts with a verified e-mail address may vote")
    ] = False
    appeals: AppealsBody | None = None
    after_the_win: AfterTheWinBody | None = None
    # Issue 20 (decision 0023): assignment, review rounds, the award rule.
    independent_reviewers: Annotated[
        bool,
        msgspec.Meta(description="No entry is assigned to a member of the organisation."),
    ] = False
    later_rounds: Annotated[
        list[RoundBody],
        msgspec.Meta(
            description="Review rounds after the first; each scores the previous round's"
            " shortlist on its own criteria."
        ),
    ] = msgspec.field(default_factory=list)
    award_rule: Annotated[
        AwardRule,
        msgspec.Meta(description="Who decides the winners: jury, public or weighted."),
    ] = "jury"
    public_weight: Annotated[
        int, msgspec.Meta(description="With weighted: the public's share in percent, 1 to 99.")
    ] = 0


class ChallengePatch(Strict):
    """Only the fields sent change; the draft must still be valid as a whole."""

    title: Title | UnsetType = UNSET
    brief: Brief | UnsetType = UNSET
    prizes: list[PrizeBody] | UnsetType = UNSET
    criteria: list[CriterionBody] | UnsetType = UNSET
    opens_at: AwareDatetime | UnsetType = UNSET
    closes_at: AwareDatetime | UnsetType = UNSET
    review_ends_at: AwareDatetime | UnsetType = UNSET
    max_submissions_per_solver: int | UnsetType = UNSET
    visibility: Visibility | UnsetType = UNSET
    voting: VotingBody | UnsetType = UNSET
    ip_terms: IpTerms | UnsetType = UNSET
    category: Category | UnsetType = UNSET
    eligibility: Eligibility | UnsetType = UNSET
    rules: Rules | UnsetType = UNSET
    language: str | UnsetType = UNSET
    review_timing: ReviewTiming | UnsetType = UNSET
    verified_email_to_enter: bool | UnsetType = UNSET
    verified_email_to_vote: bool | UnsetType = UNSET
    appeals: AppealsBody | UnsetType = UNSET
    after_the_win: AfterTheWinBody | UnsetType = UNSET
    independent_reviewers: bool | UnsetType = UNSET
    later_rounds: list[RoundBody] | UnsetType = UNSET
    award_rule: AwardRule | UnsetType = UNSET
    public_weight: int | UnsetType = UNSET


class PrizeView(msgspec.Struct, frozen=True):
    place: int
    amount: str
    currency: str


class CriterionView(msgspec.Struct, frozen=True):
    name: str
    weight: int
    min_score: int
    max_score: int


class VotingView(msgspec.Struct, frozen=True):
    mode: str
    threshold: int | None


class AppealsView(msgspec.Struct, frozen=True):
    window_days: int
    scores: bool


class RoyaltyView(msgspec.Struct, frozen=True):
    rate_percent: str
    period: str
    currency: str | None


class AfterTheWinView(msgspec.Struct, frozen=True):
    royalty: RoyaltyView | None = None


class RoundView(msgspec.Struct, frozen=True):
    name: str
    criteria: list[CriterionView]


class ChallengeView(msgspec.Struct, frozen=True):
    id: UUID
    organisation_id: UUID
    status: str
    title: str
    brief: str
    category: str
    language: str
    eligibility: str
    rules: str
    prizes: list[PrizeView]
    criteria: list[CriterionView]
    opens_at: datetime
    closes_at: datetime
    review_ends_at: datetime
    max_submissions_per_solver: int
    visibility: str
    voting: VotingView
    ip_terms: str
    terms_sha256: str | None
    version: int
    review_timing: str = "after_close"
    review_closed_early: bool = False
    verified_email_to_enter: bool = False
    verified_email_to_vote: bool = False
    appeals: AppealsView = msgspec.field(default_factory=lambda: AppealsView(7, False))
    independent_reviewers: bool = False
    later_rounds: list[RoundView] = msgspec.field(default_factory=list)
    award_rule: str = "jury"
    public_weight: int = 0
    current_round: int = 1
    after_the_win: AfterTheWinView = msgspec.field(default_factory=AfterTheWinView)


class ChallengePublished(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    terms_sha256: str


class TextBody(Strict):
    text: Text


class NewDeadline(Strict):
    closes_at: AwareDatetime
    review_ends_at: AwareDatetime | None = None
    text: Text = "The deadline is extended."


class NewReviewer(Strict):
    account_id: UUID
    round: Annotated[
        int | None, msgspec.Meta(description="The review round they serve in (default 1).")
    ] = None


def _prizes(prizes: list[PrizeBody]) -> tuple[Prize, ...]:
    return tuple(
        Prize(p.place, parse_money(p.amount, p.currency, field="prizes"), p.currency)
        for p in prizes
    )


def _criteria(criteria: list[CriterionBody]) -> tuple[Criterion, ...]:
    return tuple(Criterion(c.name, c.weight, c.min_score, c.max_score) for c in criteria)


def _rounds(rounds: list[RoundBody]) -> tuple[ReviewRound, ...]:
    return tuple(ReviewRound(r.name, _criteria(r.criteria)) for r in rounds)


def _voting(voting: VotingBody) -> Voting:
    return Voting(voting.mode, voting.threshold)


def _appeals(appeals: AppealsBody | None) -> AppealRules | None:
    return None if appeals is None else AppealRules(appeals.window_days, appeals.scores)


def _after_the_win(body: AfterTheWinBody | None) -> AfterTheWin | None:
    if body is None:
        return None
    royalty = body.royalty
    if royalty is None:
        return AfterTheWin()
    try:
        rate = Decimal(royalty.rate_percent.strip())
    except InvalidOperation:
        raise InvalidInput("Give the royalty rate in percent, like 1.5.", field="royalty") from None
    return AfterTheWin(royalty=RoyaltyTerms(check_rate(rate), royalty.period, royalty.currency))


def spec_of(data: JSONBody[NewChallenge]) -> ChallengeSpec:
    return ChallengeSpec(
        title=data.title,
        brief=data.brief,
        prizes=_prizes(data.prizes),
        criteria=_criteria(data.criteria),
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        review_ends_at=data.review_ends_at,
        max_submissions_per_solver=data.max_submissions_per_solver,
        visibility=data.visibility,
        voting=_voting(data.voting),
        ip_terms=data.ip_terms,
        eligibility=data.eligibility,
        rules=data.rules,
        category=data.category,
        language=data.language,
        review_timing=data.review_timing,
        verified_email_to_enter=data.verified_email_to_enter or None,
        verified_email_to_vote=data.verified_email_to_vote or None,
        appeals=_appeals(data.appeals),
        after_the_win=_after_the_win(data.after_the_win),
        independent_reviewers=data.independent_reviewers,
        later_rounds=_rounds(data.later_rounds),
        award_rule=data.award_rule,
        public_weight=data.public_weight,
    )


def patched(spec: ChallengeSpec, data: JSONBody[ChallengePatch]) -> ChallengeSpec:
    changes: dict[str, Any] = {}
    for name in data.__struct_fields__:
        value = getattr(data, name)
        if value is UNSET:
            continue
        if name == "prizes":
            value = _prizes(value)
        elif name == "criteria":
            value = _criteria(value)
        elif name == "voting":
            value = _voting(value)
        elif name in ("verified_email_to_enter", "verified_email_to_vote"):
            value = value or None
        elif name == "appeals":
            value = _appeals(value)
        elif name == "after_the_win":
            value = _after_the_win(value)
        elif name == "later_rounds":
            value = _rounds(value)
        changes[name] = value
    return msgspec.structs.replace(spec, **changes)


def challenge_view(challenge: Challenge) -> ChallengeView:
    spec = challenge.spec
    return ChallengeView(
        id=challenge.id,
        organisation_id=challenge.organisation_id,
        status=challenge.status,
        title=spec.title,
        brief=spec.brief,
        category=spec.category,
        language=spec.language,
        eligibility=spec.eligibility,
        rules=spec.rules,
        prizes=[PrizeView(p.place, str(p.amount), p.currency) for p in spec.prizes],
        criteria=[CriterionView(c.name, c.weight, c.min_score, c.max_score) for c in spec.criteria],
        opens_at=spec.opens_at,
        closes_at=spec.closes_at,
        review_ends_at=spec.review_ends_at,
        max_submissions_per_solver=spec.max_submissions_per_solver,
        visibility=spec.visibility,
        voting=VotingView(spec.voting.mode, spec.voting.threshold),
        ip_terms=spec.ip_terms,
        terms_sha256=challenge.terms_sha256,
        version=challenge.version,
        review_timing=spec.review_runs,
        review_closed_early=challenge.review_closed_early,
        verified_email_to_enter=spec.enter_needs_verified_email,
        verified_email_to_vote=spec.vote_needs_verified_email,
        appeals=AppealsView(spec.appeal_rules.window_days, spec.appeal_rules.scores),
        independent_reviewers=bool(spec.independent_reviewers),
        later_rounds=[
            RoundView(
                r.name,
                [CriterionView(c.name, c.weight, c.min_score, c.max_score) for c in r.criteria],
            )
            for r in spec.later_rounds or ()
        ],
        award_rule=spec.decided_by,
        public_weight=spec.public_weight or 0,
        current_round=challenge.current_round,
        after_the_win=AfterTheWinView(
            None
            if (royalty := spec.beyond_the_prizes.royalty) is None
            else RoyaltyView(str(royalty.rate_percent), royalty.period, royalty.currency)
        ),
    )


@post(
    "/challenges",
    summary="Draft a challenge (owner or manager of the organisation)",
    status_code=201,
    responses=problem_spec(401, 403, 404, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
    operation_class=body_example(CHALLENGE_EXAMPLE),
)
@signed_in
def draft_challenge(
    data: JSONBody[NewChallenge], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> Written:
    recorded = openinno.draft_challenge(actor, data.organisation_id, spec_of(data))
    return Written(recorded.id, recorded.position)


@patch(
    "/challenges/{challenge_id:uuid}",
    summary="Edit a draft (only the fields sent change)",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
    operation_class=body_example(
        {"title": "Bricks that teach optics", "closes_at": "2026-05-01T17:00:00+02:00"}
    ),
)
@signed_in
def edit_challenge(
    challenge_id: FromPath[UUID],
    data: JSONBody[ChallengePatch],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    # A function of the current spec, so a concurrent edit of other fields is kept.
    recorded = openinno.edit_challenge(actor, challenge_id, lambda spec: patched(spec, data))
    return Written(recorded.id, recorded.position)


@delete(
    "/challenges/{challenge_id:uuid}",
    summary="Delete a draft (a published challenge is cancelled instead)",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
)
@signed_in
def discard_challenge_draft(
    challenge_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> Written:
    recorded = openinno.discard_challenge_draft(actor, challenge_id)
    return Written(recorded.id, recorded.position)


@post(
    "/challenges/{challenge_id:uuid}/publish",
    summary="Publish: freeze the terms and return their SHA-256",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
)
@signed_in
def publish_challenge(
    challenge_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> ChallengePublished:
    published = openinno.publish_challenge(actor, challenge_id)
    return ChallengePublished(published.id, published.position, published.terms_sha256)


@get(
    "/challenges/{challenge_id:uuid}",
    tags=["challenges"],
    summary="A challenge (drafts only to their organisation)",
    responses=problem_spec(401, 404),
    sync_to_thread=True,
)
@signed_in
def get_challenge(
    challenge_id: FromPath[UUID],
    viewer: NamedDependency[UUID | None],
    openinno: NamedDependency[OpenInno],
) -> ChallengeView:
    return challenge_view(openinno.get_challenge(challenge_id, viewer))


@post(
    "/challenges/{challenge_id:uuid}/questions",
    summary="Ask a public question",
    status_code=201,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
    operation_class=body_example({"text": "May entries use motors?"}),
)
@signed_in
def ask_question(
    challenge_id: FromPath[UUID],
    data: JSONBody[TextBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.ask_question(actor, challenge_id, data.text)
    return Written(recorded.id, recorded.position)


@post(
    "/challenges/{challenge_id:uuid}/questions/{question_id:uuid}/answer",
    summary="Answer a question (owner or manager)",
    status_code=201,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
    operation_class=body_example({"text": "Yes, up to two small motors."}),
)
@signed_in
def answer_question(
    challenge_id: FromPath[UUID],
    question_id: FromPath[UUID],
    data: JSONBody[TextBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.answer_question(actor, challenge_id, question_id, data.text)
    return Written(recorded.id, recorded.position)


@post(
    "/challenges/{challenge_id:uuid}/announcements",
    summary="Post an announcement (owner or manager)",
    status_code=201,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
    operation_class=body_example({"text": "The judging panel is announced."}),
)
@signed_in
def post_announcement(
    challenge_id: FromPath[UUID],
    data: JSONBody[TextBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.post_announcement(actor, challenge_id, data.text)
    return Written(recorded.id, recorded.position)


@post(
    "/challenges/{challenge_id:uuid}/deadline",
    summary="Extend the submission deadline (only later; with a note)",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
    operation_class=body_example(
        {"closes_at": "2026-05-15T17:00:00+02:00", "text": "Two more weeks, by popular demand."}
    ),
)
@signed_in
def extend_deadline(
    challenge_id: FromPath[UUID],
    data: JSONBody[NewDeadline],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.extend_deadline(
        actor, challenge_id, data.closes_at, data.text, review_ends_at=data.review_ends_at
    )
    return Written(recorded.id, recorded.position)


@post(
    "/challenges/{challenge_id:uuid}/review/close",
    summary="Close review early, with an announcement everyone sees (owner or manager)",
    description=(
        "After submissions close and before `review_ends_at`: scores are final from now on "
        "and awarding may begin. The text is posted with the challenge's announcements."
    ),
    status_code=200,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
    operation_class=body_example({"text": "The jury has finished; awards follow this week."}),
)
@signed_in
def close_review_early(
    challenge_id: FromPath[UUID],
    data: JSONBody[TextBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.close_review_early(actor, challenge_id, data.text)
    return Written(recorded.id, recorded.position)


@post(
    "/challenges/{challenge_id:uuid}/reviewers",
    summary="Invite a reviewer (owner or manager)",
    status_code=201,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
    operation_class=body_example({"account_id": "0b6c8a1e-6d1f-4f4e-9d6a-2f7b1c9e8a10"}),
)
@signed_in
def invite_reviewer(
    challenge_id: FromPath[UUID],
    data: JSONBody[NewReviewer],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    try:
        recorded = openinno.invite_reviewer(actor, challenge_id, data.account_id, data.round)
    except InvalidInput as e:
        # The command calls it reviewer_id; this body calls it account_id.
        field = "account_id" if e.field == "reviewer_id" else e.field
        raise InvalidInput(e.text.template, field=field, **e.text.params) from None
    return Written(recorded.id, recorded.position)


@post(
    "/challenges/{challenge_id:uuid}/reviewers/accept",
    summary="Accept your invitation to review",
    status_code=200,
    responses=problem_spec(401, 404, 409),
    security=SECURITY,
    sync_to_thread=True,
    tags=["challenges"],
)
@signed_in
def accept_reviewer_invitation(
    challenge_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> Written:
    recorded = openinno.accept_reviewer_invitation(actor, challenge_id)
    return Written(recorded.id, recorded.position)


HANDLERS = [
    draft_challenge,
    edit_challenge,
    discard_challenge_draft,
    publish_challenge,
    get_challenge,
    ask_question,
    answer_question,
    post_announcement,
    extend_deadline,
    close_review_early,
    invite_reviewer,
    accept_reviewer_invitation,
]
