"""Signing in to the HTML pages from a load generator: the form's CSRF token, then
the session cookie, as a Cookie header a plain httpx request can carry."""

from __future__ import annotations

import re

import httpx

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def sign_in(base_url: str, email: str, password: str) -> dict[str, str]:
    """Headers that make a request come from ``email``'s signed-in browser session."""
    assert base_url.startswith("http://127.0.0.1:"), "only ever 127.0.0.1"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        form = client.get("/login")
        form.raise_for_status()
        token = TOKEN.search(form.text)
        assert token is not None, "no CSRF token on the sign-in form"
        answer = client.post(
            "/login",
            data={"email": email, "password": password, "next": "/", "_csrf_token": token[1]},
        )
        assert answer.status_code == 303, (answer.status_code, answer.text[:300])
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return {"Cookie": cookies}
