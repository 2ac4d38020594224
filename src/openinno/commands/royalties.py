"""After the win (issue 29, decision 0036): the sponsor reports sales, states the
royalty each period owes, records what it paid, and tracks its commitment to produce.

Who may do what, on an agreement whose rights have passed to the sponsor:

- report sales, record a commitment to produce, its start or its end, and pay a
  royalty: the sponsor's owners and managers (who record the prize's payment too);
- issue a statement: its owners, managers and legal members.

The agreement's authors read all of it on the agreement (``get_agreement``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict


class Royalties(CommandBase):
    @retry_on_conflict
    def report_sales(
        self,
        actor_id: UUID,
        agreement_id: UUID,
        period: str,
        units: int | str,
        net_sales: str | Decimal,
        currency: str,
        note: str = "",
    ) -> Recorded:
        """Records a sales report; its id is the returned ``id``."""
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "manager")
        report_id = uuid4()
        agreement.report_sales(
            actor_id, report_id, period, units, net_sales, currency, note, self._now()
        )
        return Recorded(report_id, self._commit(agreement))

    @retry_on_conflict
    def state_royalty(self, actor_id: UUID, agreement_id: UUID, period: str) -> Recorded:
        """Issues the period's statement, computed from its reports; returns its id."""
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "manager", "legal")
        statement_id = uuid4()
        agreement.state_royalty(actor_id, statement_id, period, self._now())
        return Recorded(statement_id, self._commit(agreement))

    @retry_on_conflict
    def pay_royalty(
        self,
        actor_id: UUID,
        agreement_id: UUID,
        statement_id: UUID | str,
        amount: str | Decimal,
        currency: str,
        reference: str,
    ) -> Recorded:
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "manager")
        agreement.pay_royalty(actor_id, statement_id, amount, currency, reference, self._now())
        return Recorded(agreement_id, self._commit(agreement))

    @retry_on_conflict
    def commit_to_produce(
        self, actor_id: UUID, agreement_id: UUID, target_on: date | str, note: str = ""
    ) -> Recorded:
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "manager")
        agreement.commit_to_produce(actor_id, target_on, note, self._now())
        return Recorded(agreement_id, self._commit(agreement))

    @retry_on_conflict
    def start_production(
        self, actor_id: UUID, agreement_id: UUID, started_on: date | str
    ) -> Recorded:
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "manager")
        agreement.start_production(actor_id, started_on, self._now())
        return Recorded(agreement_id, self._commit(agreement))

    @retry_on_conflict
    def drop_production(self, actor_id: UUID, agreement_id: UUID, reason: str) -> Recorded:
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "manager")
        agreement.drop_production(actor_id, reason, self._now())
        return Recorded(agreement_id, self._commit(agreement))
