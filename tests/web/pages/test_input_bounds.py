"""Issue 19 on the pages (findings 1, 2, 11 and the minor ones): the draft form
reads money as the domain does, every page renders the largest values the domain
allows and values recorded before it bounded them, filters with a NUL byte are a
400, and prizes in two currencies are never added into one total."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from openinno.domain.challenge import Challenge
from openinno.domain.currencies import CURRENCIES
from openinno.domain.limits import LATEST, TEXTS
from openinno.domain.values import MAX_AMOUNT, Criterion, Prize
from openinno.files import Upload
from tests.support import story
from tests.support.story import Scene, spec_for
from tests.web.pages.conftest import Web
from tests.web.pages.test_route_matrix import MATRIX, ROLES, World, world  # noqa: F401

SQLITE = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def _draft_form(web: Web, **changes: str) -> dict[str, str]:
    now = web.clock.now()
    form = {
        "title": "Bricks that teach physics",
        "brief": "Propose a building set.",
        "category": "toys",
        "language": "en",
        "currency": "EUR",
        "prize_1": "5000",
        "criterion_name_1": "quality",
        "criterion_weight_1": "100",
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "review_ends_at": (now + timedelta(days=45)).strftime("%Y-%m-%dT%H:%M"),
        "max_submissions_per_solver": "1",
        "visibility": "private",
        "voting_mode": "none",
        "ip_terms": "assignment",
    }
    form.update(changes)
    return form


@SQLITE
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("prize_1", "1E+999999999"),
        ("prize_1", "1e3"),
        ("prize_1", "1" * 100_000),
        ("currency", "XYZ"),
        ("category", "c" * 100_000),
        ("category", "toys\x00"),
        ("criterion_name_1", "n" * 1_000),
        ("closes_at", "9999-12-31T23:59"),
        ("opens_at", "0001-01-01T00:00"),
    ],
)
def test_the_draft_form_refuses_what_the_domain_refuses(web, cast, field, value):
    web.login("sponsor")
    before = web.app.recorder.max_notification_id()
    r = web.post(
        f"/organisations/{cast.organisation}/challenges", _draft_form(web, **{field: value})
    )
    assert r.status_code == 400, r.text[:300]
    assert 'class="error"' in r.text
    assert web.app.recorder.max_notification_id() == before  # nothing recorded


@SQLITE
def test_the_draft_form_offers_every_currency_in_use(web, cast):
    web.login("sponsor")
    page = web.get(f"/organisations/{cast.organisation}/challenges/new").text
    offered = set(re.findall(r'<option value="([A-Z]{3})"', page))
    assert offered >= set(CURRENCIES)
    assert {"DKK", "JPY", "KWD"} <= offered and "XYZ" not in offered
    r = web.post(
        f"/organisations/{cast.organisation}/challenges",
        _draft_form(web, currency="DKK", prize_1="25000.50"),
    )
    assert r.status_code == 303, r.text[:300]


@SQLITE
@pytest.mark.parametrize("param", ["q", "category"])
def test_a_nul_byte_in_a_catalogue_filter_is_a_400(web, param):
    assert web.get("/", params={param: "toys\x00"}).status_code == 400


def _record_unchecked(cast: Scene, **changes: Any) -> None:
    """A published challenge whose spec skips validate_spec: what an event recorded
    before the bounds holds (stored events are forever)."""
    app = cast.app
    spec = spec_for(cast.clock, **changes)
    challenge = Challenge(
        actor_id=cast.sponsor,
        organisation_id=cast.organisation,
        spec=spec,
        timestamp=cast.clock.now(),
    )
    challenge.publish(cast.sponsor, cast.clock.now())
    app.save(challenge)


@SQLITE
def test_pages_render_prizes_recorded_before_the_bounds(web, cast):
    # 27 digits: Babel's rounding overflowed, and / answered 500 for everyone.
    _record_unchecked(cast, prizes=(Prize(1, Decimal("1" * 27), "EUR"),))
    _record_unchecked(cast, prizes=(Prize(1, Decimal("12.5"), "XYZ"),), title="Odd money")
    home = web.get("/")
    assert home.status_code == 200, home.text[:300]
    assert "Odd money" in home.text
    for row in web.app.recorder.select_notifications(start=1, limit=100):
        if row.topic.endswith("Challenge.Drafted"):
            assert web.get(f"/challenges/{row.originator_id}").status_code == 200


@SQLITE
def test_prizes_in_two_currencies_are_summed_per_currency(web, cast):
    _record_unchecked(
        cast,
        prizes=(Prize(1, Decimal("100"), "JPY"), Prize(2, Decimal("5000"), "EUR")),
        title="Two currencies",
    )
    home = web.get("/").text
    card = home[home.index("Two currencies") :]
    card = card[: card.index("</li>")]
    assert "¥100" in card and "€5,000.00" in card
    assert "5,100" not in card and "5100" not in card


def _extreme_spec(clock: Any, **changes: Any) -> Any:
    """spec_for with the largest values the domain allows wherever a test did not
    choose its own."""
    longest = {k: TEXTS[k].max_length for k in TEXTS}
    extreme = {
        "title": "T" * longest["challenge_title"],
        "brief": ("A brief *word* " * longest["brief"])[: longest["brief"]],
        "rules": "R" * longest["rules"],
        "eligibility": "E" * longest["eligibility"],
        "category": "c" * longest["category"],
        "prizes": (
            Prize(1, MAX_AMOUNT.quantize(Decimal("0.001")), "KWD"),
            Prize(2, MAX_AMOUNT, "JPY"),
        ),
        "criteria": tuple(
            Criterion(str(i) * longest["criterion_name"], w, -1000, 1000)
            for i, w in ((1, 40), (2, 35), (3, 25))
        ),
        "closes_at": LATEST - timedelta(days=1),
        "review_ends_at": LATEST,
    }
    return spec_for(clock, **{**extreme, **changes})


@pytest.fixture
def extreme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(story, "spec_for", _extreme_spec)


@SQLITE
def test_every_page_renders_the_largest_values_allowed(extreme, world: World):  # noqa: F811
    web, cast, app = world.web, world.cast, world.cast.app
    longest = TEXTS["message"].max_length
    app.ask_question(cast.other_solver, world.ids["open"], "Q" * longest)
    app.post_announcement(cast.sponsor, world.ids["open"], "A" * longest)
    app.update_profile(cast.solver, "S" * TEXTS["display_name"].max_length, "en", "UTC")
    app.submit(
        cast.solver,
        world.ids["open"],
        "T" * TEXTS["submission_title"].max_length,
        "S" * TEXTS["summary"].max_length,
        world.ids["open_terms"],
        files=[Upload.of_bytes("invoice\u202efdp.exe", b"%PDF-1.4 a pdf")],
    )
    failures = []
    for (method, route), row in sorted(MATRIX.items()):
        if method != "GET":
            continue
        for role in ROLES:
            made = row.prepare(world, role) if row.prepare else {}  # a fresh object's ids
            ids = {**{k: str(v) for k, v in world.ids.items()}, **made}
            path = (row.path or route).format(**ids)
            web.client.cookies.clear()
            for cookie in world.jars[role]:
                web.client.cookies.jar.set_cookie(cookie)
            web.fed()
            r = web.client.get(path, follow_redirects=False)
            if r.status_code != row.expected[role]:
                failures.append(f"GET {path} as {role}: {r.status_code}")
    assert not failures, "\n".join(failures)
