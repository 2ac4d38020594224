"""Value objects carried inside events.  They are msgspec Structs: stored payloads
evolve only by adding fields with defaults at the end."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from decimal import MAX_EMAX, MIN_EMIN, Decimal, InvalidOperation, localcontext
from typing import Any, Literal
from uuid import UUID

import msgspec

from openinno.domain.currencies import minor_units
from openinno.domain.errors import InvalidInput
from openinno.domain.limits import (
    MAX_CRITERIA,
    MAX_PRIZES,
    MAX_SCORE,
    MIN_SCORE,
    check_moment,
    check_text,
)

Visibility = Literal["public", "private"]
VotingMode = Literal["none", "public", "shortlist_then_public"]
IpTerms = Literal["assignment", "exclusive_licence", "solver_retains"]
OrgRole = Literal["owner", "manager", "legal"]
# When reviewers score: once submissions close (the default), or from the opening on.
ReviewTiming = Literal["after_close", "rolling"]

VISIBILITIES: tuple[str, ...] = ("public", "private")
VOTING_MODES: tuple[str, ...] = ("none", "public", "shortlist_then_public")
IP_TERMS: tuple[str, ...] = ("assignment", "exclusive_licence", "solver_retains")
ORG_ROLES: tuple[str, ...] = ("owner", "manager", "legal")
REVIEW_TIMINGS: tuple[str, ...] = ("after_close", "rolling")
LOCALES: tuple[str, ...] = ("en", "pl", "fr", "es", "ru")

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


# How long a solver has to appeal a decision about their entry, unless the terms say
# otherwise (issue 24): a week, Topcoder's appeal phase being a matter of days.
DEFAULT_APPEAL_WINDOW_DAYS = 7
MAX_APPEAL_WINDOW_DAYS = 90


class AppealRules(msgspec.Struct, frozen=True):
    """What the terms say of appeals (issue 24): ``window_days`` to appeal a
    disqualification or a moderation decision from when it was recorded (0: no
    appeals); ``scores``: whether the published scores can be appealed too, within
    the same window from the end of review."""

    window_days: int = DEFAULT_APPEAL_WINDOW_DAYS
    scores: bool = False


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
    # When review runs (issue 20).  None: a spec from before the choice existed, or a
    # draft that did not say; both mean "after_close".  Publishing writes the choice
    # into the terms explicitly, so every terms hash since covers it, and the terms
    # of older challenges re-encode to the very bytes they hashed (``terms_document``).
    review_timing: ReviewTiming | None = None
    # Appeals (issue 24).  None: terms from before appeals existed, or a draft that did
    # not say; both mean ``AppealRules()``.  Written into the terms at publish, like
    # ``review_timing``; left out of older terms' documents (``terms_document``).
    appeals: AppealRules | None = None

    @property
    def review_runs(self) -> ReviewTiming:
        return self.review_timing or "after_close"

    @property
    def appeal_rules(self) -> AppealRules:
        return self.appeals or AppealRules()


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
    """``content_sha256`` and ``version`` (issue 20): the version awarded, the one its
    agreement covers; ``override_reason``: why the sponsor awarded a version no
    reviewer scored (the award is refused without one).  All None in awards recorded
    before versions were bound."""

    submission_id: UUID
    place: int
    agreement_id: UUID
    content_sha256: str | None = None
    version: int | None = None
    override_reason: str | None = None


class Signature(msgspec.Struct, frozen=True, omit_defaults=True):
    signer_id: UUID
    typed_name: str
    intent: str
    auth_method: str
    ip_address: str
    user_agent: str
    text_sha256: str
    # Whether the typed name is the signer's account name (spaces and case aside).  A
    # mismatch is recorded, not refused: people sign with their full legal name.  None:
    # signed before the check existed (omitted when stored, so old payloads read back
    # and re-encode unchanged).
    typed_name_matches_account: bool | None = None


def same_name(typed: str, account_name: str) -> bool:
    """A typed name and an account's name, compared without regard to case or spacing."""
    return " ".join(typed.split()).casefold() == " ".join(account_name.split()).casefold()


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: keys sorted, no whitespace; the form that is hashed."""
    return msgspec.json.encode(value, order="sorted")


def terms_document(terms: ChallengeTerms) -> bytes:
    """The canonical bytes whose SHA-256 is a challenge's terms hash.  Terms published
    before ``review_timing`` (or ``appeals``) existed were hashed without the key; it
    decodes as None and is left out again, so their document is the bytes they hashed."""
    if terms.spec.review_timing is not None and terms.spec.appeals is not None:
        return canonical_json(terms)
    value = msgspec.to_builtins(terms)
    for key in ("review_timing", "appeals"):
        if value["spec"][key] is None:
            del value["spec"][key]
    return canonical_json(value)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise InvalidInput("Enter an email address like name@example.org.", field="email")
    return cleaned


# The largest prize amount, in major units (a trillion euros, yen or dinars): far
# above any real prize, and small enough that a sum of many such amounts stays
# exact in a Decimal and formats in every locale.
MAX_AMOUNT = Decimal(10**12)
# Plain decimal notation only: no sign, no exponent ("1e3", "1E+999999999"), no
# spaces or separators.  The length is checked first, so a million-digit string is
# refused without building a Decimal from it.
_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_MAX_AMOUNT_CHARS = 32


def parse_money(amount: str | Decimal | int, currency: str, *, field: str = "amount") -> Decimal:
    """Money is a Decimal of at most MAX_AMOUNT in an ISO 4217 currency in use, with no
    more decimals than the currency allows; never a float, never an exponent."""
    if isinstance(amount, float | bool):
        raise InvalidInput("Give amounts as decimal strings, not floats.", field=field)
    allowed = minor_units(currency) if isinstance(currency, str) else None
    if allowed is None:
        raise InvalidInput(
            "Currency must be an ISO 4217 code in use, such as EUR.", field="currency"
        )
    if isinstance(amount, Decimal):
        # Judged by its parts, never written out: Decimal("1E-999999") has a
        # million-digit plain form.
        exponent = amount.as_tuple().exponent
        if not isinstance(exponent, int) or amount.is_signed():
            raise InvalidInput("Amounts are zero or more, like 5000.", field=field)
        if exponent > 0:  # Decimal("1E+3"): would be recorded in exponent notation
            raise InvalidInput("Write amounts without an exponent, like 5000.", field=field)
        if amount.adjusted() > 12:
            raise InvalidInput(
                "Amounts are at most %(max)s %(currency)s.",
                field=field,
                max=MAX_AMOUNT,
                currency=currency,
            )
        if -exponent > allowed:
            raise _too_precise(currency, allowed, field)
        text = format(amount, "f")
    else:
        text = str(amount).strip() if isinstance(amount, str | int) else ""
    if len(text) > _MAX_AMOUNT_CHARS and _AMOUNT.match(text[:_MAX_AMOUNT_CHARS]):
        raise InvalidInput(
            "Amounts are at most %(max)s %(currency)s.",
            field=field,
            max=MAX_AMOUNT,
            currency=currency,
        )
    if len(text) > _MAX_AMOUNT_CHARS or not _AMOUNT.match(text):
        raise InvalidInput(
            "%(value)s is not an amount; write it like 5000 or 5000.00.",
            field=field,
            value=repr(text[:20]),
        )
    value = Decimal(text)
    if value > MAX_AMOUNT:
        raise InvalidInput(
            "Amounts are at most %(max)s %(currency)s.",
            field=field,
            max=MAX_AMOUNT,
            currency=currency,
        )
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > allowed:
        raise _too_precise(currency, allowed, field)
    return value


def totals_by_currency(prizes: Iterable[Any]) -> list[tuple[str, Decimal]]:
    """Each currency's sum of prize amounts, in the order the currencies first
    appear: 100 JPY and 5000 EUR are two totals, never "5100 JPY".  ``prizes`` are
    Prize structs or their stored JSON forms (objects or [place, amount, currency]).
    Total on stored values of any age: amounts that are not decimals are skipped, and
    sums are taken with the widest exponent range (1E+999999999 does not overflow)."""
    totals: dict[str, Decimal] = {}
    with localcontext() as context:
        context.Emax, context.Emin, context.traps[InvalidOperation] = MAX_EMAX, MIN_EMIN, False
        for prize in prizes:
            if isinstance(prize, dict):
                amount, currency = prize.get("amount"), prize.get("currency")
            elif isinstance(prize, list | tuple) and len(prize) == 3:
                _place, amount, currency = prize
            else:
                amount, currency = getattr(prize, "amount", None), getattr(prize, "currency", None)
            try:
                value = Decimal(str(amount)) if len(str(amount)) <= 1_000 else Decimal("NaN")
            except InvalidOperation:
                continue
            if not isinstance(currency, str) or not value.is_finite():
                continue
            totals[currency] = totals.get(currency, Decimal(0)) + value
    return list(totals.items())


def _too_precise(currency: str, allowed: int, field: str) -> InvalidInput:
    if allowed == 0:
        return InvalidInput(
            "%(currency)s amounts are whole numbers.", field=field, currency=currency
        )
    return InvalidInput(
        "%(currency)s amounts have at most %(allowed)s decimal places.",
        field=field,
        currency=currency,
        allowed=allowed,
    )


def validate_spec(spec: ChallengeSpec) -> None:
    """Every rule a challenge must meet before it can be drafted or published."""
    check_text(spec.title, "challenge_title", "title")
    if not spec.brief.strip():
        raise InvalidInput("Write a brief: what problem should solvers solve?", field="brief")
    check_text(spec.brief, "brief")
    check_text(spec.rules, "rules")
    check_text(spec.eligibility, "eligibility")
    check_text(spec.category, "category")
    for moment_field in ("opens_at", "closes_at", "review_ends_at"):
        check_moment(getattr(spec, moment_field), moment_field)
    if not spec.opens_at < spec.closes_at:
        raise InvalidInput("The challenge must open before it closes.", field="closes_at")
    if not spec.closes_at < spec.review_ends_at:
        raise InvalidInput("Review must end after submissions close.", field="review_ends_at")
    if not spec.prizes:
        raise InvalidInput("Name at least one prize place.", field="prizes")
    if len(spec.prizes) > MAX_PRIZES:
        raise InvalidInput("Name at most %(max)s prize places.", field="prizes", max=MAX_PRIZES)
    places = [p.place for p in spec.prizes]
    if sorted(places) != list(range(1, len(places) + 1)):
        raise InvalidInput("Prize places must be 1, 2, 3, ... without gaps.", field="prizes")
    for prize in spec.prizes:
        parse_money(prize.amount, prize.currency, field="prizes")
    if not spec.criteria:
        raise InvalidInput("Name at least one judging criterion.", field="criteria")
    if len(spec.criteria) > MAX_CRITERIA:
        raise InvalidInput("Name at most %(max)s criteria.", field="criteria", max=MAX_CRITERIA)
    for criterion in spec.criteria:
        check_text(criterion.name, "criterion_name", "criteria")
    names = [c.name.strip() for c in spec.criteria]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise InvalidInput("Criteria need distinct, non-empty names.", field="criteria")
    if any(c.weight <= 0 for c in spec.criteria) or sum(c.weight for c in spec.criteria) != 100:
        raise InvalidInput("Criteria weights must be positive and sum to 100.", field="criteria")
    if any(not MIN_SCORE <= c.min_score <= MAX_SCORE for c in spec.criteria) or any(
        not MIN_SCORE <= c.max_score <= MAX_SCORE for c in spec.criteria
    ):
        raise InvalidInput(
            "Scores run between %(min)s and %(max)s.",
            field="criteria",
            min=MIN_SCORE,
            max=MAX_SCORE,
        )
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
    if spec.review_timing is not None and spec.review_timing not in REVIEW_TIMINGS:
        raise InvalidInput("Review runs after_close or rolling.", field="review_timing")
    if spec.appeals is not None and not 0 <= spec.appeals.window_days <= MAX_APPEAL_WINDOW_DAYS:
        raise InvalidInput(
            "Appeals may be open for 0 to %(max)s days.",
            field="appeals",
            max=MAX_APPEAL_WINDOW_DAYS,
        )
    if spec.ip_terms not in IP_TERMS:
        raise InvalidInput(
            "IP terms are assignment, exclusive_licence or solver_retains.", field="ip_terms"
        )
    if spec.language not in LOCALES:
        raise InvalidInput(
            "Language must be one of %(languages)s.", field="language", languages=", ".join(LOCALES)
        )
