"""Awards and IP agreements: award places, read the agreement text and its hash,
sign, countersign, record payment."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.agreement import IpAgreement
from openinno.domain.values import Signature
from web.api.auth import SECURITY
from web.api.common import Strict, Written
from web.api.problems import problem_spec

Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
AUTH_METHOD = "api_token"


class AwardBody(Strict):
    submission_id: UUID
    place: int


class AwardsBody(Strict):
    awards: list[AwardBody]


class AwardsRecorded(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    agreement_ids: list[UUID]


class SignBody(Strict):
    typed_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Ada Lovelace"])]
    intent: Annotated[
        str, msgspec.Meta(max_length=1000, examples=["I agree to assign the rights."])
    ]
    text_sha256: Annotated[
        Sha256,
        msgspec.Meta(
            description="The SHA-256 of the agreement text you read (from GET /agreements/{id})."
        ),
    ]


class PaymentBody(Strict):
    reference: Annotated[str, msgspec.Meta(max_length=200, examples=["WIRE-2026-001"])]


class SignatureView(msgspec.Struct, frozen=True):
    signer_id: UUID
    role: str
    typed_name: str
    intent: str
    auth_method: str
    text_sha256: str


class AgreementView(msgspec.Struct, frozen=True):
    id: UUID
    state: str
    challenge_id: UUID
    submission_id: UUID
    content_sha256: str
    template: str
    text: str
    text_sha256: str
    assignor_ids: list[UUID]
    assignee_organisation_id: UUID
    amount: str
    currency: str
    payment_required: bool
    payment_reference: str | None
    signatures: list[SignatureView]
    version: int


def _signature_view(signature: Signature, role: str) -> SignatureView:
    return SignatureView(
        signature.signer_id,
        role,
        signature.typed_name,
        signature.intent,
        signature.auth_method,
        signature.text_sha256,
    )


def agreement_view(agreement: IpAgreement) -> AgreementView:
    signatures = [_signature_view(s, "assignor") for s in agreement.assignor_signatures.values()]
    if agreement.assignee_signature is not None:
        signatures.append(_signature_view(agreement.assignee_signature, "assignee"))
    return AgreementView(
        id=agreement.id,
        state=agreement.state,
        challenge_id=agreement.challenge_id,
        submission_id=agreement.submission_id,
        content_sha256=agreement.content_sha256,
        template=agreement.template,
        text=agreement.text,
        text_sha256=agreement.text_sha256,
        assignor_ids=list(agreement.authors),
        assignee_organisation_id=agreement.assignee_organisation_id,
        amount=str(agreement.amount),
        currency=agreement.currency,
        payment_required=agreement.payment_required,
        payment_reference=agreement.payment_reference,
        signatures=signatures,
        version=agreement.version,
    )


def _client(request: Request[Any, Any, Any]) -> tuple[str, str]:
    host = request.client.host if request.client else ""
    return host, request.headers.get("user-agent", "")


@post(
    "/challenges/{challenge_id:uuid}/awards",
    tags=["awards"],
    summary="Award places; each award drafts its IP agreement",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
)
def award(
    challenge_id: FromPath[UUID],
    data: JSONBody[AwardsBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> AwardsRecorded:
    places = [(a.submission_id, a.place) for a in data.awards]
    recorded = openinno.award(actor, challenge_id, places)
    return AwardsRecorded(recorded.id, recorded.position, list(recorded.agreement_ids))


@get(
    "/agreements/{agreement_id:uuid}",
    tags=["agreements"],
    summary="An agreement with its text and the text's SHA-256 (its parties and admins)",
    security=SECURITY,
    responses=problem_spec(401, 404),
    sync_to_thread=True,
)
def get_agreement(
    agreement_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> AgreementView:
    return agreement_view(openinno.get_agreement(actor, agreement_id))


@post(
    "/agreements/{agreement_id:uuid}/sign",
    tags=["agreements"],
    summary="Sign as assignor (each author of the winning entry)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
)
def sign_agreement(
    agreement_id: FromPath[UUID],
    data: JSONBody[SignBody],
    request: Request[Any, Any, Any],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    ip_address, user_agent = _client(request)
    recorded = openinno.sign_agreement(
        actor,
        agreement_id,
        data.typed_name,
        data.intent,
        data.text_sha256,
        auth_method=AUTH_METHOD,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return Written(recorded.id, recorded.position)


@post(
    "/agreements/{agreement_id:uuid}/countersign",
    tags=["agreements"],
    summary="Countersign for the sponsor (owner or legal)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
)
def countersign_agreement(
    agreement_id: FromPath[UUID],
    data: JSONBody[SignBody],
    request: Request[Any, Any, Any],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    ip_address, user_agent = _client(request)
    recorded = openinno.countersign_agreement(
        actor,
        agreement_id,
        data.typed_name,
        data.intent,
        data.text_sha256,
        auth_method=AUTH_METHOD,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return Written(recorded.id, recorded.position)


@post(
    "/agreements/{agreement_id:uuid}/payments",
    tags=["agreements"],
    summary="Record the payment of the prize (owner or manager)",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
)
def record_payment(
    agreement_id: FromPath[UUID],
    data: JSONBody[PaymentBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.record_payment(actor, agreement_id, data.reference)
    return Written(recorded.id, recorded.position)


HANDLERS = [
    award,
    get_agreement,
    sign_agreement,
    countersign_agreement,
    record_payment,
]
