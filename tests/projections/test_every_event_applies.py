"""Whatever the commands accept, every read model applies: any input either gets a
domain error at the write side or is recorded, and every event recorded applies
cleanly in every projection (none is set aside: projections/quarantine.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openinno.application import OpenInno
from openinno.domain.errors import DomainError
from openinno.domain.values import Criterion, Prize
from projections import quarantine
from projections.db import ReadStore, open_db
from projections.service import ReadSide
from tests.support.story import Scene, spec_for

# Text as people (and attackers) type it: any code point but surrogates, control
# characters and NUL included, short and long; or a plain valid value, so that most
# examples get past the other fields' rules to the field under attack.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)


def text(plain: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(plain), ANY_TEXT, ANY_TEXT.map(lambda t: plain + t))


AMOUNTS = st.one_of(
    st.just("100"),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["1E+999999999", "1e3", "-0", "0.001", "9" * 40, "1" + "0" * 27, "NaN", "sNaN"]
    ),
    st.from_regex(r"\A[0-9]{1,30}(\.[0-9]{1,4})?\Z"),
)
CURRENCIES = st.one_of(
    st.sampled_from(["EUR", "EUR", "JPY", "KWD", "DKK", "XYZ", "USD"]),
    st.from_regex(r"\A[A-Z]{3}\Z"),
)


def _attempt(command: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return command(*args, **kwargs)
    except DomainError:
        return None


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=text("A title"),
    brief=text("A brief"),
    category=text("toys"),
    rules=text("Rules"),
    criterion=text("fun"),
    amount=AMOUNTS,
    currency=CURRENCIES,
    question=text("Why?"),
    entry_title=text("An entry"),
    summary=text("A summary"),
    days=st.integers(min_value=-10, max_value=3_000_000),
)
def test_what_the_commands_accept_every_read_model_applies(
    app: OpenInno,
    cast: Scene,
    read_side: ReadSide,
    read_store: ReadStore,
    title: str,
    brief: str,
    category: str,
    rules: str,
    criterion: str,
    amount: str,
    currency: str,
    question: str,
    entry_title: str,
    summary: str,
    days: int,
) -> None:
    before = app.recorder.max_notification_id() or 0
    try:
        prize = Prize(1, Decimal(amount), currency)
        end = cast.clock.now() + timedelta(days=days)
    except (ArithmeticError, ValueError, OverflowError):
        return  # not a value a Prize or a deadline can hold: no command receives it
    spec = spec_for(
        cast.clock,
        title=title,
        brief=brief,
        category=category,
        rules=rules,
        prizes=(prize,),
        criteria=(Criterion(criterion, 100),),
        review_ends_at=max(end, cast.clock.now() + timedelta(days=31)),
    )
    drafted = _attempt(app.draft_challenge, cast.sponsor, cast.organisation, spec)
    if drafted is not None and _attempt(app.publish_challenge, cast.sponsor, drafted.id):
        _attempt(app.ask_question, cast.solver, drafted.id, question)
        cast.clock.advance(timedelta(days=2))
        terms = app.get_challenge(drafted.id).terms_sha256
        _attempt(app.submit, cast.solver, drafted.id, entry_title, summary, terms or "")
    read_side.catch_up()
    db = open_db(read_store)
    try:
        assert [e for e in quarantine.entries(db) if e.position > before] == []
    finally:
        db.close()
