"""Where a composed mail goes: an SMTP server (``OPENINNO_SMTP_URL``), or, without
one, an ``.eml`` file in a directory (``make run``: read them with any mail reader,
or as text)."""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

from openinno.settings import Settings


class TransientMailError(Exception):
    """The mail was not accepted this time (server down, 4xx): try again later."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpUrl:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool  # smtps: TLS from the first byte
    starttls: bool

    @classmethod
    def parse(cls, url: str) -> SmtpUrl:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ValueError(
                f"OPENINNO_SMTP_URL must be smtp[s]://[user:pass@]host[:port], not {url!r}"
            )
        query = parse_qs(parsed.query)
        tls = parsed.scheme == "smtps"
        return cls(
            host=parsed.hostname,
            port=parsed.port or (465 if tls else 25),
            username=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            tls=tls,
            starttls=query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"),
        )


class SmtpTransport:
    """One connection, opened on first use and again after a failure."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = SmtpUrl.parse(url)
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        u = self.url
        smtp: smtplib.SMTP
        if u.tls:
            smtp = smtplib.SMTP_SSL(
                u.host, u.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(u.host, u.port, timeout=self.timeout)
            if u.starttls:
                smtp.starttls(context=ssl.create_default_context())
        if u.username:
            smtp.login(u.username, u.password or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as e:
            self.close()
            codes = [code for code, _ in e.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise  # permanent: the address does not exist
            raise TransientMailError(str(e)) from e
        except smtplib.SMTPResponseException as e:
            self.close()
            if 500 <= e.smtp_code < 600:
                raise
            raise TransientMailError(str(e)) from e
        except (OSError, smtplib.SMTPException) as e:
            self.close()
            raise TransientMailError(str(e)) from e

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class DirectoryTransport:
    """Each mail an ``.eml`` file named after its Message-ID, written atomically (a
    mail written again replaces its file: never two copies)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, message: EmailMessage) -> Path:
        message_id = str(message["Message-ID"]).strip("<>")
        safe = "".join(c if c.isalnum() or c in ".-_" else "_" for c in message_id)
        return self.directory / f"{safe}.eml"

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path_for(message)
        fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(message.as_bytes())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        pass


def transport_for(settings: Settings) -> Transport:
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    return DirectoryTransport(settings.mail_dir)
