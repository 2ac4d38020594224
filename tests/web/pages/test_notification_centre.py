"""The notification centre: own notifications newest first with links, mark read and
mark all read (CSRF), the header's unread badge that htmx polls, e-mail settings, and
the one-click unsubscribe (RFC 8058) by a signed link."""

from __future__ import annotations

import pytest

from web.pages import PagesConfig
from web.unsubscribe import make_token

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def invited_twice(web, cast) -> None:
    for title in ("Round one", "Round two"):
        challenge, _ = cast.open_challenge(title=title)
        web.app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)


def badge(web) -> str:
    r = web.get("/notifications/badge", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    return r.text


def test_centre_badge_and_marking_read(web, cast):
    invited_twice(web, cast)
    web.login("reviewer")
    home = web.get("/")
    # the header asks for the badge at once and then every 20 s, without a reload
    assert 'hx-get="/notifications/badge"' in home.text and "every 20s" in home.text
    assert '<span class="badge unread" aria-label="2 unread">2</span>' in badge(web)

    page = web.get("/notifications").text
    assert page.index("Round two") < page.index("Round one")  # newest first
    assert 'href="/reviews"' in page and page.count("Mark read") == 2

    # without the CSRF token: refused, nothing marked
    assert web.post("/notifications/read", {"up_to": "999"}, csrf=False).status_code == 403
    assert "2</span>" in badge(web)
    first = page[page.index('name="id" value="') + 17 :].split('"')[0]
    assert web.post("/notifications/read", {"id": first}).status_code == 303
    assert "1</span>" in badge(web)
    page = web.get("/notifications").text
    up_to = page[page.index('name="up_to" value="') + 20 :].split('"')[0]
    assert web.post("/notifications/read", {"up_to": up_to}).status_code == 303
    assert "unread" not in badge(web)
    assert "Mark read" not in web.get("/notifications").text


def test_the_centre_needs_an_account(web):
    r = web.get("/notifications", follow_redirects=False)
    assert r.status_code in (302, 303, 401)
    assert "unread" not in badge(web)


def test_badge_in_the_viewers_language(web, cast):
    invited_twice(web, cast)
    web.app.update_profile(cast.reviewer, "Reviewer", "fr", "Europe/Paris")
    web.login("reviewer")
    assert ">Notifications <span" in badge(web)
    assert "2 non lues" in badge(web)
    assert "Vous êtes invité" in web.get("/notifications").text


def test_email_settings_and_one_click_unsubscribe(web, cast):
    web.login("reviewer")
    r = web.post("/notifications/preferences", {"announcement": "off", "awarded": "instant"})
    assert r.status_code == 303
    assert web.app.notification_preferences(cast.reviewer)["announcement"] == "off"

    secret = PagesConfig(read_wait_seconds=0).resolve_secret(web.app.settings)
    token = make_token(secret, cast.reviewer, "reviewer_invited")
    web.logout()
    # a GET (a mail scanner following the link) changes nothing
    assert web.get(f"/notifications/unsubscribe/{token}").status_code == 200
    assert web.app.notification_preferences(cast.reviewer)["reviewer_invited"] == "instant"
    # the one-click POST of RFC 8058: no session, no CSRF token, the signed link only
    for _ in range(2):
        r = web.client.post(
            f"/notifications/unsubscribe/{token}",
            data={"List-Unsubscribe": "One-Click"},
            follow_redirects=False,
        )
        assert r.status_code == 200, r.text
    assert web.app.notification_preferences(cast.reviewer)["reviewer_invited"] == "off"
    # a forged or altered token: nothing
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert web.client.post(f"/notifications/unsubscribe/{forged}").status_code == 404
    other = make_token("another secret", cast.solver, "awarded")
    assert web.client.post(f"/notifications/unsubscribe/{other}").status_code == 404
    assert web.app.notification_preferences(cast.solver)["awarded"] == "instant"
