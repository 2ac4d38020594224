"""Sessions, CSRF, security headers, error pages, language choice."""

from __future__ import annotations

from tests.support.story import PASSWORD


def test_home_has_security_headers_and_a_csrf_cookie(web):
    r = web.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    cookie = r.headers["set-cookie"]
    assert "csrftoken=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()


def test_unsafe_request_without_csrf_token_is_refused(web, cast):
    web.get("/")
    r = web.post("/login", {"email": "solver@example.org", "password": PASSWORD}, csrf=False)
    assert r.status_code == 403
    assert "text/html" in r.headers["content-type"]
    assert "Traceback" not in r.text


def test_api_stays_exempt_from_csrf(web):
    r = web.client.post(
        "/api/v1/accounts",
        json={"email": "api@example.org", "password": PASSWORD, "display_name": "Api"},
    )
    assert r.status_code == 201, r.text


def test_login_rotates_the_session_id(web, cast):
    web.post("/language", {"locale": "fr", "next": "/"})
    before = web.client.cookies.get("session")
    assert before
    web.login("solver")
    after = web.client.cookies.get("session")
    assert after and after != before
    assert "Solver" in web.get("/profile").text


def test_secure_cookies_use_the_host_prefix(app, read_side):
    from litestar.testing import TestClient

    from web.app import create_app
    from web.pages import PagesConfig

    config = PagesConfig(secure_cookies=True, read_wait_seconds=0)
    with TestClient(
        create_app(app.settings, application=app, pages_config=config),
        base_url="https://testserver.local",
    ) as client:
        r = client.get("/")
    cookie = r.headers["set-cookie"]
    assert "__Host-csrftoken=" in cookie and "Secure" in cookie and "Path=/" in cookie
    assert "strict-transport-security" in r.headers


def test_unknown_page_is_a_404_page_that_leaks_nothing(web):
    r = web.get("/no/such/page")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "Page not found" in r.text
    r = web.get("/challenges/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and "00000000" not in r.text.split("<main")[1]


def test_api_routing_errors_stay_problems(web):
    r = web.client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_language_from_accept_language_and_switch(web):
    r = web.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert '<html lang="pl">' in r.text
    web.post("/language", {"locale": "ru", "next": "/"})
    assert '<html lang="ru">' in web.get("/").text


def test_language_switch_refuses_open_redirects(web):
    r = web.post("/language", {"locale": "es", "next": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/"
