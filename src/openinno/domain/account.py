"""People: accounts, and the email claims that keep emails unique."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from uuid import UUID
from zoneinfo import available_timezones

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.limits import check_text
from openinno.domain.notices import check_preference, default_mode
from openinno.domain.values import LOCALES

ROLES = ("admin",)


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on every call (~20 ms).
    return frozenset(available_timezones())


def check_profile(display_name: str, locale: str, time_zone: str) -> None:
    if not 1 <= len(display_name.strip()) <= 100:
        raise InvalidInput("Display names need 1 to 100 characters.", field="display_name")
    check_text(display_name, "display_name")
    if locale not in LOCALES:
        raise InvalidInput(
            "Language must be one of %(languages)s.", field="locale", languages=", ".join(LOCALES)
        )
    if time_zone != "UTC" and time_zone not in _time_zones():
        raise InvalidInput("Use an IANA time zone such as Europe/Warsaw.", field="time_zone")


class Account(Aggregate):
    # The generation of the account's API tokens: only tokens issued in it are live
    # (openinno.domain.token).  A class default, so accounts and snapshots from before
    # it existed start at 0.
    api_token_generation: int = 0
    # (kind, e-mail mode) for every kind the account chose a mode for (a class default,
    # so accounts from before preferences existed have none; a tuple: replaced, never
    # changed in place, as cached aggregates are copy-on-write).
    chosen_mail_modes: tuple[tuple[str, str], ...] = ()

    class Registered(Aggregate.Created):
        actor_id: UUID
        email: str
        display_name: str
        locale: str
        time_zone: str
        password_hash: str

    @event(Registered)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        email: str,
        display_name: str,
        locale: str,
        time_zone: str,
        password_hash: str,
        timestamp: datetime,
    ) -> None:
        self.email = email
        self.display_name = display_name.strip()
        self.locale = locale
        self.time_zone = time_zone
        self.password_hash = password_hash
        self.roles: set[str] = set()
        self.active = True

    class ProfileUpdated(Aggregate.Event):
        actor_id: UUID
        display_name: str
        locale: str
        time_zone: str

    def update_profile(
        self, actor_id: UUID, display_name: str, locale: str, time_zone: str, at: datetime
    ) -> None:
        self._require_active()
        check_profile(display_name, locale, time_zone)
        self._profile_updated(actor_id, display_name.strip(), locale, time_zone, at)

    @event(ProfileUpdated)
    def _profile_updated(
        self, actor_id: UUID, display_name: str, locale: str, time_zone: str, timestamp: datetime
    ) -> None:
        self.display_name = display_name
        self.locale = locale
        self.time_zone = time_zone

    class NotificationPreferenceSet(Aggregate.Event):
        """How the account wants to hear of one kind of notification by e-mail
        (``openinno.domain.notices``): ``instant`` or ``off``.  ``unsubscribed``: set
        through a mail's one-click unsubscribe link rather than the profile."""

        actor_id: UUID
        kind: str
        mail: str
        unsubscribed: bool = False

    def set_notification_preference(
        self, actor_id: UUID, kind: str, mail: str, at: datetime, *, unsubscribed: bool = False
    ) -> None:
        self._require_active()
        check_preference(kind, mail)
        if self.mail_preferences.get(kind, default_mode(kind)) != mail:
            self._notification_preference_set(actor_id, kind, mail, unsubscribed, at)

    @event(NotificationPreferenceSet)
    def _notification_preference_set(
        self, actor_id: UUID, kind: str, mail: str, unsubscribed: bool, timestamp: datetime
    ) -> None:
        self.chosen_mail_modes = tuple({**self.mail_preferences, kind: mail}.items())

    @property
    def mail_preferences(self) -> dict[str, str]:
        return dict(self.chosen_mail_modes)

    class PasswordChanged(Aggregate.Event):
        actor_id: UUID
        password_hash: str

    def change_password(self, actor_id: UUID, password_hash: str, at: datetime) -> None:
        self._require_active()
        self._password_changed(actor_id, password_hash, at)

    @event(PasswordChanged)
    def _password_changed(self, actor_id: UUID, password_hash: str, timestamp: datetime) -> None:
        self.password_hash = password_hash

    class ApiTokensRevoked(Aggregate.Event):
        actor_id: UUID
        reason: str

    def revoke_api_tokens(self, actor_id: UUID, reason: str, at: datetime) -> None:
        """Every API token issued so far is dead from now on (a new generation)."""
        self._api_tokens_revoked(actor_id, reason, at)

    @event(ApiTokensRevoked)
    def _api_tokens_revoked(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.api_token_generation += 1

    class RoleGranted(Aggregate.Event):
        actor_id: UUID
        role: str

    def grant_role(self, actor_id: UUID, role: str, at: datetime) -> None:
        if role not in ROLES:
            raise InvalidInput("Unknown role %(role)s.", field="role", role=repr(role))
        if role not in self.roles:
            self._role_granted(actor_id, role, at)

    @event(RoleGranted)
    def _role_granted(self, actor_id: UUID, role: str, timestamp: datetime) -> None:
        self.roles.add(role)

    class RoleRevoked(Aggregate.Event):
        actor_id: UUID
        role: str

    def revoke_role(self, actor_id: UUID, role: str, at: datetime) -> None:
        if role in self.roles:
            self._role_revoked(actor_id, role, at)

    @event(RoleRevoked)
    def _role_revoked(self, actor_id: UUID, role: str, timestamp: datetime) -> None:
        self.roles.discard(role)

    class Deactivated(Aggregate.Event):
        actor_id: UUID
        reason: str

    def deactivate(self, actor_id: UUID, reason: str, at: datetime) -> None:
        self._require_active()
        self._deactivated(actor_id, check_text(reason, "optional_reason", "reason"), at)

    @event(Deactivated)
    def _deactivated(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.active = False

    class Reactivated(Aggregate.Event):
        """An admin lets a deactivated account sign in again (its old sessions and
        tokens stay dead: deactivation revoked them)."""

        actor_id: UUID
        reason: str

    def reactivate(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.active:
            raise InvalidState("This account is active.")
        if not reason.strip():
            raise InvalidInput("Say why the account is reactivated.", field="reason")
        self._reactivated(actor_id, check_text(reason, "reason"), at)

    @event(Reactivated)
    def _reactivated(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.active = True

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def _require_active(self) -> None:
        if not self.active:
            raise InvalidState("This account is deactivated.")


class EmailClaim(Aggregate):
    """One stream per normalised email (id derived from it): two concurrent
    registrations of one email conflict in the store and exactly one wins."""

    class Claimed(Aggregate.Created):
        account_id: UUID

    @event(Claimed)
    def __init__(self, id: UUID, account_id: UUID, timestamp: datetime) -> None:
        self.account_id = account_id
