"""Webhooks (issue 23): an organisation's owners and managers register endpoints for
event types and remove them.  Registration and removal are events on the
Organisation stream (``WebhookRegistered``, ``WebhookRemoved``); the deliveries are
a read model's outbox (projections/webhooks), sent by web/webhooks.

To anyone not a member an organisation and its webhooks do not exist (NotFound); a
member of another role (legal) is refused."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Organisation
from openinno.domain.errors import NOT_FOUND, NotFound
from openinno.domain.organisation import Webhook


class WebhookCommands(CommandBase):
    def _organisation_of_member(
        self, actor_id: UUID, organisation_id: UUID, *, readonly: bool = False
    ) -> Organisation:
        organisation = self._load(organisation_id, Organisation, "organisation", readonly=readonly)
        if organisation.role_of(actor_id) is None:
            raise NotFound(NOT_FOUND["organisation"], id=str(organisation_id))
        return organisation

    @retry_on_conflict
    def register_webhook(
        self, actor_id: UUID, organisation_id: UUID, url: str, types: list[str]
    ) -> Recorded:
        """The new webhook's id is ``Recorded.id``."""
        self._actor(actor_id)
        organisation = self._organisation_of_member(actor_id, organisation_id)
        webhook_id = uuid4()
        organisation.register_webhook(actor_id, webhook_id, url, types, self._now())
        return Recorded(webhook_id, self._commit(organisation))

    @retry_on_conflict
    def remove_webhook(self, actor_id: UUID, organisation_id: UUID, webhook_id: UUID) -> Recorded:
        self._actor(actor_id)
        organisation = self._organisation_of_member(actor_id, organisation_id)
        organisation.remove_webhook(actor_id, webhook_id, self._now())
        return Recorded(webhook_id, self._commit(organisation))

    def webhooks(self, actor_id: UUID, organisation_id: UUID) -> list[dict[str, Any]]:
        """The organisation's webhooks, oldest first (owners and managers)."""
        organisation = self._organisation_of_member(actor_id, organisation_id, readonly=True)
        organisation.require_role(actor_id, "owner", "manager")
        hooks = sorted(organisation.webhooks.items(), key=lambda kv: (kv[1].at, str(kv[0])))
        return [_view(webhook_id, hook) for webhook_id, hook in hooks]

    def webhook(self, actor_id: UUID, organisation_id: UUID, webhook_id: UUID) -> dict[str, Any]:
        """One webhook of the organisation (owners and managers); NotFound when it
        is not, or no longer, one of its webhooks."""
        organisation = self._organisation_of_member(actor_id, organisation_id, readonly=True)
        return _view(webhook_id, organisation.require_webhook(actor_id, webhook_id))


def _view(webhook_id: UUID, hook: Webhook) -> dict[str, Any]:
    return {"id": webhook_id, "url": hook.url, "types": list(hook.types), "registered_at": hook.at}
