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
# Who decides the winners where a challenge has a public vote (issue 20): the jury's
# scores, the public's support, or both weighted (``public_weight`` percent public).
AwardRule = Literal["jury", "public", "weighted"]
AWARD_RULES: tuple[str, ...] = ("jury", "public", "weighted")
MAX_ROUNDS = 5
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


class ReviewRound(msgspec.Struct, frozen=True):
    """A review round after the first (issue 20): its name and its own rubric.  It
    reviews the shortlist the round before it advanced."""

    name: str
    criteria: tuple[Criterion, ...]


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


# Royalties (issue 29, decision 0036): how often the sponsor reports sales and states
# what is owed.  A period is named "2027" (year), "2027-Q1" (quarter) or "2027-03"
# (month).
RoyaltyPeriod = Literal["month", "quarter", "year"]
ROYALTY_PERIODS: tuple[str, ...] = ("month", "quarter", "year")
# A royalty rate is a percentage of reported net sales: above 0, at most 100, with at
# most 4 decimals (0.0025 %: finer than any real royalty).
MAX_RATE_DECIMALS = 4


class RoyaltyTerms(msgspec.Struct, frozen=True, omit_defaults=True):
    """A share of the sales, LEGO Ideas' "percentage of the sales" (issue 29):
    ``rate_percent`` of the net sales the sponsor reports for each ``period``;
    ``currency``: the one currency sales are reported and royalties paid in, or None
    for any (each currency is then owed and paid on its own: no conversion)."""

    rate_percent: Decimal
    period: RoyaltyPeriod = "quarter"
    currency: str | None = None


class AfterTheWin(msgspec.Struct, frozen=True, omit_defaults=True):
    """What the terms promise beyond the prize places (issue 29).  Each part is left
    out of the terms document while None (``omit_defaults``), so parts added later
    leave the bytes of terms published before them unchanged."""

    royalty: RoyaltyTerms | None = None


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
    # Assignment (issue 20, decision 0023): True: no entry is assigned to a reviewer who
    # is a member of the sponsor's organisation.  None (left out of the terms
    # document, as every optional key below): not said, which means False.
    independent_reviewers: bool | None = None
    # Review rounds after the first (issue 20): the first round (screening) scores every
    # entry on ``criteria``; each later round scores the shortlist the round before it
    # advanced, on its own criteria, with its own reviewers.  None: one round.
    later_rounds: tuple[ReviewRound, ...] | None = None
    # How winners are decided, stated before anyone enters (None: the jury decides).
    award_rule: AwardRule | None = None
    # ``weighted``: the public's share in percent (1 to 99); the jury has the rest (0
    # in terms of the other rules).
    public_weight: int | None = None
    # Whether entering, and voting, need an account whose e-mail address is verified
    # (issue 23).  None: not required (a spec from before they existed, or a draft that
    # did not say).  Publishing writes them explicitly (True or False), as it does
    # review_timing; the terms document leaves them out where None, so the terms of
    # older challenges re-encode to the very bytes they hashed.
    verified_email_to_enter: bool | None = None
    verified_email_to_vote: bool | None = None
    # Appeals (issue 24).  None: terms from before appeals existed, or a draft that did
    # not say; both mean ``AppealRules()``.  Written into the terms at publish, like
    # ``review_timing``; left out of older terms' documents (``terms_document``).
    appeals: AppealRules | None = None
    # After the win (issue 29): royalties.  None: terms from before, or a draft that did
    # not say; both mean ``AfterTheWin()``, nothing beyond the prizes.  Written into the
    # terms at publish (an empty ``{}`` where nothing is promised).
    after_the_win: AfterTheWin | None = None

    @property
    def review_runs(self) -> ReviewTiming:
        return self.review_timing or "after_close"

    @property
    def round_count(self) -> int:
        return 1 + len(self.later_rounds or ())

    def round_criteria(self, round_number: int) -> tuple[Criterion, ...]:
        """Round 1's rubric is ``criteria``; each later round's its own."""
        if round_number <= 1:
            return self.criteria
        return (self.later_rounds or ())[round_number - 2].criteria

    @property
    def decided_by(self) -> AwardRule:
        return self.award_rule or "jury"

    @property
    def enter_needs_verified_email(self) -> bool:
        return bool(self.verified_email_to_enter)

    @property
    def vote_needs_verified_email(self) -> bool:
        return bool(self.verified_email_to_vote)

    @property
    def appeal_rules(self) -> AppealRules:
        return self.appeals or AppealRules()

    @property
    def beyond_the_prizes(self) -> AfterTheWin:
        return self.after_the_win or AfterTheWin()


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


# Keys of the spec added after terms were first hashed: each is left out of the terms
# document while None, so terms published before it existed keep their bytes.
OPTIONAL_TERMS_KEYS: tuple[str, ...] = (
    "review_timing",
    "independent_reviewers",
    "later_rounds",
    "award_rule",
    "public_weight",
    "verified_email_to_enter",
    "verified_email_to_vote",
    "appeals",
    "after_the_win",
)


