"""IP agreements: drafted when a submission is awarded; rights pass only once
both sides signed the text whose hash they saw (and payment, where required)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.limits import check_text
from openinno.domain.royalties import (
    RoyaltyLine,
    RoyaltyPayout,
    RoyaltyStatement,
    SalesReport,
    check_day,
    check_period,
    check_units,
    royalty_lines,
)
from openinno.domain.values import RoyaltyTerms, Signature, parse_money


def check_signature(signature: Signature, text_sha256: str) -> None:
    if not signature.typed_name.strip():
        raise InvalidInput("Type your full name to sign.", field="typed_name")
    if not signature.intent.strip():
        raise InvalidInput("State that you intend to sign this agreement.", field="intent")
    check_text(signature.typed_name, "typed_name")
    check_text(signature.intent, "intent")
    if signature.text_sha256 != text_sha256:
        raise InvalidInput(
            "The agreement text you saw is not the one on record; reload and read it again.",
            field="text_sha256",
        )


class IpAgreement(Aggregate):
    # Streams replayed from before awards named their version have no such attributes.
    content_version: int | None = None
    override_reason: str | None = None
    royalty: RoyaltyTerms | None = None
    production: str | None = None

    class Drafted(Aggregate.Created):
        """``content_sha256``: the awarded version, which the text names;
        ``content_version`` its number and ``override_reason`` the sponsor's reason for awarding it though
        no reviewer scored it (issue 20; None in agreements drafted before);
        ``royalty``: the share of sales the terms promised (issue 29; None: none, or
        drafted before royalties existed)."""

        actor_id: UUID
        challenge_id: UUID
        submission_id: UUID
        content_sha256: str
        terms_sha256: str
        template: str
        template_version: int
        text: str
        text_sha256: str
        assignor_id: UUID
        co_assignor_ids: tuple[UUID, ...]
        assignee_organisation_id: UUID
        place: int
        amount: Decimal
        currency: str
        payment_required: bool
        content_version: int | None = None
        override_reason: str | None = None
        royalty: RoyaltyTerms | None = None

    @event(Drafted)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        challenge_id: UUID,
        submission_id: UUID,
        content_sha256: str,
        terms_sha256: str,
        template: str,
        template_version: int,
        text: str,
        text_sha256: str,
        assignor_id: UUID,
        co_assignor_ids: tuple[UUID, ...],
        assignee_organisation_id: UUID,
        place: int,
        amount: Decimal,
        currency: str,
        payment_required: bool,
        timestamp: datetime,
        content_version: int | None = None,
        override_reason: str | None = None,
        royalty: RoyaltyTerms | None = None,
    ) -> None:
        self.challenge_id = challenge_id
        self.royalty = royalty
        self.sales_reports: list[SalesReport] = []
        self.statements: list[RoyaltyStatement] = []
        self.payouts: list[RoyaltyPayout] = []
        # The commitment to produce: its state and dates (see royalties.PRODUCTION_STATES).
        self.production = None
        self.production_target: date | None = None
        self.production_started: date | None = None
        self.production_note = ""
        self.content_version = content_version
        self.override_reason = override_reason
        self.submission_id = submission_id
        self.content_sha256 = content_sha256
        self.terms_sha256 = terms_sha256
        self.template = template
        self.template_version = template_version
        self.text = text
        self.text_sha256 = text_sha256
        self.assignor_id = assignor_id
        self.assignee_organisation_id = assignee_organisation_id
        # The prize place it is for (kept since issue 25: the agreement page names it).
        self.place = place
        self.amount = amount
        self.currency = currency
        self.payment_required = payment_required
        self.authors = (assignor_id, *co_assignor_ids)
        # Every author of a team entry signs; the sponsor countersigns after all of them.
        self.assignor_signatures: dict[UUID, Signature] = {}
        self.assignee_signature: Signature | None = None
        self.payment_reference: str | None = None
        self.transferred = False
        self.disputed = False
        self.rescinded = False
        self.dispute_reason = ""
        self.rescind_reason = ""

    @property
    def state(self) -> str:
        if self.rescinded:
            return "rescinded"
        if self.disputed:
            return "disputed"
        if self.transferred:
            return "transferred"
        if not self.all_authors_signed:
            return "awaiting_signature"
        if self.assignee_signature is None:
            return "awaiting_countersignature"
        return "awaiting_payment"

    @property
    def all_authors_signed(self) -> bool:
        return all(a in self.assignor_signatures for a in self.authors)

    class SignedByAssignor(Aggregate.Event):
        actor_id: UUID
        signature: Signature

    def sign(self, actor_id: UUID, signature: Signature, at: datetime) -> None:
        self._require_open()
        if actor_id not in self.authors:
            raise InvalidState("Only the winning solver (and team) sign as assignor.")
        if actor_id in self.assignor_signatures:
            raise InvalidState("You have already signed.")
        check_signature(signature, self.text_sha256)
        self._signed_by_assignor(actor_id, signature, at)

    @event(SignedByAssignor)
    def _signed_by_assignor(
        self, actor_id: UUID, signature: Signature, timestamp: datetime
    ) -> None:
        self.assignor_signatures[actor_id] = signature

    class CountersignedByAssignee(Aggregate.Event):
        actor_id: UUID
        signature: Signature

    def countersign(self, actor_id: UUID, signature: Signature, at: datetime) -> None:
        self._require_open()
        if not self.all_authors_signed:
            raise InvalidState("Every author of the entry signs first.")
        if self.assignee_signature is not None:
            raise InvalidState("The sponsor has already countersigned.")
        check_signature(signature, self.text_sha256)
        self._countersigned(actor_id, signature, at)
        self._transfer_if_due(actor_id, at)

    @event(CountersignedByAssignee)
    def _countersigned(self, actor_id: UUID, signature: Signature, timestamp: datetime) -> None:
        self.assignee_signature = signature

    class ConsiderationPaid(Aggregate.Event):
        actor_id: UUID
        reference: str
        amount: Decimal
        currency: str

    def record_payment(self, actor_id: UUID, reference: str, at: datetime) -> None:
        self._require_open()
        if self.payment_reference is not None:
            raise InvalidState("Payment is already recorded.")
        if not reference.strip() or len(reference) > 200:
            raise InvalidInput(
                "Give the payment reference (1 to 200 characters).", field="reference"
            )
        reference = check_text(reference, "payment_reference", "reference")
        self._consideration_paid(actor_id, reference, self.amount, self.currency, at)
        self._transfer_if_due(actor_id, at)

    @event(ConsiderationPaid)
    def _consideration_paid(
        self, actor_id: UUID, reference: str, amount: Decimal, currency: str, timestamp: datetime
    ) -> None:
        self.payment_reference = reference

    class OwnershipTransferred(Aggregate.Event):
        """Recorded for assignment templates once every condition is met."""

        actor_id: UUID
        text_sha256: str
        content_sha256: str

    class LicenceGranted(Aggregate.Event):
        """Recorded instead of a transfer where the template grants a licence."""

        actor_id: UUID
        text_sha256: str
        content_sha256: str
        exclusive: bool

    def _transfer_if_due(self, actor_id: UUID, at: datetime) -> None:
        if self.transferred or not self.all_authors_signed or self.assignee_signature is None:
            return
        if self.payment_required and self.payment_reference is None:
            return
        if self.template == "assignment":
            self._ownership_transferred(actor_id, self.text_sha256, self.content_sha256, at)
        else:
            self._licence_granted(
                actor_id,
                self.text_sha256,
                self.content_sha256,
                self.template == "exclusive_licence",
                at,
            )

    @event(OwnershipTransferred)
    def _ownership_transferred(
        self, actor_id: UUID, text_sha256: str, content_sha256: str, timestamp: datetime
    ) -> None:
        self.transferred = True

    @event(LicenceGranted)
    def _licence_granted(
        self,
        actor_id: UUID,
        text_sha256: str,
        content_sha256: str,
        exclusive: bool,
        timestamp: datetime,
    ) -> None:
        self.transferred = True

    class Disputed(Aggregate.Event):
        actor_id: UUID
        reason: str

    def dispute(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.rescinded or self.disputed:
            raise InvalidState(
                "This agreement is already rescinded."
                if self.rescinded
                else "This agreement is already disputed."
            )
        if not reason.strip():
            raise InvalidInput("Say what is disputed.", field="reason")
        self._disputed(actor_id, check_text(reason, "reason"), at)

    @event(Disputed)
    def _disputed(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.disputed = True
        self.dispute_reason = reason

    class Rescinded(Aggregate.Event):
        actor_id: UUID
        reason: str

    def rescind(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.rescinded:
            raise InvalidState("This agreement is already rescinded.")
        if not reason.strip():
            raise InvalidInput("Say why the agreement is rescinded.", field="reason")
        self._rescinded(actor_id, check_text(reason, "reason"), at)

    @event(Rescinded)
    def _rescinded(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.rescinded = True
        self.rescind_reason = reason

    # --- after the win (issue 29): royalties and the commitment to produce ------------

    def _require_rights_passed(self) -> None:
        self._require_open()
        if not self.transferred:
            raise InvalidState(
                "Royalties and production are recorded once the rights have passed to the sponsor."
            )

    def _require_royalty(self) -> RoyaltyTerms:
        if self.royalty is None:
            raise InvalidState("This agreement has no royalty.")
        self._require_rights_passed()
        return self.royalty

    def stated_periods(self) -> set[str]:
        return {s.period for s in self.statements}

    class SalesReported(Aggregate.Event):
        """Sales the sponsor reports for a period (issue 29): units and net sales."""

        actor_id: UUID
        report_id: UUID
        period: str
        units: int
        net_sales: Decimal
        currency: str
        note: str

    def report_sales(
        self,
        actor_id: UUID,
        report_id: UUID,
        period: str,
        units: int | str,
        net_sales: str | Decimal,
        currency: str,
        note: str,
        at: datetime,
    ) -> None:
        royalty = self._require_royalty()
        period = check_period(period, royalty.period)
        if royalty.currency is not None and currency != royalty.currency:
            raise InvalidInput(
                "The terms have sales reported in %(currency)s.",
                field="currency",
                currency=royalty.currency,
            )
        amount = parse_money(net_sales, currency, field="net_sales")
        if period in self.stated_periods():
            raise InvalidState(
                "A statement for %(period)s is already issued; report later sales in a"
                " later period.",
                period=period,
            )
        note = check_text(note, "optional_reason", "note")
        self._sales_reported(
            actor_id, report_id, period, check_units(units), amount, currency, note, at
        )

    @event(SalesReported)
    def _sales_reported(
        self,
        actor_id: UUID,
        report_id: UUID,
        period: str,
        units: int,
        net_sales: Decimal,
        currency: str,
        note: str,
        timestamp: datetime,
    ) -> None:
        self.sales_reports.append(SalesReport(report_id, period, units, net_sales, currency, note))

    class RoyaltyStated(Aggregate.Event):
        """A period's royalty statement: computed from that period's reports only
        (``royalties.royalty_lines``), so it can be computed again from the log."""

        actor_id: UUID
        statement_id: UUID
        period: str
        report_ids: tuple[UUID, ...]
        lines: tuple[RoyaltyLine, ...]

    def state_royalty(self, actor_id: UUID, statement_id: UUID, period: str, at: datetime) -> None:
        royalty = self._require_royalty()
        period = check_period(period, royalty.period)
        if period in self.stated_periods():
            raise InvalidState("A statement for %(period)s is already issued.", period=period)
        reports = [r for r in self.sales_reports if r.period == period]
        if not reports:
            raise InvalidState("No sales are reported for %(period)s yet.", period=period)
        lines = royalty_lines(reports, royalty.rate_percent)
        report_ids = tuple(r.report_id for r in reports)
        self._royalty_stated(actor_id, statement_id, period, report_ids, lines, at)

    @event(RoyaltyStated)
    def _royalty_stated(
        self,
        actor_id: UUID,
        statement_id: UUID,
        period: str,
        report_ids: tuple[UUID, ...],
        lines: tuple[RoyaltyLine, ...],
        timestamp: datetime,
    ) -> None:
        self.statements.append(RoyaltyStatement(statement_id, period, report_ids, lines))

    def statement(self, statement_id: UUID | str) -> RoyaltyStatement:
        for s in self.statements:
            if str(s.statement_id) == str(statement_id).strip().lower():
                return s
        raise InvalidInput("No such royalty statement.", field="statement_id")

    class RoyaltyPaid(Aggregate.Event):
        """A payout of a statement, in one of its currencies, with its reference."""

        actor_id: UUID
        statement_id: UUID
        amount: Decimal
        currency: str
        reference: str

    def pay_royalty(
        self,
        actor_id: UUID,
        statement_id: UUID | str,
        amount: str | Decimal,
        currency: str,
        reference: str,
        at: datetime,
    ) -> None:
        self._require_royalty()
        statement = self.statement(statement_id)
        statement_id = statement.statement_id
        value = parse_money(amount, currency, field="amount")
        outstanding = statement.outstanding(currency)
        if value <= 0 or value > outstanding:
            raise InvalidInput(
                "Pay more than 0 and at most the %(outstanding)s %(currency)s outstanding.",
                field="amount",
                outstanding=max(outstanding, Decimal(0)),
                currency=currency,
            )
        if not reference.strip():
            raise InvalidInput(
                "Give the payment reference (1 to 200 characters).", field="reference"
            )
        reference = check_text(reference, "payment_reference", "reference")
        self._royalty_paid(actor_id, statement_id, value, currency, reference, at)

    @event(RoyaltyPaid)
    def _royalty_paid(
        self,
        actor_id: UUID,
        statement_id: UUID,
        amount: Decimal,
        currency: str,
        reference: str,
        timestamp: datetime,
    ) -> None:
        self.payouts.append(RoyaltyPayout(statement_id, amount, currency, reference))
        for i, s in enumerate(self.statements):
            if s.statement_id == statement_id:
                paid = dict(s.paid)
                paid[currency] = paid.get(currency, Decimal(0)) + amount
                self.statements[i] = RoyaltyStatement(
                    s.statement_id, s.period, s.report_ids, s.lines, paid
                )

    class ProductionCommitted(Aggregate.Event):
        """The sponsor commits to produce the entry, by ``target_on`` (issue 29)."""

        actor_id: UUID
        target_on: date
        note: str

    def commit_to_produce(
        self, actor_id: UUID, target_on: date | str, note: str, at: datetime
    ) -> None:
        self._require_rights_passed()
        if self.production is not None:
            raise InvalidState("A commitment to produce is already recorded.")
        day = check_day(target_on, "target_on")
        self._production_committed(actor_id, day, check_text(note, "comment", "note"), at)

    @event(ProductionCommitted)
    def _production_committed(
        self, actor_id: UUID, target_on: date, note: str, timestamp: datetime
    ) -> None:
        self.production = "committed"
        self.production_target = target_on
        self.production_note = note

    class ProductionStarted(Aggregate.Event):
        """The committed product is in production since ``started_on``."""

        actor_id: UUID
        started_on: date

    def start_production(self, actor_id: UUID, started_on: date | str, at: datetime) -> None:
        self._require_rights_passed()
        if self.production != "committed":
            raise InvalidState("Commit to produce first; production starts once.")
        self._production_started(actor_id, check_day(started_on, "started_on"), at)

    @event(ProductionStarted)
    def _production_started(self, actor_id: UUID, started_on: date, timestamp: datetime) -> None:
        self.production = "in_production"
        self.production_started = started_on

    class ProductionDropped(Aggregate.Event):
        """The sponsor gives up the commitment to produce, with its reason."""

        actor_id: UUID
        reason: str

    def drop_production(self, actor_id: UUID, reason: str, at: datetime) -> None:
        self._require_rights_passed()
        if self.production not in ("committed", "in_production"):
            raise InvalidState("There is no commitment to produce to drop.")
        if not reason.strip():
            raise InvalidInput("Say why production is dropped.", field="reason")
        self._production_dropped(actor_id, check_text(reason, "reason"), at)

    @event(ProductionDropped)
    def _production_dropped(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.production = "dropped"
        self.production_note = reason

    def _require_open(self) -> None:
        if self.rescinded or self.disputed:
            raise InvalidState(
                "This agreement is rescinded; resolve that first."
                if self.rescinded
                else "This agreement is disputed; resolve that first."
            )
