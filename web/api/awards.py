"""Awards and IP agreements: award places, read the agreement text and its hash,
sign, countersign, record payment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from openinno.application import OpenInno
from openinno.domain.agreement import IpAgreement
from openinno.domain.limits import TEXTS
from openinno.domain.values import Signature
from projections.legal import queries as legal
from projections.values import parse_iso
from web.api import access
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.reads import LEGAL, ApiReads, MinPosition

Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
AUTH_METHOD = "api_token"


_TEXT_SHA256 = "9f2c6a1d4e8b7f3a0c5d2e9b1a4f7c3e8d6b0a2f5c9e1d4b7a3f6c0e8d2b5a91"
SIGN_EXAMPLE = {
    "typed_name": "Ada Lovelace",
    "intent": "I agree to assign the rights.",
    "text_sha256": _TEXT_SHA256,
}
COUNTERSIGN_EXAMPLE = {
    "typed_name": "Lee Gal",
    "intent": "Signed for Brickworks.",
    "text_sha256": _TEXT_SHA256,
}


class AwardBody(Strict):
    submission_id: UUID
    place: int
    override_reason: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=TEXTS["message"].max_length,
                description=(
                    "Why you award the entry's current version though no reviewer scored "
                    "it (refused without one: 409 unreviewed_version). Recorded with the "
                    "award and its agreement, and shown in the chain of title."
                ),
            ),
        ]
        | None
    ) = None


class AwardsBody(Strict):
    awards: list[AwardBody]


class AwardsRecorded(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    agreement_ids: list[UUID]


class SignBody(Strict):
    typed_name: Annotated[
        str, msgspec.Meta(max_length=TEXTS["typed_name"].max_length, examples=["Ada Lovelace"])
    ]
    intent: Annotated[
        str,
        msgspec.Meta(
            max_length=TEXTS["intent"].max_length, examples=["I agree to assign the rights."]
        ),
    ]
    text_sha256: (
        Annotated[
            Sha256,
            msgspec.Meta(
                description=(
                    "The SHA-256 of the agreement text you showed the signer (from GET "
                    "/agreements/{id}). Strongly recommended: it proves which text was "
                    "signed; without it the text on record is signed and the signature "
                    "notes that the hash was not confirmed."
                )
            ),
        ]
        | None
    ) = None


class PaymentBody(Strict):
    reference: Annotated[
        str,
        msgspec.Meta(max_length=TEXTS["payment_reference"].max_length, examples=["WIRE-2026-001"]),
    ]


class SignatureView(msgspec.Struct, frozen=True):
    signer_id: UUID
    role: str
    typed_name: str
    intent: str
    auth_method: str
    text_sha256: str
    typed_name_matches_account: Annotated[
        bool | None,
        msgspec.Meta(
            description="Whether the typed name is the signer's account name (recorded, not"
            " refused); null for signatures made before the check"
        ),
    ] = None


class AgreementView(msgspec.Struct, frozen=True):
    id: UUID
    state: str
    challenge_id: UUID
    submission_id: UUID
    content_sha256: str
    content_version: int | None
    override_reason: str | None
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
        signature.typed_name_matches_account,
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
        content_version=agreement.content_version,
        override_reason=agreement.override_reason,
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
    description=(
        "Once review has ended (`review_ends_at`, or closed early with POST "
        "/challenges/{id}/review/close). Each award is of the entry's current version; a "
        "version no reviewer scored needs `override_reason`."
    ),
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {"awards": [{"submission_id": "5f0c2d4e-8a7b-4c1d-9e2f-3a4b5c6d7e8f", "place": 1}]}
    ),
)
@signed_in
def award(
    challenge_id: FromPath[UUID],
    data: JSONBody[AwardsBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> AwardsRecorded:
    places = [(a.submission_id, a.place) for a in data.awards]
    reasons = {a.submission_id: a.override_reason for a in data.awards if a.override_reason}
    recorded = openinno.award(actor, challenge_id, places, override_reasons=reasons)
    return AwardsRecorded(recorded.id, recorded.position, list(recorded.agreement_ids))


@get(
    "/agreements/{agreement_id:uuid}",
    tags=["agreements"],
    summary="An agreement with its text and the text's SHA-256 (its parties and admins)",
    security=SECURITY,
    responses=problem_spec(401, 404),
    sync_to_thread=True,
)
@signed_in
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
    operation_class=body_example(SIGN_EXAMPLE),
)
@signed_in
def sign_agreement(
    agreement_id: FromPath[UUID],
    data: JSONBody[SignBody],
    request: Request[Any, Any, Any],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.sign_agreement(
        actor, agreement_id, **_signing(openinno, actor, agreement_id, data, request)
    )
    return Written(recorded.id, recorded.position)


def _signing(
    openinno: OpenInno,
    actor: UUID,
    agreement_id: UUID,
    data: SignBody,
    request: Request[Any, Any, Any],
) -> dict[str, str]:
    """What the signature records.  A client that sends the hash of the text it showed
    its user proves which text was signed; one that does not (the original contract had
    no such field) signs the text on record, and the signature says it was not confirmed."""
    ip_address, user_agent = _client(request)
    text_sha256, auth_method = data.text_sha256, AUTH_METHOD
    if text_sha256 is None:
        text_sha256 = openinno.get_agreement(actor, agreement_id).text_sha256
        auth_method = f"{AUTH_METHOD}; text hash not confirmed by the client"
    return {
        "typed_name": data.typed_name,
        "intent": data.intent,
        "text_sha256": text_sha256,
        "auth_method": auth_method,
        "ip_address": ip_address,
        "user_agent": user_agent,
    }


@post(
    "/agreements/{agreement_id:uuid}/countersign",
    tags=["agreements"],
    summary="Countersign for the sponsor (owner or legal)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(COUNTERSIGN_EXAMPLE),
)
@signed_in
def countersign_agreement(
    agreement_id: FromPath[UUID],
    data: JSONBody[SignBody],
    request: Request[Any, Any, Any],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    signing = _signing(openinno, actor, agreement_id, data, request)
    recorded = openinno.countersign_agreement(actor, agreement_id, **signing)
    return Written(recorded.id, recorded.position)


@post(
    "/agreements/{agreement_id:uuid}/payments",
    tags=["agreements"],
    summary="Record the payment of the prize (owner or manager)",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"reference": "WIRE-2026-001"}),
)
@signed_in
def record_payment(
    agreement_id: FromPath[UUID],
    data: JSONBody[PaymentBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.record_payment(actor, agreement_id, data.reference)
    return Written(recorded.id, recorded.position)


AgreementState = Literal[
    "awaiting_signature",
    "awaiting_countersignature",
    "awaiting_payment",
    "transferred",
    "disputed",
    "rescinded",
]


class AgreementSummary(msgspec.Struct, frozen=True):
    id: UUID
    state: str
    organisation_id: UUID
    challenge_id: UUID
    submission_id: UUID
    place: int
    template: str
    template_version: int
    text_sha256: str
    content_sha256: str
    terms_sha256: str
    amount: str
    currency: str
    payment_required: bool
    signatures: int
    signatures_needed: int
    countersigned: bool
    paid: bool
    drafted_at: datetime
    updated_at: datetime


class AgreementList(msgspec.Struct, frozen=True):
    items: list[AgreementSummary]
    next_cursor: str | None


def _agreement_summary(row: dict[str, Any], state: str) -> AgreementSummary:
    return AgreementSummary(
        id=UUID(row["agreement_id"]),
        state=state,
        organisation_id=UUID(row["organisation_id"]),
        challenge_id=UUID(row["challenge_id"]),
        submission_id=UUID(row["submission_id"]),
        place=int(row["place"]),
        template=row["template"],
        template_version=int(row["template_version"]),
        text_sha256=row["text_sha256"],
        content_sha256=row["content_sha256"],
        terms_sha256=row["terms_sha256"],
        amount=str(row["amount"]),
        currency=row["currency"],
        payment_required=bool(row["payment_required"]),
        signatures=int(row["signatures"]),
        signatures_needed=int(row["authors"]),
        countersigned=bool(row["countersigned"]),
        paid=bool(row["paid"]),
        drafted_at=parse_iso(row["drafted_at"]),
        updated_at=parse_iso(row["updated_at"]),
    )


@get(
    "/agreements",
    tags=["agreements"],
    summary="An organisation's IP agreements, optionally in one state (its members, admins)",
    security=SECURITY,
    responses=problem_spec(401, 404, 422, 503),
    sync_to_thread=True,
)
@signed_in
def list_agreements(
    organisation_id: Annotated[UUID, QueryParameter(name="organisation_id")],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    in_state: Annotated[AgreementState | None, QueryParameter(name="state")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> AgreementList:
    access.member_organisation(openinno, actor, organisation_id)
    db = reads.at_least(openinno, min_position, LEGAL)
    kind = f"agreements:{organisation_id}:{in_state or ''}"
    after = decode_key(kind, cursor, (str, str))
    rows = legal.agreements_page(
        db,
        organisation_id,
        in_state,
        after=None if after is None else (after[0], after[1]),
        limit=limit + 1,
    )
    chunk, next_cursor = keyset_page(
        kind, rows, lambda r: (r["drafted_at"], r["agreement_id"]), limit
    )
    return AgreementList([_agreement_summary(r, r["state"]) for r in chunk], next_cursor)


HANDLERS = [
    award,
    list_agreements,
    get_agreement,
    sign_agreement,
    countersign_agreement,
    record_payment,
]
