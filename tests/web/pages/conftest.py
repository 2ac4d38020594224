"""A browser-like client for the pages: the app built around the `app` fixture,
a read side fed before every page read (the projections run to the head), and
helpers for CSRF tokens and signing in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain.values import Voting
from openinno.settings import Settings
from projections.db import ReadStore
from projections.service import ReadSide
from tests.projections.conftest import drop_read_schema
from tests.support.story import PASSWORD, Scene, scene
from web.app import create_app
from web.pages import PagesConfig
from web.readside import read_side_for, read_store_for

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
def read_side(app: OpenInno, settings: Settings) -> Iterator[ReadSide]:
    store: ReadStore = read_store_for(settings)
    side = read_side_for(settings, app, store=store)
    side.setup()
    yield side
    side.stop()
    drop_read_schema(store)


@dataclass
class Web:
    client: TestClient[Any]
    app: OpenInno
    read_side: ReadSide
    clock: ManualClock

    def fed(self) -> None:
        self.read_side.catch_up()

    def get(self, path: str, **kwargs: Any) -> Any:
        self.fed()
        return self.client.get(path, **kwargs)

    def token(self, path: str = "/") -> str:
        """The CSRF token a form on ``path`` carries."""
        page = self.get(path)
        found = TOKEN.search(page.text)
        assert found, page.text[:500]
        return found.group(1)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any
    ) -> Any:
        form = dict(data or {})
        if csrf:
            form["_csrf_token"] = self.token()
        response = self.client.post(path, data=form, follow_redirects=False, **kw)
        self.fed()
        return response

    def login(self, who: str, password: str = PASSWORD) -> Any:
        response = self.post("/login", {"email": f"{who}@example.org", "password": password})
        assert response.status_code == 303, response.text
        return response

    def logout(self) -> None:
        self.post("/logout")


@pytest.fixture
def web(app: OpenInno, read_side: ReadSide, clock: ManualClock) -> Iterator[Web]:
    # Many sign-ups from one address (the test client's): the limit out of the way
    # (test_public_and_accounts sets its own).
    config = PagesConfig(read_wait_seconds=0, signup_requests=100_000)
    with TestClient(create_app(app.settings, application=app, pages_config=config)) as client:
        yield Web(client, app, read_side, clock)


@pytest.fixture
def cast(app: OpenInno, clock: ManualClock) -> Scene:
    return scene(app, clock)


def uuid_in(text: str, prefix: str) -> UUID:
    found = re.search(prefix + r"([0-9a-f-]{36})", text)
    assert found, text[:500]
    return UUID(found.group(1))


def reviewed_challenge(
    web: Web, app: OpenInno, cast: Scene, titles: list[str]
) -> tuple[UUID, list[UUID]]:
    """A private challenge with an entry per title, two of them reviewed (the fourth
    well, the second poorly: they rank first and second), review closed and the
    sponsor signed in: what the sponsor's ranking pages are tested on."""
    challenge_id, terms = cast.open_challenge(
        visibility="private", voting=Voting("none"), max_submissions_per_solver=10
    )
    entries = [cast.submit(challenge_id, terms, title=t) for t in titles]
    app.invite_reviewer(cast.sponsor, challenge_id, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge_id)
    web.clock.advance(timedelta(days=30))
    app.record_review(cast.reviewer, entries[3], {"originality": 9, "feasibility": 8, "fun": 9})
    app.record_review(cast.reviewer, entries[1], {"originality": 2, "feasibility": 3, "fun": 4})
    app.close_review_early(cast.sponsor, challenge_id, "Review is closed.")
    web.login("sponsor")
    return challenge_id, entries
