"""The mail settings as the issue names them, and the SMTP URL's parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from openinno.settings import Settings
from web.mail.transport import DirectoryTransport, SmtpTransport, SmtpUrl, transport_for


def test_settings_read_the_exact_names():
    s = Settings.from_env(
        {
            "OPENINNO_DATA_DIR": "/srv/inno",
            "OPENINNO_SMTP_URL": "smtp://user:p%40ss@mail.example:587?starttls=1",
            "OPENINNO_MAIL_FROM": "Inno <inno@example.org>",
        }
    )
    assert s.smtp_url == "smtp://user:p%40ss@mail.example:587?starttls=1"
    assert s.mail_from == "Inno <inno@example.org>"
    assert isinstance(transport_for(s), SmtpTransport)
    url = SmtpUrl.parse(s.smtp_url)
    assert (url.host, url.port, url.username, url.password) == ("mail.example", 587, "user", "p@ss")
    assert url.starttls and not url.tls
    assert SmtpUrl.parse("smtps://mail.example").port == 465


def test_without_smtp_mails_go_to_the_data_directory():
    s = Settings.from_env({"OPENINNO_DATA_DIR": "/srv/inno"})
    transport = transport_for(s)
    assert isinstance(transport, DirectoryTransport)
    assert transport.directory == Path("/srv/inno/mail")


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "mail.example:25"])
def test_a_wrong_smtp_url_is_refused_at_start(url: str):
    with pytest.raises(ValueError, match="OPENINNO_SMTP_URL"):
        SmtpUrl.parse(url)
