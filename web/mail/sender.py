"""The mail sender: follows the outbox, sends each due mail once, and records it.

Per mail: renew the lease (only the holder sends), send, record ``sent`` with the
Message-ID, each in its own transaction.  A transient failure (server down, 4xx)
tries again after a back-off that doubles from ``RETRY_BASE`` up to ``RETRY_MAX``; a
permanent one (5xx), or ``MAX_ATTEMPTS`` failures, records ``failed``.  A mail whose
event is older than ``OPENINNO_MAIL_MAX_AGE_HOURS`` is recorded ``expired``, never
sent (a read model replayed from zero, a sender down for days).

Exactly once: a sender killed at any point either had not yet handed the mail to the
server (the lease expires, another sender sends it) or had (it is recorded, or not
yet: only in the instant between the server's acceptance and the record is a mail
sent again, with the same Message-ID; see docs/architecture.md)."""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from jinja2 import Environment

from openinno.domain.notices import ACCOUNT_MAILS
from openinno.settings import Settings
from projections.db import Db, Row
from projections.notifications import reminders
from web import leased_outbox
from web.mail import digest, outbox
from web.mail.compose import compose, message_id
from web.mail.transport import TransientMailError, Transport

log = logging.getLogger(__name__)

BATCH = 20
LEASE = timedelta(minutes=5)
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=2)
MAX_ATTEMPTS = 12
# How often the sender looks for scheduled reminders that fell due.
REMINDER_EVERY = timedelta(minutes=1)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, ... up to 2 h."""
    return leased_outbox.backoff(attempts, RETRY_BASE, RETRY_MAX)


class MailSender(leased_outbox.Follower):
    name = "mail"

    def __init__(
        self,
        settings: Settings,
        db: Db,
        transport: Transport,
        env: Environment,
        secret: str,
        *,
        now: Callable[[], datetime] | None = None,
        lease: timedelta = LEASE,
        batch: int = BATCH,
    ) -> None:
        self.settings = settings
        self.db = db
        self.transport = transport
        self.env = env
        self.secret = secret
        self.now = now or (lambda: datetime.now(UTC))
        self.lease = lease
        self.batch = batch
        self.max_age = timedelta(hours=settings.mail_max_age_hours)
        self._reminded_at: datetime | None = None

    def send_once(self) -> int:
        """Claim and handle one batch; how many mails were claimed (0: none due).
        First, once every ``REMINDER_EVERY`` by the injected clock, the scheduled
        reminders that fell due are made (``projections.notifications.reminders``)."""
        self.remind()
        owner = uuid.uuid4().hex
        digest.schedule(self.db, self.now())  # the days that ended: their digests queued
        rows = outbox.claim(self.db, owner, self.now(), self.lease, self.batch)
        for row in rows:
            self._handle(row, owner)
        return len(rows)

    def remind(self) -> int:
        """Make the reminders due now, unless done less than ``REMINDER_EVERY`` ago."""
        now = self.now()
        if self._reminded_at is not None and now - self._reminded_at < REMINDER_EVERY:
            return 0
        self._reminded_at = now
        try:
            return reminders.queue_due(self.db, now)
        except Exception:
            log.exception("the scheduled reminders failed; trying again later")
            return 0

    def _handle(self, row: Row, owner: str) -> None:
        now = self.now()
        created = datetime.fromisoformat(str(row["created_at"]).replace("Z", "+00:00"))
        if now - created > self.max_age or not row["active"] or _link_dead(row, now):
            outbox.finish(self.db, row, owner, "expired", now)
            return
        if not outbox.renew(self.db, row, owner, now, self.lease):
            return  # the lease ran out (a slow batch): another sender has the mail now
        message = self._compose(row, now)
        try:
            self.transport.send(message)
        except TransientMailError as e:
            attempts = int(row["attempts"]) + 1
            if attempts >= MAX_ATTEMPTS:
                outbox.finish(self.db, row, owner, "failed", now, last_error=str(e)[:500])
            else:
                outbox.retry_later(self.db, row, owner, now + backoff(attempts), str(e))
            log.warning("mail %s not sent (attempt %s): %s", message["Message-ID"], attempts, e)
            return
        except (smtplib.SMTPException, ValueError) as e:
            outbox.finish(self.db, row, owner, "failed", now, last_error=str(e)[:500])
            log.error("mail %s refused for good: %s", message["Message-ID"], e)
            return
        if not outbox.finish(
            self.db, row, owner, "sent", now, message_id=message_id(row, self.settings.base_url)
        ):
            log.error("mail %s was sent after its lease ran out", message["Message-ID"])

    def _compose(self, row: Row, now: datetime) -> EmailMessage:
        if row["kind"] == digest.KIND:
            return digest.compose_digest(
                row,
                digest.items(self.db, str(row["account_id"]), int(row["position"])),
                env=self.env,
                sender=self.settings.mail_from,
                base_url=self.settings.base_url,
                message_id=message_id(row, self.settings.base_url),
                now=now,
            )
        return compose(
            row,
            env=self.env,
            sender=self.settings.mail_from,
            base_url=self.settings.base_url,
            secret=self.secret,
            now=now,
        )


def _link_dead(row: Row, now: datetime) -> bool:
    """An account mail whose link expired before it could be sent (a sender down
    for longer than a reset link lives): sending it would only disappoint."""
    if row["kind"] not in ACCOUNT_MAILS:
        return False
    from web.mail.account_mail import expires_at

    return now > expires_at(row)
