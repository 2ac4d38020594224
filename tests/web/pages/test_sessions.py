"""Sessions written back only when changed or due for renewal (decision 11), and what
must not change with that: expiry, logout, CSRF, sign-in's new id.  The viewer's
account is looked up once per request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from litestar.stores.base import StorageObject

from tests.support.story import PASSWORD
from web.pages import PagesConfig, sessions
from web.pages.sessions import RENEW_AFTER, SessionFileStore

MAX_AGE = PagesConfig().session_max_age
# Only a signed-in viewer's pages carry the log-out form.
SIGNED_IN = 'action="/logout"'


def session_cookies(response: Any) -> list[str]:
    """The response's Set-Cookie headers for the session (not the CSRF cookie)."""
    return [c for c in response.headers.get_list("set-cookie") if c.startswith("session=")]


def store_of(web: Any) -> SessionFileStore:
    store = web.client.app.stores.get("sessions")
    assert isinstance(store, SessionFileStore)
    return store


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[StorageObject]:
    """Every session the store writes, from the moment the test asks for it."""
    written: list[StorageObject] = []
    original = SessionFileStore._write_sync

    def counting(self: SessionFileStore, target: Any, stored: StorageObject) -> None:
        written.append(stored)
        original(self, target, stored)

    monkeypatch.setattr(SessionFileStore, "_write_sync", counting)
    return written


def written_ago(web: Any, age: timedelta) -> str:
    """Make the signed-in session look as if it was last written ``age`` ago (its
    expiry moved back by as much); returns its id."""
    store, session_id = store_of(web), web.client.cookies.get("session")
    stored = store.entry(session_id)
    assert stored is not None and stored.expires_at is not None
    moved = StorageObject(
        expires_at=datetime.now(UTC) + timedelta(seconds=MAX_AGE) - age, data=stored.data
    )
    store._set_sync(session_id, moved)
    return session_id


def test_an_unchanged_session_is_not_written_back(web, cast, writes):
    web.login("sponsor")
    session_id = web.client.cookies.get("session")
    del writes[:]
    for path in ("/profile", "/", "/profile"):
        r = web.get(path)
        assert r.status_code == 200
        assert SIGNED_IN in r.text
        assert session_cookies(r) == []
    assert writes == []
    assert web.client.cookies.get("session") == session_id


def test_a_changed_session_is_saved(web, cast, writes):
    web.login("sponsor")
    session_id = web.client.cookies.get("session")
    del writes[:]
    r = web.client.post(
        "/language",
        data={"locale": "fr", "next": "/", "_csrf_token": web.token()},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert len(session_cookies(r)) == 1 and f"Max-Age={MAX_AGE}" in session_cookies(r)[0]
    assert len(writes) == 1
    stored = store_of(web).entry(session_id)
    assert stored is not None and b'"locale":"fr"' in stored.data
    assert 'lang="fr"' in web.get("/profile").text


def test_an_expired_session_is_refused_and_its_cookie_cleared(web, cast):
    web.login("sponsor")
    session_id = written_ago(web, timedelta(seconds=MAX_AGE + 1))
    r = web.get("/profile", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    cleared = session_cookies(r)
    assert len(cleared) == 1 and cleared[0].startswith("session=null")
    assert store_of(web).entry(session_id) is None


def test_a_session_is_renewed_once_due(web, cast, writes):
    web.login("sponsor")
    # Written a little under RENEW_AFTER ago: not yet.
    written_ago(web, RENEW_AFTER - timedelta(seconds=30))
    del writes[:]
    r = web.get("/profile")
    assert session_cookies(r) == [] and writes == []
    # Written RENEW_AFTER ago: renewed, in the store and in the browser.
    session_id = written_ago(web, RENEW_AFTER + timedelta(seconds=1))
    del writes[:]
    r = web.get("/profile")
    assert SIGNED_IN in r.text
    renewed = session_cookies(r)
    assert len(renewed) == 1 and f"session={session_id}" in renewed[0]
    assert f"Max-Age={MAX_AGE}" in renewed[0]
    assert len(writes) == 1
    stored = store_of(web).entry(session_id)
    assert stored is not None and stored.expires_at is not None
    left = stored.expires_at - datetime.now(UTC)
    assert timedelta(seconds=MAX_AGE) - timedelta(minutes=1) < left
    # And then quiet again.
    del writes[:]
    assert session_cookies(web.get("/profile")) == [] and writes == []


def test_logout_ends_the_session_even_replayed(web, cast):
    web.login("sponsor")
    session_id = web.client.cookies.get("session")
    web.logout()
    assert store_of(web).entry(session_id) is None
    assert web.client.cookies.get("session") in (None, "null")  # cleared
    web.client.cookies.set("session", session_id)  # an old copy of the cookie
    r = web.get("/profile", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_csrf_still_guards_a_signed_in_post(web, cast, writes):
    web.login("sponsor")
    del writes[:]
    r = web.post("/logout", csrf=False)
    assert r.status_code == 403
    assert SIGNED_IN in web.get("/profile").text  # the session was neither ended nor touched
    assert writes == []


def test_sign_in_still_moves_the_session_to_a_new_id(web, cast, writes):
    web.post("/language", {"locale": "pl", "next": "/"})
    before = web.client.cookies.get("session")
    web.login("sponsor")
    after = web.client.cookies.get("session")
    assert before and after and after != before
    assert store_of(web).entry(before) is None
    stored = store_of(web).entry(after)
    assert stored is not None and sessions.ROTATE.encode() not in stored.data


def test_the_viewer_is_looked_up_once_per_request(web, cast, monkeypatch):
    web.login("sponsor")
    looked_up: list[Any] = []
    original = web.app.get_account

    def counting(account_id: Any) -> Any:
        looked_up.append(account_id)
        return original(account_id)

    monkeypatch.setattr(web.app, "get_account", counting)
    # A page the handler refuses: its error page shows the same viewer.
    r = web.get(f"/challenges/{uuid4()}/manage")
    assert r.status_code == 404 and SIGNED_IN in r.text
    assert looked_up == [cast.sponsor]
    web.logout()
    del looked_up[:]
    assert web.get("/").status_code == 200
    assert looked_up == []  # nobody signed in: nothing to look up


def test_signing_out_everywhere_ends_every_session_and_api_token(web, cast, app):
    """Issue 19, finding 12: API tokens survived the web's sign-out; now "sign out
    everywhere" (the profile page) ends the account's sessions in every browser and
    revokes all its API tokens, and so does a password change."""
    token, _ = app.issue_token("solver@example.org", PASSWORD)
    web.login("solver")
    elsewhere = [c for c in web.client.cookies.jar]  # another browser's session
    web.client.cookies.clear()
    web.login("solver")
    assert "Sign out everywhere" in web.get("/profile").text
    assert web.post("/logout/everywhere").status_code == 303
    assert web.get("/profile", follow_redirects=False).status_code == 303  # to /login
    web.client.cookies.clear()
    for cookie in elsewhere:
        web.client.cookies.jar.set_cookie(cookie)
    assert SIGNED_IN not in web.get("/").text
    assert web.get("/profile", follow_redirects=False).headers["location"].startswith("/login")
    assert (
        web.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    # Signing in again works, in a new generation.
    web.login("solver")
    assert SIGNED_IN in web.get("/").text


def test_a_password_change_signs_out_every_session(web, cast, app):
    web.login("solver")
    app.change_password(cast.solver, PASSWORD, "another long passphrase")
    assert SIGNED_IN not in web.get("/").text
