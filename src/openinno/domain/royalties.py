"""Royalties after the win (issue 29, decision 0036): the sponsor reports sales per
period, and a statement of what is owed is computed from those reports alone, so
anyone holding the agreement's events can compute it again and compare."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import msgspec

from openinno.domain.currencies import minor_units
from openinno.domain.errors import InvalidInput

_PERIODS = {
    "year": re.compile(r"^(2[0-9]{3})$"),
    "quarter": re.compile(r"^(2[0-9]{3})-Q([1-4])$"),
    "month": re.compile(r"^(2[0-9]{3})-(0[1-9]|1[0-2])$"),
}
_EXAMPLES = {"year": "2027", "quarter": "2027-Q1", "month": "2027-03"}
# Units sold in one report: bounded like every number the log keeps.
MAX_UNITS = 10**12
# Production dates: the range deadlines keep (limits.EARLIEST, LATEST).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def check_period(period: str, kind: str) -> str:
    """A period's name in the agreement's kind of period: "2027", "2027-Q1", "2027-03"."""
    text = period.strip() if isinstance(period, str) else ""
    if kind not in _PERIODS or not _PERIODS[kind].match(text):
        raise InvalidInput(
            "Name the period like %(example)s.", field="period", example=_EXAMPLES.get(kind, "")
        )
    return text


def check_day(day: date | str, field: str) -> date:
    """A date as given by the API (a date) or a form (ISO text, "2027-09-01")."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day.strip())
        except ValueError:
            raise InvalidInput("Enter a date between 2000 and 2999.", field=field) from None
    if not isinstance(day, date) or not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput("Enter a date between 2000 and 2999.", field=field)
    return day


def check_units(units: int | str) -> int:
    """A count of units, given as a number (the API) or as digits (a form)."""
    if isinstance(units, str):
        text = units.strip()
        units = int(text) if text.isdigit() and len(text) <= 13 else -1
    if isinstance(units, bool) or not isinstance(units, int) or not 0 <= units <= MAX_UNITS:
        raise InvalidInput("Enter a whole number.", field="units")
    return units


class SalesReport(msgspec.Struct, frozen=True):
    """One report of sales the sponsor made (several may cover one period: one per
    market, say); ``net_sales`` is what the royalty rate applies to."""

    report_id: UUID
    period: str
    units: int
    net_sales: Decimal
    currency: str
    note: str = ""


class RoyaltyLine(msgspec.Struct, frozen=True):
    """What a statement owes in one currency: the period's net sales in it, the rate,
    and the royalty (rounded half up to the currency's minor unit)."""

    currency: str
    net_sales: Decimal
    rate_percent: Decimal
    royalty: Decimal


def royalty_lines(reports: Iterable[SalesReport], rate_percent: Decimal) -> tuple[RoyaltyLine, ...]:
    """A period's statement from its reports: per currency (in the order each first
    appears), the sum of net sales and the rate's share of it.  Never converted from
    one currency to another."""
    sums: dict[str, Decimal] = {}
    for report in reports:
        sums[report.currency] = sums.get(report.currency, Decimal(0)) + report.net_sales
    lines = []
    for currency, net in sums.items():
        unit = Decimal(1).scaleb(-(minor_units(currency) or 0))
        royalty = (net * rate_percent / Decimal(100)).quantize(unit, rounding=ROUND_HALF_UP)
        lines.append(RoyaltyLine(currency, net, rate_percent, royalty))
    return tuple(lines)


class RoyaltyStatement(msgspec.Struct, frozen=True):
    """A statement as the agreement keeps it: the period, the reports it covers, what
    it owes per currency, and what was paid of it per currency."""

    statement_id: UUID
    period: str
    report_ids: tuple[UUID, ...]
    lines: tuple[RoyaltyLine, ...]
    paid: dict[str, Decimal] = msgspec.field(default_factory=dict)

    def outstanding(self, currency: str) -> Decimal:
        owed = sum((ln.royalty for ln in self.lines if ln.currency == currency), Decimal(0))
        return owed - self.paid.get(currency, Decimal(0))

    @property
    def settled(self) -> bool:
        return all(self.outstanding(ln.currency) <= 0 for ln in self.lines)


class RoyaltyPayout(msgspec.Struct, frozen=True):
    statement_id: UUID
    amount: Decimal
    currency: str
    reference: str


# A sponsor's commitment to produce (LEGO Ideas' "goes into production"), with the
# state it is in: committed (with a target date), in production (from a date), or
# dropped (with a reason).  None: no commitment recorded.
PRODUCTION_STATES: tuple[str, ...] = ("committed", "in_production", "dropped")
