"""IP agreements: drafted when a submission is awarded; rights pass only once
both sides signed the text whose hash they saw (and payment, where required)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.limits import check_text
from openinno.domain.values import Signature


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

    class Drafted(Aggregate.Created):
        """``content_sha256``: the awarded version, which the text names;
        ``content_version`` its number and ``override_reason`` the sponsor's reason for awarding it though
        no reviewer scored it (issue 20; None in agreements drafted before)."""

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
    ) -> None:
        self.challenge_id = challenge_id
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

    def _require_open(self) -> None:
        if self.rescinded or self.disputed:
            raise InvalidState(
                "This agreement is rescinded; resolve that first."
                if self.rescinded
                else "This agreement is disputed; resolve that first."
            )
