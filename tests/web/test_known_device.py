"""The known-device cookie: signed for one email, worthless for another or forged."""

from __future__ import annotations

from web.known_device import KnownDevices


def test_a_cookie_proves_an_earlier_sign_in_with_that_email_only():
    known = KnownDevices("k" * 64)
    name, value = known.cookie_for("Ada@Example.org ", None)
    assert name == "known_device"
    device = known.device_for(value, "ada@example.org")
    assert device is not None and device in value
    # The same device signs in with it again: same id, still valid.
    assert known.cookie_for("ada@example.org", device)[1] == value
    assert known.device_for(value, "bob@example.org") is None
    assert KnownDevices("x" * 64).device_for(value, "ada@example.org") is None
    for forged in ("", "garbage", value[:-1] + ("0" if value[-1] != "0" else "1"), "." + value):
        assert known.device_for(forged, "ada@example.org") is None
    # Nothing in it names the account or the email.
    assert "ada" not in value.lower()


def test_behind_https_the_cookie_is_secure_and_host_only():
    cookie = KnownDevices("k" * 64, prefix="__Host-", secure=True).cookie("ada@example.org", None)
    assert cookie.key == "__Host-known_device"
    assert cookie.secure and cookie.httponly and cookie.samesite == "lax" and cookie.path == "/"
    assert cookie.domain is None