def terms_document(terms: ChallengeTerms) -> bytes:
    """The canonical bytes whose SHA-256 is a challenge's terms hash.  Terms published
    before ``review_timing`` (or any of ``OPTIONAL_TERMS_KEYS``) existed were hashed
    without the key; it decodes as None and is left out again, so their document is
    the bytes they hashed."""
    if all(getattr(terms.spec, key) is not None for key in OPTIONAL_TERMS_KEYS):
        return canonical_json(terms)
    value = msgspec.to_builtins(terms)
    for key in OPTIONAL_TERMS_KEYS:
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
    if spec.independent_reviewers is not None and not isinstance(spec.independent_reviewers, bool):
        raise InvalidInput("Say yes or no.", field="independent_reviewers")
    _validate_rounds(spec)
    if spec.appeals is not None and not 0 <= spec.appeals.window_days <= MAX_APPEAL_WINDOW_DAYS:
        raise InvalidInput(
            "Appeals may be open for 0 to %(max)s days.",
            field="appeals",
            max=MAX_APPEAL_WINDOW_DAYS,
        )
    _validate_after_the_win(spec)
    if spec.ip_terms not in IP_TERMS:
        raise InvalidInput(
            "IP terms are assignment, exclusive_licence or solver_retains.", field="ip_terms"
        )
    if spec.language not in LOCALES:
        raise InvalidInput(
            "Language must be one of %(languages)s.", field="language", languages=", ".join(LOCALES)
        )


def _check_criteria(criteria: tuple[Criterion, ...], field: str) -> None:
    if not criteria:
        raise InvalidInput("Name at least one judging criterion.", field=field)
    if len(criteria) > MAX_CRITERIA:
        raise InvalidInput("Name at most %(max)s criteria.", field=field, max=MAX_CRITERIA)
    for criterion in criteria:
        check_text(criterion.name, "criterion_name", field)
    names = [c.name.strip() for c in criteria]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise InvalidInput("Criteria need distinct, non-empty names.", field=field)
    if any(c.weight <= 0 for c in criteria) or sum(c.weight for c in criteria) != 100:
        raise InvalidInput("Criteria weights must be positive and sum to 100.", field=field)
    if any(not (MIN_SCORE <= c.min_score < c.max_score <= MAX_SCORE) for c in criteria):
        raise InvalidInput(
            "Scores run between %(min)s and %(max)s.", field=field, min=MIN_SCORE, max=MAX_SCORE
        )


def check_later_round(review_round: ReviewRound, field: str) -> None:
    """One later round's own rules (a name, a rubric like the first round's); the
    draft form runs it per round so that an error stands next to its round."""
    check_text(review_round.name, "criterion_name", field)
    _check_criteria(review_round.criteria, field)


def _validate_rounds(spec: ChallengeSpec) -> None:
    """Rounds and the award rule (issue 20)."""
    rounds = spec.later_rounds
    if rounds:
        if len(rounds) > MAX_ROUNDS - 1:
            raise InvalidInput(
                "A challenge has 1 to %(max)s review rounds.", field="later_rounds", max=MAX_ROUNDS
            )
        for r in rounds:
            check_later_round(r, "later_rounds")
    rule = spec.award_rule
    if rule is not None and rule not in AWARD_RULES:
        raise InvalidInput("Winners are decided by jury, public or weighted.", field="award_rule")
    if rule in ("public", "weighted") and spec.voting.mode != "shortlist_then_public":
        raise InvalidInput(
            "A public say in the award needs a public vote on the shortlist.", field="award_rule"
        )
    if rule == "weighted":
        weight = spec.public_weight
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 99:
            raise InvalidInput(
                "Give the public's weight in percent, 1 to 99.", field="public_weight"
            )
    elif spec.public_weight:
        raise InvalidInput(
            "A public weight is given only with the weighted rule.", field="public_weight"
        )


def check_rate(rate: Decimal, field: str = "royalty") -> Decimal:
    """A royalty rate in percent: above 0, at most 100, at most 4 decimals."""
    if not isinstance(rate, Decimal) or not rate.is_finite():
        raise InvalidInput("Give the royalty rate in percent, like 1.5.", field=field)
    exponent = rate.as_tuple().exponent
    if (
        not isinstance(exponent, int)
        or exponent > 0
        or -exponent > MAX_RATE_DECIMALS
        or not Decimal(0) < rate <= Decimal(100)
    ):
        raise InvalidInput(
            "A royalty rate is above 0 and at most 100 percent, with at most %(decimals)s"
            " decimals.",
            field=field,
            decimals=MAX_RATE_DECIMALS,
        )
    return rate


def _validate_after_the_win(spec: ChallengeSpec) -> None:
    royalty = spec.beyond_the_prizes.royalty
    if royalty is None:
        return
    check_rate(royalty.rate_percent)
    if royalty.period not in ROYALTY_PERIODS:
        raise InvalidInput("Royalties are stated each month, quarter or year.", field="royalty")
    if royalty.currency is not None and minor_units(royalty.currency) is None:
        raise InvalidInput(
            "Currency must be an ISO 4217 code in use, such as EUR.", field="royalty"
        )
