"""The API reference (/schema) in a real browser, under its Content-Security-Policy:
Scalar's pinned build from this origin renders the document, nothing is refused by
the policy, and the page asks no other origin for anything (issue 19, finding 13)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import Served, shoot


def test_the_api_reference_renders_from_this_origin_alone(browser: Any, served: Served) -> None:
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        page.goto(f"{served.url}/schema")
        # The document's title and first operation, rendered by the script from
        # /static/vendor.
        expect(page.get_by_role("heading", name="openinno API", level=1)).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_role("heading", name="Register an account", level=3)).to_be_visible()
        shoot(page, "api-reference")
    finally:
        context.close()
    origin = urlsplit(served.url).netloc
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != origin
    ]
    assert elsewhere == []
    assert refused == []
