"""Languages of the pages: Babel catalogues under web/i18n, the choice of locale
(session, then the account's profile, then Accept-Language), and formatting of
dates, numbers and money by locale and time zone."""

from __future__ import annotations

import functools
import gettext
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_datetime, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, get_currency_name
from babel.support import Translations

from openinno.domain.errors import GROUPING_FROM, DomainError, Message

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
LOCALES: tuple[str, ...] = ("en", "pl", "fr", "es", "ru")
DEFAULT_LOCALE = "en"
LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polski",
    "fr": "Français",
    "es": "Español",
    "ru": "Русский",
}


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue (``make i18n``); when the .mo is missing or older than
    its .po (a fresh checkout before ``make``), compiled in memory from the .po."""
    folder = I18N_DIR / locale / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return Translations(f, domain="messages")
    if po.exists():
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain="messages")
    return gettext.NullTranslations()


def gettext_for(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


def localise(message: Message | DomainError, locale: str) -> str:
    """A domain message in ``locale``: its template and every ``Term`` in it through
    the catalogue, numbers by the locale's rules; the English text where a catalogue
    lacks it."""
    text = message.text if isinstance(message, DomainError) else message
    return text.render(translations(locale).gettext, lambda n: _message_number(n, locale))


def _message_number(value: Any, locale: str) -> str:
    if isinstance(value, int) and abs(value) >= GROUPING_FROM:
        return format_number(value, locale)
    return str(value)


def parse_accept_language(header: str) -> list[str]:
    """Language tags by preference (q-values), best first."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            weighted.append((-q, index, tag.replace("-", "_")))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(accept_language: str) -> str:
    preferred = parse_accept_language(accept_language)
    chosen = negotiate_locale(preferred, list(LOCALES), sep="_")
    if chosen is None:
        # "pl_PL" against "pl": compare the language part alone.
        for tag in preferred:
            language = tag.split("_")[0].lower()
            if language in LOCALES:
                return language
        return DEFAULT_LOCALE
    return str(chosen)


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# Every formatter below is total: a stored value is formatted by locale when it can
# be, and written plainly when it cannot (a prize of 27 digits overflows Babel's
# rounding, a deadline at 9999-12-31 overflows a move into a zone east of UTC).
# Events recorded before the domain bounded their values are forever, and one such
# value must never fail a page (issue 19).  Plain forms are cut to PLAIN_CHARS.
PLAIN_CHARS = 40


def plain(value: Any) -> str:
    text = str(value)
    return text if len(text) <= PLAIN_CHARS else text[: PLAIN_CHARS - 1] + "…"


def format_when(value: Any, locale: str, time_zone: str) -> str:
    """A time in the viewer's zone, with the zone named: "14 Mar 2026, 18:00 (Europe/Warsaw)"."""
    try:
        when = _as_datetime(value)
        if when is None:
            return ""
        text = format_datetime(when, "medium", tzinfo=ZoneInfo(time_zone), locale=locale)
    except (ArithmeticError, ValueError, TypeError, LookupError):
        return plain(value)
    return f"{text} ({time_zone})"


def format_clock(value: Any, locale: str, time_zone: str) -> str:
    """Just the time of day in the viewer's zone ("14:05"), for "saved at" notes."""
    try:
        when = _as_datetime(value)
        if when is None:
            return ""
        return format_time(when, "short", tzinfo=ZoneInfo(time_zone), locale=locale)
    except (ArithmeticError, ValueError, TypeError, LookupError):
        return plain(value)


def format_relative(value: Any, now: datetime, locale: str) -> str:
    """ "in 3 days" / "2 hours ago", by locale."""
    try:
        when = _as_datetime(value)
        if when is None:
            return ""
        delta: timedelta = when - now
        return format_timedelta(delta, add_direction=True, locale=locale, threshold=1.5)
    except (ArithmeticError, ValueError, TypeError, LookupError):
        return ""


def format_money(amount: Any, currency: str, locale: str) -> str:
    try:
        value = Decimal(str(amount))
        if not value.is_finite() or abs(value.adjusted()) > PLAIN_CHARS:
            raise ArithmeticError("not an amount a page can spell out")
        # Babel rounds in the current context (28 digits): wider for a wide amount.
        with localcontext() as context:
            context.prec = max(context.prec, len(value.as_tuple().digits) + 10)
            return format_currency(value, currency, locale=locale)
    except (ArithmeticError, ValueError, TypeError, LookupError):
        return f"{plain(amount)} {plain(currency)}"


def format_number(value: Any, locale: str) -> str:
    try:
        return format_decimal(value, locale=locale)
    except (ArithmeticError, ValueError, TypeError, LookupError):
        return plain(value)


def currency_label(code: str, locale: str) -> str:
    """ "DKK · korona duńska": the code a prize is recorded with, and its name in the
    viewer's language where CLDR has one."""
    try:
        name = get_currency_name(code, locale=locale)
    except (LookupError, ValueError):
        return code
    return code if not name or name == code else f"{code} · {name}"


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale) or Locale.parse(locale).get_display_name(locale) or locale
