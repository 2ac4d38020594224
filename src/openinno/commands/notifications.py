"""Notification preferences: how a person wants to hear of each kind by e-mail.

Recorded on the Account stream (``Account.NotificationPreferenceSet``), so the
notifications read model applies each preference from its position in the log on:
a mail is queued or not by the preference in force when its event was recorded,
whatever the order in which the read side meets them."""

from __future__ import annotations

from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded


class NotificationCommands(CommandBase):
    def set_notification_preference(
        self, actor_id: UUID, kind: str, mail: str, *, unsubscribed: bool = False
    ) -> Recorded:
        """``mail``: ``instant``, ``daily`` (a digest) or ``off``.  Setting what is already set records
        nothing (a second click on an unsubscribe link changes nothing)."""
        account = self._actor(actor_id, readonly=False)
        before = account.version
        account.set_notification_preference(
            actor_id, kind, mail, self._now(), unsubscribed=unsubscribed
        )
        if account.version == before:
            return Recorded(actor_id, 0)  # already so: nothing to record or wait for
        return Recorded(actor_id, self._commit(account))

    def notification_preferences(self, actor_id: UUID) -> dict[str, str]:
        """kind -> e-mail mode, for every kind (the default where none was set)."""
        from openinno.domain.notices import KINDS, default_mode

        chosen = self._actor(actor_id).mail_preferences
        return {kind: chosen.get(kind, default_mode(kind)) for kind in KINDS}
