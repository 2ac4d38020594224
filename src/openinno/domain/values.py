"""Value objects carried inside events.  They are msgspec Structs: stored payloads
evolve only by adding fields with defaults at the end."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from uuid import UUID

import msgspec

from openinno.domain.errors import InvalidInput

Visibility = Literal["public", "private"]
VotingMode = Literal["none", "public", "shortlist_then_public"]
IpTerms = Literal["assignment", "exclusive_licence", "solver_retains"]
OrgRole = Literal["owner", "manager", "legal"]

VISIBILITIES: tuple[str, ...] = ("public", "private")
VOTING_MODES: tuple[str, ...] = ("none", "public", "shortlist_then_public")
IP_TERMS: tuple[str, ...] = ("assignment", "exclusive_licence", "solver_retains")
ORG_ROLES: tuple[str, ...] = ("owner", "manager", "legal")
LOCALES: tuple[str, ...] = ("en", "pl", "fr", "es", "ru")

# ISO 4217 minor units that differ from the usual two decimals.
_MINOR_UNITS = {
    "JPY": 0,
    "KRW": 0,
    "CLP": 0,
    "ISK": 0,
    "VND": 0,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Prize(msgspec.Struct, frozen=True):
    place: int
    amount: Decimal
    currency: str


class Criterion(msgspec.Struct, frozen=True):
    name: str
    weight: int
    min_score: int = 0
    max_score: int = 10


class Voting(msgspec.Struct, frozen=True):
    mode: VotingMode = "none"
    threshold: int | None = None


class ChallengeSpec(msgspec.Struct, frozen=True):
    """What a sponsor drafts; frozen into the terms at publish."""

    title: str
    brief: str
    prizes: tuple[Prize, ...]
    criteria: tuple[Criterion, ...]
    opens_at: datetime
    closes_at: datetime
    review_ends_at: datetime
    max_submissions_per_solver: int = 1
    visibility: Visibility = "private"
    voting: Voting = Voting()
    ip_terms: IpTerms = "assignment"
    eligibility: str = ""
    rules: str = ""
    category: str = "general"
    language: str = "en"


class ChallengeTerms(msgspec.Struct, frozen=True):
    """The terms a solver accepts: the spec plus the IP template version in force."""

    challenge_id: UUID
    organisation_id: UUID
    spec: ChallengeSpec
    ip_template: str
    ip_template_version: int


class FileRef(msgspec.Struct, frozen=True):
    name: str
    size: int
    media_type: str
    sha256: str


class SubmissionContent(msgspec.Struct, frozen=True):
    title: str
    summary: str
    files: tuple[FileRef, ...] = ()


class Receipt(msgspec.Struct, frozen=True):
    """Lets a solver prove what they sent and when."""

    receipt_id: UUID
    submission_id: UUID
    version: int
    content_sha256: str
    recorded_at: datetime


class Award(msgspec.Struct, frozen=True):
    submission_id: UUID
    place: int
    agreement_id: UUID


class Signature(msgspec.Struct, frozen=True):
    signer_id: UUID
    typed_name: str
    intent: str
    auth_method: str
    ip_address: str
    user_agent: str
    text_sha256: str


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: keys sorted, no whitespace; the form that is hashed."""
    return msgspec.json.encode(value, order="sorted")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise InvalidInput("Enter an email address like name@example.org.", field="email")
    return cleaned


def parse_money(amount: str | Decimal | int, currency: str, *, field: str = "amount") -> Decimal:
    """Money is a Decimal with no more decimals than the currency allows; never a float."""
    if isinstance(amount, float):
        raise InvalidInput("Give amounts as decimal strings, not floats.", field=field)
    if not _CURRENCY.match(currency or ""):
        raise InvalidInput("Currency must be an ISO 4217 code such as EUR.", field="currency")
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise InvalidInput(f"{amount!r} is not a decimal amount.", field=field) from None
    if not value.is_finite() or value < 0:
        raise InvalidInput("Amounts must be zero or more.", field=field)
    allowed = _MINOR_UNITS.get(currency, 2)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > allowed:
        raise InvalidInput(
            f"{currency} amounts have at most {allowed} decimal places.", field=field
        )
    return value


def validate_spec(spec: ChallengeSpec) -> None:
    """Every rule a challenge must meet before it can be drafted or published."""
    if not 3 <= len(spec.title.strip()) <= 200:
        raise InvalidInput("The title needs 3 to 200 characters.", field="title")
    if not spec.brief.strip():
        raise InvalidInput("Write a brief: what problem should solvers solve?", field="brief")
    if len(spec.brief) > 100_000:
        raise InvalidInput("The brief is limited to 100,000 characters.", field="brief")
    for tz_field in ("opens_at", "closes_at", "review_ends_at"):
        if getattr(spec, tz_field).tzinfo is None:
            raise InvalidInput("Deadlines need a time zone.", field=tz_field)
    if not spec.opens_at < spec.closes_at:
        raise InvalidInput("The challenge must open before it closes.", field="closes_at")
    if not spec.closes_at < spec.review_ends_at:
        raise InvalidInput("Review must end after submissions close.", field="review_ends_at")
    if not spec.prizes:
        raise InvalidInput("Name at least one prize place.", field="prizes")
    places = [p.place for p in spec.prizes]
    if sorted(places) != list(range(1, len(places) + 1)):
        raise InvalidInput("Prize places must be 1, 2, 3, ... without gaps.", field="prizes")
    for prize in spec.prizes:
        parse_money(prize.amount, prize.currency, field="prizes")
    if not spec.criteria:
        raise InvalidInput("Name at least one judging criterion.", field="criteria")
    names = [c.name.strip() for c in spec.criteria]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise InvalidInput("Criteria need distinct, non-empty names.", field="criteria")
    if any(c.weight <= 0 for c in spec.criteria) or sum(c.weight for c in spec.criteria) != 100:
        raise InvalidInput("Criteria weights must be positive and sum to 100.", field="criteria")
    if any(c.min_score >= c.max_score for c in spec.criteria):
        raise InvalidInput(
            "Each criterion's minimum score must be below its maximum.", field="criteria"
        )
    if not 1 <= spec.max_submissions_per_solver <= 100:
        raise InvalidInput(
            "Allow 1 to 100 submissions per solver.", field="max_submissions_per_solver"
        )
    if spec.visibility not in VISIBILITIES:
        raise InvalidInput("Visibility is public or private.", field="visibility")
    if spec.voting.mode not in VOTING_MODES:
        raise InvalidInput("Voting is none, public or shortlist_then_public.", field="voting")
    if spec.voting.mode != "none" and spec.visibility != "public":
        raise InvalidInput("Public voting needs a public gallery.", field="voting")
    if spec.voting.mode == "public" and not spec.voting.threshold:
        raise InvalidInput("Public voting needs a support threshold.", field="voting")
    if spec.voting.threshold is not None and not 1 <= spec.voting.threshold <= 10_000_000:
        raise InvalidInput("The support threshold is 1 to 10,000,000.", field="voting")
    if spec.ip_terms not in IP_TERMS:
        raise InvalidInput(
            "IP terms are assignment, exclusive_licence or solver_retains.", field="ip_terms"
        )
    if spec.language not in LOCALES:
        raise InvalidInput(f"Language must be one of {', '.join(LOCALES)}.", field="language")
