"""People: accounts, and the email claims that keep emails unique."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from uuid import UUID
from zoneinfo import available_timezones

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.limits import check_text
from openinno.domain.notices import check_preference, default_mode
from openinno.domain.personal import ERASED
from openinno.domain.values import LOCALES

ROLES = ("admin",)

# How long a mailed link stays good (issue 23): the e-mail verification link, and the
# password reset link (short: whoever reads the mailbox may take over the account).
VERIFY_LINK_TTL = timedelta(hours=48)
RESET_LINK_TTL = timedelta(hours=1)


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
    # The address the account proved it reads (Account.EmailVerified); None: not yet.
    verified_email: str | None = None
    # Password resets asked for and not used: (reset id, when asked).  A tuple, as above.
    pending_resets: tuple[tuple[UUID, datetime], ...] = ()
    # Whether the account's personal data was erased (Account.Erased): never active again.
    erased: bool = False

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
        """``reset_id``: the reset link it was set by (None: changed by the holder,
        who gave the current password); a reset id appears in one of these at most."""

        actor_id: UUID
        password_hash: str
        reset_id: UUID | None = None

    def change_password(self, actor_id: UUID, password_hash: str, at: datetime) -> None:
        self._require_active()
        self._password_changed(actor_id, password_hash, at)

    @event(PasswordChanged)
    def _password_changed(
        self, actor_id: UUID, password_hash: str, timestamp: datetime, reset_id: UUID | None = None
    ) -> None:
        self.password_hash = password_hash
        # Any new password ends every reset link asked for before it.
        self.pending_resets = ()

    # --- e-mail verification and password reset (issue 23) -----------------------------

    @property
    def email_is_verified(self) -> bool:
        return self.verified_email is not None and self.verified_email == self.email

    class EmailVerificationRequested(Aggregate.Event):
        """The account holder asked for the verification link again (the first one is
        mailed for ``Account.Registered``)."""

        actor_id: UUID
        email: str

    def request_email_verification(self, actor_id: UUID, at: datetime) -> None:
        self._require_active()
        if self.email_is_verified:
            raise InvalidState("Your e-mail address is already verified.")
        self._email_verification_requested(actor_id, self.email, at)

    @event(EmailVerificationRequested)
    def _email_verification_requested(
        self, actor_id: UUID, email: str, timestamp: datetime
    ) -> None:
        pass

    class EmailVerified(Aggregate.Event):
        """The account holder followed a verification link mailed to ``email``."""

        actor_id: UUID
        email: str

    def verify_email(self, actor_id: UUID, email: str, expires_at: datetime, at: datetime) -> None:
        """``email``, ``expires_at``: what the signed link says.  Verifying again
        records nothing."""
        self._require_active()
        if email != self.email:
            raise InvalidState("This link is for another e-mail address.")
        if at > expires_at:
            raise InvalidState("This link has expired. Ask for a new one.")
        if not self.email_is_verified:
            self._email_verified(actor_id, email, at)

    @event(EmailVerified)
    def _email_verified(self, actor_id: UUID, email: str, timestamp: datetime) -> None:
        self.verified_email = email

    class PasswordResetRequested(Aggregate.Event):
        """Someone who knows the account's e-mail address asked for a reset link; the
        link names ``reset_id`` and is good once, for ``RESET_LINK_TTL``."""

        actor_id: UUID
        reset_id: UUID

    def request_password_reset(self, actor_id: UUID, reset_id: UUID, at: datetime) -> None:
        self._require_active()
        self._password_reset_requested(actor_id, reset_id, at)

    @event(PasswordResetRequested)
    def _password_reset_requested(
        self, actor_id: UUID, reset_id: UUID, timestamp: datetime
    ) -> None:
        live = tuple(p for p in self.pending_resets if timestamp - p[1] <= RESET_LINK_TTL)
        self.pending_resets = (*live, (reset_id, timestamp))

    def reset_password(
        self, actor_id: UUID, reset_id: UUID, password_hash: str, at: datetime
    ) -> None:
        """A new password by the reset link ``reset_id``: once, before it expires.
        The ``PasswordChanged`` it records names the reset, and ends every other one."""
        self.require_reset_usable(reset_id, at)
        self._password_changed(actor_id, password_hash, at, reset_id)

    def require_reset_usable(self, reset_id: UUID, at: datetime) -> None:
        self._require_active()
        asked = dict(self.pending_resets).get(reset_id)
        if asked is None:
            raise InvalidState("This link was already used or is not valid. Ask for a new one.")
        if at - asked > RESET_LINK_TTL:
            raise InvalidState("This link has expired. Ask for a new one.")

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

    # Why (issue 24; class default: streams from before, and reactivated accounts).
    deactivation_reason = ""

    @event(Deactivated)
    def _deactivated(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.active = False
        self.deactivation_reason = reason

    class Reactivated(Aggregate.Event):
        """An admin lets a deactivated account sign in again (its old sessions and
        tokens stay dead: deactivation revoked them)."""

        actor_id: UUID
        reason: str

    def reactivate(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.erased:
            raise InvalidState("This account's personal data was erased.")
        if self.active:
            raise InvalidState("This account is active.")
        if not reason.strip():
            raise InvalidInput("Say why the account is reactivated.", field="reason")
        self._reactivated(actor_id, check_text(reason, "reason"), at)

    @event(Reactivated)
    def _reactivated(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.active = True
        self.deactivation_reason = ""

    class Erased(Aggregate.Event):
        """The person's personal data was erased (GDPR Art. 17; decision 0032): the account
        is closed for good, and the keys its personal fields were encrypted under are
        destroyed right after this is recorded.  ``reason``: the admin's, or the person's
        own request; ``kept``: what a legal hold keeps, each as ``kind:id``
        (``signature:<agreement id>``), told to the person."""

        actor_id: UUID
        reason: str
        kept: tuple[str, ...] = ()

    def erase(self, actor_id: UUID, reason: str, kept: tuple[str, ...], at: datetime) -> None:
        if self.erased:
            raise InvalidState("This account's personal data was erased.")
        self._erased(actor_id, check_text(reason, "optional_reason", "reason"), kept, at)

    @event(Erased)
    def _erased(
        self, actor_id: UUID, reason: str, kept: tuple[str, ...], timestamp: datetime
    ) -> None:
        self.email = ERASED
        self.display_name = ERASED
        self.password_hash = ERASED
        self.verified_email = None
        self.pending_resets = ()
        self.active = False
        self.erased = True

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
