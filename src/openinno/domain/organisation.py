"""Sponsors: organisations and their members' roles."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import NOT_FOUND, AccessDenied, InvalidInput, InvalidState, NotFound
from openinno.domain.limits import check_text
from openinno.domain.values import ORG_ROLES, FileRef
from openinno.domain.webhooks import MAX_ENDPOINTS, check_types, check_url

# A logo is an image the pages show on the organisation's challenges: raster kinds
# only (an SVG can carry script), small (it is shown on every challenge card).
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
LOGO_MAX_BYTES = 512 * 1024


class Webhook(NamedTuple):
    url: str
    types: tuple[str, ...]
    at: datetime


class Organisation(Aggregate):
    # Snapshots from before logos existed have no such attribute.
    logo: FileRef | None = None

    class Created(Aggregate.Created):
        actor_id: UUID
        name: str

    @event(Created)
    def __init__(self, actor_id: UUID, name: str, timestamp: datetime) -> None:
        self.name = name
        # The creator is the first owner.
        self.members: dict[UUID, str] = {actor_id: "owner"}
        # Webhooks registered and not removed: id -> {"url", "types", "at"}.  The signing
        # secret is not recorded: it is derived from the site's secret key and the
        # webhook id (web/webhooks/signing.py), so the log never holds it.
        self.webhooks: dict[UUID, Webhook] = {}

    @staticmethod
    def check_name(name: str) -> str:
        cleaned = name.strip()
        if not 2 <= len(cleaned) <= 200:
            raise InvalidInput("Organisation names need 2 to 200 characters.", field="name")
        return check_text(name, "organisation_name", "name")

    def role_of(self, account_id: UUID) -> str | None:
        return self.members.get(account_id)

    def require_role(self, account_id: UUID, *roles: str) -> None:
        if self.members.get(account_id) not in roles:
            raise AccessDenied(
                "This needs the role %(roles)s in %(organisation)s.",
                roles="/".join(roles),
                organisation=self.name,
            )

    class MemberAdded(Aggregate.Event):
        actor_id: UUID
        account_id: UUID
        role: str

    def add_member(self, actor_id: UUID, account_id: UUID, role: str, at: datetime) -> None:
        self.require_role(actor_id, "owner")
        if role not in ORG_ROLES:
            raise InvalidInput("Role must be owner, manager or legal.", field="role")
        if self.members.get(account_id) == role:
            raise InvalidState("That person already has this role.")
        if self.members.get(account_id) == "owner" and self._owner_count() == 1:
            raise InvalidState("An organisation needs at least one owner.")
        self._member_added(actor_id, account_id, role, at)

    @event(MemberAdded)
    def _member_added(
        self, actor_id: UUID, account_id: UUID, role: str, timestamp: datetime
    ) -> None:
        self.members[account_id] = role

    class MemberRemoved(Aggregate.Event):
        """``reason``: why, told to the person removed, with ``organisation_name`` (so
        the notification names it without a lookup); both empty before issue 24 and
        where the owner gave none."""

        actor_id: UUID
        account_id: UUID
        reason: str = ""
        organisation_name: str = ""

    def remove_member(
        self, actor_id: UUID, account_id: UUID, at: datetime, reason: str = ""
    ) -> None:
        self.require_role(actor_id, "owner")
        if account_id not in self.members:
            raise InvalidState("That person is not a member.")
        if self.members[account_id] == "owner" and self._owner_count() == 1:
            raise InvalidState("An organisation needs at least one owner.")
        reason = check_text(reason, "optional_reason", "reason")
        self._member_removed(actor_id, account_id, at, reason, self.name)

    @event(MemberRemoved)
    def _member_removed(
        self,
        actor_id: UUID,
        account_id: UUID,
        timestamp: datetime,
        reason: str = "",
        organisation_name: str = "",
    ) -> None:
        del self.members[account_id]

    class LogoChanged(Aggregate.Event):
        """The logo shown on the organisation's challenges; ``logo`` None removes it."""

        actor_id: UUID
        logo: FileRef | None

    def change_logo(self, actor_id: UUID, logo: FileRef | None, at: datetime) -> None:
        self.require_role(actor_id, "owner", "manager")
        if logo is not None:
            if logo.media_type not in LOGO_TYPES:
                raise InvalidInput("A logo is a PNG, JPEG, WebP or GIF image.", field="logo")
            if logo.size > LOGO_MAX_BYTES:
                raise InvalidInput(
                    "A logo may have at most %(max)s bytes.", field="logo", max=LOGO_MAX_BYTES
                )
        if logo == self.logo:
            raise InvalidState("The organisation already shows this logo.")
        self._logo_changed(actor_id, logo, at)

    @event(LogoChanged)
    def _logo_changed(self, actor_id: UUID, logo: FileRef | None, timestamp: datetime) -> None:
        self.logo = logo

    def _owner_count(self) -> int:
        return sum(1 for role in self.members.values() if role == "owner")

    # --- webhooks (issue 23) ------------------------------------------------------------

    class WebhookRegistered(Aggregate.Event):
        actor_id: UUID
        webhook_id: UUID
        url: str
        types: tuple[str, ...]

    def register_webhook(
        self, actor_id: UUID, webhook_id: UUID, url: str, types: list[str], at: datetime
    ) -> None:
        self.require_role(actor_id, "owner", "manager")
        if len(self.webhooks) >= MAX_ENDPOINTS:
            raise InvalidState(
                "An organisation has at most %(limit)s webhooks.", limit=MAX_ENDPOINTS
            )
        self._webhook_registered(actor_id, webhook_id, check_url(url), check_types(types), at)

    @event(WebhookRegistered)
    def _webhook_registered(
        self,
        actor_id: UUID,
        webhook_id: UUID,
        url: str,
        types: tuple[str, ...],
        timestamp: datetime,
    ) -> None:
        self.webhooks[webhook_id] = Webhook(url, tuple(types), timestamp)

    class WebhookRemoved(Aggregate.Event):
        actor_id: UUID
        webhook_id: UUID

    def require_webhook(self, actor_id: UUID, webhook_id: UUID) -> Webhook:
        self.require_role(actor_id, "owner", "manager")
        hook = self.webhooks.get(webhook_id)
        if hook is None:
            raise NotFound(NOT_FOUND["webhook"], id=str(webhook_id))
        return hook

    def remove_webhook(self, actor_id: UUID, webhook_id: UUID, at: datetime) -> None:
        self.require_webhook(actor_id, webhook_id)
        self._webhook_removed(actor_id, webhook_id, at)

    @event(WebhookRemoved)
    def _webhook_removed(self, actor_id: UUID, webhook_id: UUID, timestamp: datetime) -> None:
        del self.webhooks[webhook_id]
