"""The viewer's time zone comes from the browser (the ``tz`` cookie timezone.js
sets), anonymous visitors included; unknown zones fall back to UTC; a profile
chooses its zone from a list."""

from __future__ import annotations

import pytest


def footer_zone(page: str) -> str:
    return page.split('<meta name="time-zone" content="', 1)[1].split('"', 1)[0]


def test_an_anonymous_visitor_sees_times_in_the_browsers_zone(web):
    first = web.get("/")
    assert footer_zone(first.text) == "UTC" and "data-redraw" in first.text
    assert '<script src="/static/js/timezone.js"></script>' in first.text
    assert web.get("/static/js/timezone.js").status_code == 200
    web.client.cookies.set("tz", "Europe/Warsaw")
    page = web.get("/").text
    assert footer_zone(page) == "Europe/Warsaw" and "Europe/Warsaw" in page.split("<footer")[1]


@pytest.mark.parametrize("sent", ["Mars/Olympus", "../../etc/passwd", "Europe/" + "x" * 80, ""])
def test_a_zone_the_tz_database_does_not_know_is_ignored(web, sent):
    web.client.cookies.set("tz", sent)
    assert footer_zone(web.get("/").text) == "UTC"


def test_sign_up_offers_the_browsers_zone_in_a_list(web):
    web.client.cookies.set("tz", "America/Sao_Paulo")
    form = web.get("/signup").text
    assert '<select id="f-time_zone" name="time_zone"' in form
    # Named by its city in the viewer's language, with the IANA name it stands for.
    assert (
        '<option value="America/Sao_Paulo" translate="no" selected>São Paulo (America/Sao_Paulo)</option>'
        in form
    )
    assert '<optgroup label="Europe">' in form and 'list="time-zones"' not in form


def test_a_profile_zone_wins_over_the_browser_except_utc(web, cast, app):
    web.client.cookies.set("tz", "Asia/Tokyo")
    web.login("solver")
    assert footer_zone(web.get("/").text) == "Asia/Tokyo"  # the profile says UTC
    profile = web.post(
        "/profile",
        {"display_name": "Sol", "locale": "en", "time_zone": "Europe/Lisbon"},
    )
    assert profile.status_code in (200, 303), profile.text
    page = web.get("/profile").text
    assert footer_zone(page) == "Europe/Lisbon"
    assert '<option value="Europe/Lisbon" translate="no" selected>' in page


def test_the_zones_are_named_in_the_viewers_language(web):
    web.client.cookies.set("tz", "Europe/Warsaw")
    form = web.client.get("/signup", headers={"accept-language": "pl"}).text
    assert '<html lang="pl">' in form
    assert (
        '<option value="Europe/Warsaw" translate="no" selected>Warszawa (Europe/Warsaw)</option>'
        in form
    )
    # The groups too: the tz database's regions in the viewer's language.
    assert '<optgroup label="Europa">' in form and '<optgroup label="Europe">' not in form
    assert '<optgroup label="Stany Zjednoczone">' in form
