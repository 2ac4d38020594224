"""After the win (issue 29): an agreement's royalty, its sales reports, statements and
payouts, and the sponsor's commitment to produce."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.agreement import IpAgreement
from openinno.domain.errors import InvalidInput
from openinno.domain.limits import TEXTS
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec

Period = Annotated[
    str,
    msgspec.Meta(
        max_length=7,
        description="The period, of the agreement's kind: 2027 (year), 2027-Q1, 2027-03 (month)",
        examples=["2027-Q1"],
    ),
]
Money = Annotated[str, msgspec.Meta(max_length=40, description="A decimal string, like 35988.00")]
Currency = Annotated[str, msgspec.Meta(max_length=3, examples=["EUR"])]
Note = Annotated[str, msgspec.Meta(max_length=TEXTS["optional_reason"].max_length)]


class SalesReportBody(Strict):
    period: Period
    units: int
    net_sales: Money
    currency: Currency
    note: Note = ""


class StatementBody(Strict):
    period: Period


class PayoutBody(Strict):
    statement_id: UUID
    amount: Money
    currency: Currency
    reference: Annotated[str, msgspec.Meta(max_length=TEXTS["payment_reference"].max_length)]


class ProductionBody(Strict):
    state: Annotated[
        Literal["committed", "in_production", "dropped"],
        msgspec.Meta(
            description="committed (with `on`: the target date), in_production (with `on`:"
            " the day it started) or dropped (with `reason`)"
        ),
    ]
    on: date | None = None
    note: Note = ""
    reason: Annotated[str, msgspec.Meta(max_length=TEXTS["reason"].max_length)] = ""


class RoyaltyTermsView(msgspec.Struct, frozen=True):
    rate_percent: str
    period: str
    currency: str | None


class SalesReportView(msgspec.Struct, frozen=True):
    report_id: UUID
    period: str
    units: int
    net_sales: str
    currency: str
    note: str


class RoyaltyLineView(msgspec.Struct, frozen=True):
    currency: str
    net_sales: str
    rate_percent: str
    royalty: str
    paid: str
    outstanding: str


class StatementView(msgspec.Struct, frozen=True):
    statement_id: UUID
    period: str
    report_ids: list[UUID]
    lines: list[RoyaltyLineView]
    settled: bool


class PayoutView(msgspec.Struct, frozen=True):
    statement_id: UUID
    amount: str
    currency: str
    reference: str


class ProductionView(msgspec.Struct, frozen=True):
    state: str | None
    target_on: date | None
    started_on: date | None
    note: str


class AfterTheWinView(msgspec.Struct, frozen=True):
    agreement_id: UUID
    royalty: RoyaltyTermsView | None
    production: ProductionView
    sales_reports: list[SalesReportView]
    statements: list[StatementView]
    payouts: list[PayoutView]
    version: int


def after_the_win_view(agreement: IpAgreement) -> AfterTheWinView:
    royalty = agreement.royalty
    return AfterTheWinView(
        agreement_id=agreement.id,
        royalty=None
        if royalty is None
        else RoyaltyTermsView(str(royalty.rate_percent), royalty.period, royalty.currency),
        production=ProductionView(
            agreement.production,
            agreement.production_target,
            agreement.production_started,
            agreement.production_note,
        ),
        sales_reports=[
            SalesReportView(r.report_id, r.period, r.units, str(r.net_sales), r.currency, r.note)
            for r in agreement.sales_reports
        ],
        statements=[
            StatementView(
                s.statement_id,
                s.period,
                list(s.report_ids),
                [
                    RoyaltyLineView(
                        ln.currency,
                        str(ln.net_sales),
                        str(ln.rate_percent),
                        str(ln.royalty),
                        str(s.paid.get(ln.currency, 0)),
                        str(s.outstanding(ln.currency)),
                    )
                    for ln in s.lines
                ],
                s.settled,
            )
            for s in agreement.statements
        ],
        payouts=[
            PayoutView(p.statement_id, str(p.amount), p.currency, p.reference)
            for p in agreement.payouts
        ],
        version=agreement.version,
    )


@get(
    "/agreements/{agreement_id:uuid}/after-the-win",
    tags=["agreements"],
    summary="An agreement's royalty, sales reports, statements, payouts and production",
    description="For whoever may read the agreement: its authors, the sponsor, admins.",
    security=SECURITY,
    responses=problem_spec(401, 404),
    sync_to_thread=True,
)
@signed_in
def get_after_the_win(
    agreement_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> AfterTheWinView:
    return after_the_win_view(openinno.get_agreement(actor, agreement_id))


@post(
    "/agreements/{agreement_id:uuid}/sales-reports",
    tags=["agreements"],
    summary="Report a period's sales (owner or manager; agreements with a royalty)",
    description="Once the rights have passed. Refused for a period already stated. The "
    "returned `id` is the report's.",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {"period": "2027-Q1", "units": 1200, "net_sales": "35988.00", "currency": "EUR"}
    ),
)
@signed_in
def report_sales(
    agreement_id: FromPath[UUID],
    data: JSONBody[SalesReportBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.report_sales(
        actor, agreement_id, data.period, data.units, data.net_sales, data.currency, data.note
    )
    return Written(recorded.id, recorded.position)


@post(
    "/agreements/{agreement_id:uuid}/royalty-statements",
    tags=["agreements"],
    summary="Issue a period's royalty statement, computed from its sales reports",
    description="Owner, manager or legal. One per period; the period is closed to further "
    "reports. The returned `id` is the statement's.",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"period": "2027-Q1"}),
)
@signed_in
def state_royalty(
    agreement_id: FromPath[UUID],
    data: JSONBody[StatementBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.state_royalty(actor, agreement_id, data.period)
    return Written(recorded.id, recorded.position)


@post(
    "/agreements/{agreement_id:uuid}/royalty-payouts",
    tags=["agreements"],
    summary="Record a royalty payout against a statement (owner or manager)",
    description="In one of the statement's currencies, at most what is outstanding in it.",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {
            "statement_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "amount": "539.82",
            "currency": "EUR",
            "reference": "ROY-2027-Q1",
        }
    ),
)
@signed_in
def pay_royalty(
    agreement_id: FromPath[UUID],
    data: JSONBody[PayoutBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.pay_royalty(
        actor, agreement_id, data.statement_id, data.amount, data.currency, data.reference
    )
    return Written(recorded.id, recorded.position)


@post(
    "/agreements/{agreement_id:uuid}/production",
    tags=["agreements"],
    summary="Record the commitment to produce, its start, or its end (owner or manager)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"state": "committed", "on": "2027-09-01", "note": "Autumn."}),
)
@signed_in
def production(
    agreement_id: FromPath[UUID],
    data: JSONBody[ProductionBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    if data.state == "dropped":
        recorded = openinno.drop_production(actor, agreement_id, data.reason)
    elif data.on is None:
        raise InvalidInput("Enter a date between 2000 and 2999.", field="on")
    elif data.state == "committed":
        recorded = openinno.commit_to_produce(actor, agreement_id, data.on, data.note)
    else:
        recorded = openinno.start_production(actor, agreement_id, data.on)
    return Written(recorded.id, recorded.position)


HANDLERS = [get_after_the_win, report_sales, state_royalty, pay_royalty, production]
