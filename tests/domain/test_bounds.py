"""Issue 19: every value object and command input is bounded at command time.

Given-when-then for the limits chosen, and properties: whatever the input, the
domain gives a valid value or a DomainError (InvalidInput), never another
exception, and a valid value stays within the documented bounds and can be
formatted, stored and summed."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from openinno.domain.account import check_profile
from openinno.domain.agreement import check_signature
from openinno.domain.challenge import Challenge
from openinno.domain.currencies import CURRENCIES, MINOR_UNITS
from openinno.domain.errors import DomainError, InvalidInput
from openinno.domain.limits import (
    EARLIEST,
    LATEST,
    TEXTS,
    check_moment,
    check_text,
    parse_score,
)
from openinno.domain.organisation import Organisation
from openinno.domain.review import check_scores
from openinno.domain.submission import check_content
from openinno.domain.values import (
    MAX_AMOUNT,
    ChallengeSpec,
    Criterion,
    Prize,
    Signature,
    SubmissionContent,
    Voting,
    canonical_json,
    normalise_email,
    parse_money,
    totals_by_currency,
    validate_spec,
)
from openinno.files import Upload, check_upload, clean_file_name
from tests.domain.helpers import SPONSOR, at, new_id, recorded
from tests.domain.helpers import given as given_history
from tests.domain.test_challenge import a_spec
from web.pages.i18n import format_money, format_when

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


# --- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["1E+999999999", "1e3", "1" * 1_000_001, "-5", "5,000", " "])
def test_money_is_written_plainly_and_bounded(amount):
    with pytest.raises(InvalidInput) as refused:
        parse_money(amount, "EUR", field="prizes")
    assert refused.value.field == "prizes"


def test_the_largest_amount_is_a_trillion_major_units_with_the_currencys_minor_units():
    assert parse_money("1000000000000.000", "KWD") == MAX_AMOUNT
    assert parse_money("1000000000000", "JPY") == MAX_AMOUNT
    for amount, currency in [("1000000000000.01", "EUR"), ("1.5", "JPY"), ("1.0001", "BHD")]:
        with pytest.raises(InvalidInput):
            parse_money(amount, currency)


def test_only_iso_4217_currencies_in_use_with_their_minor_units():
    assert {"DKK", "EUR", "JPY", "KWD", "USD", "PLN", "RUB", "CHF"} <= set(CURRENCIES)
    assert (MINOR_UNITS["JPY"], MINOR_UNITS["KWD"], MINOR_UNITS["EUR"]) == (0, 3, 2)
    for code in ("XYZ", "XTS", "XXX", "XAU", "HRK", "eur", ""):
        with pytest.raises(InvalidInput) as refused:
            parse_money("1", code)
        assert refused.value.field == "currency"


def test_a_decimal_in_exponent_form_is_refused_not_recorded_as_such():
    with pytest.raises(InvalidInput):
        parse_money(Decimal("1E+3"), "EUR")
    with pytest.raises(InvalidInput):
        parse_money(Decimal("1E-999999"), "EUR")  # never written out in full
    assert parse_money(Decimal("5000.00"), "EUR") == Decimal("5000.00")


def test_totals_are_kept_per_currency_and_never_fail_on_stored_values():
    prizes = [
        Prize(1, Decimal("100"), "JPY"),
        Prize(2, Decimal("5000"), "EUR"),
        {"place": 3, "amount": "1E+999999999", "currency": "EUR"},
        [4, "not a number", "EUR"],
    ]
    totals = dict(totals_by_currency(prizes))
    assert totals["JPY"] == 100
    assert totals["EUR"] > MAX_AMOUNT


amounts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.eE+-", max_size=40),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.floats(),
)


@PROPERTY
@given(amount=amounts, currency=st.one_of(st.sampled_from(CURRENCIES), st.text(max_size=4)))
def test_any_amount_is_a_bounded_value_or_invalid_input(amount, currency):
    try:
        value = parse_money(amount, currency)
    except InvalidInput:
        return
    assert Decimal(0) <= value <= MAX_AMOUNT
    assert "E" not in str(value)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int) and -exponent <= MINOR_UNITS[currency]
    for locale in ("en", "pl", "ru"):
        assert format_money(value, currency, locale)


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_every_text_kind_has_a_maximum(kind):
    rule = TEXTS[kind]
    with pytest.raises(InvalidInput) as refused:
        check_text("x" * (rule.max_length + 1), kind, "f")
    assert refused.value.field == "f"
    assert check_text("x" * rule.max_length, kind) == "x" * rule.max_length


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "a\ud800b"])
def test_no_text_holds_control_characters(bad):
    for kind in TEXTS:
        with pytest.raises(InvalidInput):
            check_text(bad + "ccc", kind)


def test_line_breaks_only_in_multiline_texts():
    assert check_text("line one\nline two", "brief") == "line one\nline two"
    with pytest.raises(InvalidInput):
        check_text("line one\nline two", "category")


@PROPERTY
@given(kind=st.sampled_from(sorted(TEXTS)), value=st.text(max_size=300))
def test_any_text_is_a_clean_value_or_invalid_input(kind, value):
    try:
        cleaned = check_text(value, kind)
    except InvalidInput:
        return
    rule = TEXTS[kind]
    assert rule.min_length <= len(cleaned) <= rule.max_length
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")  # storable in any UTF-8 store


# --- deadlines and scores ----------------------------------------------------------------


def test_deadlines_lie_between_2000_and_2999():
    assert check_moment(LATEST, "closes_at") == LATEST
    assert check_moment(EARLIEST, "closes_at") == EARLIEST
    for moment in (
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(1999, 12, 31, tzinfo=UTC),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_moment(moment, "closes_at")
        assert refused.value.field == "closes_at"


def test_extending_to_the_end_of_time_is_refused_not_an_overflow():
    # given a published, running challenge
    challenge = given_history(Challenge(SPONSOR, new_id(), a_spec(), at(0)))
    challenge.publish(SPONSOR, at(0))
    given_history(challenge)
    # when the sponsor extends the deadline to 9999-12-31, then nothing is recorded
    with pytest.raises(InvalidInput):
        challenge.extend_deadline(
            SPONSOR, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), new_id(), "Later.", at(1)
        )
    # and the review end moved along stays within bounds
    with pytest.raises(InvalidInput) as refused:
        challenge.extend_deadline(SPONSOR, LATEST - timedelta(days=1), new_id(), "Later.", at(1))
    assert refused.value.field == "review_ends_at"
    assert recorded(challenge) == []


@pytest.mark.parametrize("score", ["NaN", "sNaN", "Infinity", "-inf", "1e3", "9" * 5000, True])
def test_a_score_is_a_finite_plainly_written_number(score):
    with pytest.raises(InvalidInput):
        check_scores((Criterion("quality", 100),), {"quality": score})


@PROPERTY
@given(
    score=st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.decimals(), st.booleans())
)
def test_any_score_is_a_finite_decimal_or_invalid_input(score):
    try:
        value = parse_score(score)
    except InvalidInput:
        return
    assert value.is_finite() and abs(value) <= 1000


# --- whole command inputs ---------------------------------------------------------------


moments = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
criteria = st.builds(
    Criterion, st.text(max_size=120), st.integers(-200, 200), st.integers(), st.integers()
)
prizes = st.builds(
    Prize,
    st.integers(-2, 5),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(("EUR", "JPY", "KWD", "XYZ")),
)
specs = st.builds(
    ChallengeSpec,
    title=st.text(max_size=250),
    brief=st.text(max_size=50),
    prizes=st.lists(prizes, max_size=4).map(tuple),
    criteria=st.lists(criteria, max_size=4).map(tuple),
    opens_at=moments,
    closes_at=moments,
    review_ends_at=moments,
    max_submissions_per_solver=st.integers(),
    voting=st.builds(Voting, st.sampled_from(("none", "public", "x")), st.none() | st.integers()),
    eligibility=st.text(max_size=30),
    rules=st.text(max_size=30),
    category=st.text(max_size=80),
    language=st.text(max_size=3),
)


@PROPERTY
@given(spec=specs)
def test_any_spec_is_valid_or_invalid_input(spec):
    try:
        validate_spec(spec)
    except InvalidInput:
        return
    canonical_json(spec)
    assert all(p.amount <= MAX_AMOUNT for p in spec.prizes)
    assert EARLIEST <= spec.opens_at < spec.closes_at < spec.review_ends_at <= LATEST
    for prize in spec.prizes:
        format_money(prize.amount, prize.currency, "en")
    format_when(spec.review_ends_at, "en", "Pacific/Kiritimati")


@PROPERTY
@given(base=st.just(None), title=st.text(max_size=250), category=st.text(max_size=80))
def test_a_valid_spec_stays_valid_with_any_text_or_is_refused(base, title, category):
    with contextlib.suppress(InvalidInput):
        validate_spec(replace(a_spec(), title=title, category=category))


@PROPERTY
@given(
    name=st.text(max_size=150),
    locale=st.sampled_from(("en", "pl", "xx")),
    time_zone=st.sampled_from(("UTC", "Europe/Warsaw", "Nowhere")),
    email=st.text(max_size=300),
    organisation=st.text(max_size=250),
)
def test_any_account_or_organisation_input_is_valid_or_invalid_input(
    name, locale, time_zone, email, organisation
):
    for check in (
        lambda: check_profile(name, locale, time_zone),
        lambda: normalise_email(email),
        lambda: Organisation.check_name(organisation),
    ):
        with contextlib.suppress(DomainError):
            check()


@PROPERTY
@given(title=st.text(max_size=250), summary=st.text(max_size=50), file_name=st.text(max_size=300))
def test_any_submission_input_is_valid_or_invalid_input(title, summary, file_name):
    try:
        ref = check_upload(Upload.of_bytes(file_name, b"%PDF-1.4"), max_bytes=1000)
        check_content(SubmissionContent(title, summary, (ref,)), max_files=5)
    except InvalidInput:
        return
    assert ref.name == clean_file_name(ref.name)


@PROPERTY
@given(typed_name=st.text(max_size=250), intent=st.text(max_size=50))
def test_any_signature_is_valid_or_invalid_input(typed_name, intent):
    signature = Signature(new_id(), typed_name, intent, "password", "", "", "0" * 64)
    with contextlib.suppress(InvalidInput):
        check_signature(signature, "0" * 64)


def test_bidirectional_controls_are_removed_from_file_names():
    ref = check_upload(Upload.of_bytes("invoice\u202efdp.exe", b"%PDF-1.4"), max_bytes=1000)
    assert ref.name == "invoicefdp.exe"
    assert clean_file_name("a\u2066b\u2069c\u200fd\x00") == "abcd"
