"""The viewer's time zone: the profile's, or the browser's.

A small script (web/static/js/timezone.js) puts the browser's IANA zone in the
``tz`` cookie on the first visit, anonymous visitors included; the server takes
it only when zoneinfo knows it, and UTC otherwise (no script, an unknown zone).
A profile's zone wins, except UTC: that is what an account that never chose
gets, so the browser's zone is shown instead."""

from __future__ import annotations

import functools
from typing import Any
from zoneinfo import available_timezones

from babel.dates import get_timezone_location
from litestar import Request

COOKIE = "tz"
DEFAULT = "UTC"
# Longer than any IANA name; a longer cookie is not looked up at all.
MAX_LENGTH = 64


@functools.cache
def known_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on every call (~20 ms).
    return frozenset(available_timezones())


@functools.cache
def choices() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The zones a form offers, grouped by region ("Europe": Europe/Warsaw, ...);
    UTC alone first."""
    regions: dict[str, list[str]] = {}
    for zone in sorted(known_zones()):
        region, _, rest = zone.partition("/")
        if rest:
            regions.setdefault(region, []).append(zone)
    return ((DEFAULT, (DEFAULT,)), *((r, tuple(zones)) for r, zones in regions.items()))


@functools.cache
def labelled_choices(locale: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """``choices()`` with each zone named for people of ``locale``: its city in their
    language and the IANA name it stands for ("Nowy Jork (America/New_York)"),
    ordered by that name within its region, so typing a city's first letters finds it."""
    labelled = []
    for region, zones in choices():
        named = [(zone, _zone_label(zone, locale)) for zone in zones]
        if region != DEFAULT:
            named.sort(key=lambda pair: pair[1].casefold())
        labelled.append((region, tuple(named)))
    return tuple(labelled)


def _zone_label(zone: str, locale: str) -> str:
    if zone == DEFAULT:
        return zone
    try:
        city = get_timezone_location(zone, locale=locale, return_city=True)
    except (LookupError, ValueError):
        return zone
    return f"{city} ({zone})" if city else zone


@functools.cache
def offered() -> frozenset[str]:
    return frozenset(zone for _, zones in choices() for zone in zones)


def valid(zone: str | None) -> str | None:
    if zone and len(zone) <= MAX_LENGTH and (zone == DEFAULT or zone in known_zones()):
        return zone
    return None


def browser_zone(request: Request[Any, Any, Any]) -> str | None:
    return valid(request.cookies.get(COOKIE))


def viewer_zone(request: Request[Any, Any, Any], profile_zone: str | None = None) -> str:
    if profile_zone and profile_zone != DEFAULT and valid(profile_zone):
        return profile_zone
    return browser_zone(request) or DEFAULT
