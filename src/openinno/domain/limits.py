"""The bounds every input meets before it is recorded: one rule per kind of text,
written once here and used by the domain's validation, the pages and the API.

Stored events are forever, so anything recorded must stay cheap to store, index,
render and sum: texts are bounded in length and free of control characters (a NUL
byte cannot be stored in PostgreSQL text; other controls only hide or garble
content), numbers are finite and bounded, and deadlines lie in a range that later
arithmetic (a review period moved along with an extended deadline) cannot
overflow.  These checks run at command time only; the read side tolerates stored
values from before they existed.  docs/events.md lists the limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from openinno.domain.errors import InvalidInput, Term


@dataclass(frozen=True)
class TextRule:
    """Length bounds (in characters, after trimming surrounding white space) and
    whether line breaks and tabs are allowed."""

    min_length: int
    max_length: int
    multiline: bool
    what: Term  # how messages name the text (translated on its own)


# Every kind of free text a command takes.
TEXTS: dict[str, TextRule] = {
    "challenge_title": TextRule(3, 200, False, Term("The title")),
    "brief": TextRule(1, 100_000, True, Term("The brief")),
    "rules": TextRule(0, 50_000, True, Term("The rules")),
    "eligibility": TextRule(0, 20_000, True, Term("The eligibility text")),
    "category": TextRule(1, 60, False, Term("The category")),
    "criterion_name": TextRule(1, 100, False, Term("A criterion's name")),
    "submission_title": TextRule(3, 200, False, Term("The title")),
    "summary": TextRule(1, 100_000, True, Term("The summary")),
    # A draft entry (issue 21) may be unfinished: its title names it, its summary may wait.
    "draft_title": TextRule(1, 200, False, Term("The title")),
    "draft_summary": TextRule(0, 100_000, True, Term("The summary")),
    "message": TextRule(1, 20_000, True, Term("The text")),  # questions, answers, announcements
    "reason": TextRule(1, 20_000, True, Term("The reason")),
    "optional_reason": TextRule(0, 20_000, True, Term("The reason")),
    "comment": TextRule(0, 20_000, True, Term("The comment")),
    "display_name": TextRule(1, 100, False, Term("Display names")),
    "organisation_name": TextRule(2, 200, False, Term("Organisation names")),
    "typed_name": TextRule(1, 200, False, Term("The typed name")),
    "intent": TextRule(1, 1_000, True, Term("The statement of intent")),
    "payment_reference": TextRule(1, 200, False, Term("The payment reference")),
    "search": TextRule(0, 200, False, Term("The search")),
}

# Characters no text may hold: C0 and C1 controls (line breaks and tabs aside, see
# TextRule.multiline), DEL, and lone surrogates (which no UTF-8 store can hold).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")

MAX_PRIZES = 50
MAX_CRITERIA = 20
# Scores are bounded so a criterion's range and every total stay exact in a float.
MIN_SCORE = -1_000
MAX_SCORE = 1_000
# Deadlines: far enough for any real challenge, near enough that moving a review
# period along with an extension stays far below datetime.max (9999-12-31).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
_SCORE_TEXT = re.compile(r"^-?[0-9]{1,4}(\.[0-9]{1,6})?$")


def check_text(value: str, kind: str, field: str | None = None) -> str:
    """``value`` trimmed, if it meets the rule for ``kind``; InvalidInput otherwise."""
    rule = TEXTS[kind]
    field = field or kind
    if not isinstance(value, str):
        raise InvalidInput("%(what)s must be text.", field=field, what=rule.what)
    cleaned = value.strip()
    if len(cleaned) < rule.min_length:
        if rule.min_length <= 1:
            raise InvalidInput("%(what)s cannot be empty.", field=field, what=rule.what)
        raise InvalidInput(
            "%(what)s needs %(min)s to %(max)s characters.",
            field=field,
            what=rule.what,
            min=rule.min_length,
            max=rule.max_length,
        )
    if len(cleaned) > rule.max_length:
        raise InvalidInput(
            "%(what)s is limited to %(max)s characters.",
            field=field,
            what=rule.what,
            max=rule.max_length,
        )
    if _FORBIDDEN.search(value) or (not rule.multiline and _LINE_BREAKS.search(cleaned)):
        raise InvalidInput("%(what)s contains control characters.", field=field, what=rule.what)
    return cleaned


def check_moment(value: datetime, field: str) -> datetime:
    """A deadline: with a time zone, between EARLIEST and LATEST."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("Deadlines need a time zone.", field=field)
    try:
        in_range = EARLIEST <= value <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise InvalidInput(
            "Deadlines lie between %(earliest)s and %(latest)s.",
            field=field,
            earliest=str(EARLIEST.year),
            latest=str(LATEST.year),
        )
    return value


def parse_score(value: object, field: str = "scores") -> Decimal:
    """A score as a finite Decimal: an int, a Decimal, a finite float or a plain
    decimal string ("8.5"); no exponents, NaN or infinities.  The range is the
    criterion's (review.check_scores)."""
    if isinstance(value, bool):
        raise InvalidInput("Scores are numbers.", field=field)
    if isinstance(value, int):
        if not MIN_SCORE <= value <= MAX_SCORE:
            raise InvalidInput(
                "Scores lie between %(min)s and %(max)s.", field=field, min=MIN_SCORE, max=MAX_SCORE
            )
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value) if value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput("Scores are finite numbers.", field=field)
        value = format(value, "f") if abs(value.adjusted()) < 8 else "nan"
    if not isinstance(value, str):
        raise InvalidInput("Scores are numbers.", field=field)
    text = value.strip()
    if len(text) > 16 or not _SCORE_TEXT.match(text):
        raise InvalidInput(
            "%(value)s is not a number such as 8.5.", field=field, value=repr(text[:20])
        )
    try:
        score = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise InvalidInput("%(value)s is not a number.", field=field, value=repr(text)) from None
    if not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidInput(
            "Scores lie between %(min)s and %(max)s.", field=field, min=MIN_SCORE, max=MAX_SCORE
        )
    return score
