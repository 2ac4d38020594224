"""Typed domain errors.  Each has a stable ``code`` the web and API layers map to
messages and statuses; the message says what to do next.

A message is an English template with named parameters (``%(limit)s``), never an
f-string: the English text is what logs, the console and tests see
(``DomainError.message``), and the pages and the API translate the template by
the viewer's language (``DomainError.text``, rendered by ``web.pages.i18n``).
The catalogues hold every template and every ``Term``; a test extracts them from
the source (tests/web/pages/test_i18n.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

Param = str | int | float | Decimal


class Term(str):
    """A word or phrase a message names ("The title", "enter it"): a msgid of its
    own, translated before it is put into the message's template."""

    __slots__ = ()


# Below this, numbers are written without grouping in every language we speak
# (CLDR's minimum grouping: years and small limits read "2000", never "2,000").
GROUPING_FROM = 10_000


def english_number(value: int | float | Decimal) -> str:
    if isinstance(value, int) and abs(value) >= GROUPING_FROM:
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Message:
    """A template and its parameters; ``str()`` is the English text."""

    template: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def render(
        self,
        translate: Callable[[str], str] = str,
        number: Callable[[int | float | Decimal], str] = english_number,
    ) -> str:
        if not self.params:
            return translate(self.template)
        values = {
            name: translate(value)
            if isinstance(value, Term)
            else value
            if isinstance(value, str)
            else number(value)
            for name, value in self.params.items()
        }
        try:
            return translate(self.template) % values
        except (KeyError, ValueError, TypeError):
            # A translation that lost a placeholder must never fail a page.
            return self.template % values

    def __str__(self) -> str:
        return self.render()


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, **params: Param) -> None:
        self.text = Message(message, params)
        self.message = str(self.text)
        super().__init__(self.message)
        self.field = field


class InvalidInput(DomainError):
    """The command's input breaks a rule; nothing was recorded."""

    code = "invalid_input"


class NotFound(DomainError):
    """Unknown id, or one the actor may not know exists."""

    code = "not_found"


class AccessDenied(DomainError):
    code = "access_denied"


class InvalidState(DomainError):
    """The command does not fit the object's current state (e.g. editing after publish)."""

    code = "invalid_state"


class EmailAlreadyRegistered(DomainError):
    code = "email_already_registered"


class InvalidCredentials(DomainError):
    code = "invalid_credentials"


class WindowClosed(DomainError):
    """A deadline has passed, or the window has not opened yet."""

    code = "window_closed"


class TermsMismatch(DomainError):
    code = "terms_mismatch"


class SubmissionLimitReached(DomainError):
    code = "submission_limit_reached"


class AlreadySupported(DomainError):
    code = "already_supported"


class ConflictOfInterest(DomainError):
    code = "conflict_of_interest"


class UnreviewedVersion(DomainError):
    """An award of a version of an entry that no reviewer scored, without the
    sponsor's reason for awarding it anyway (issue 20)."""

    code = "unreviewed_version"


class ConcurrentUpdate(DomainError):
    """Another writer changed the same object first; retry the request."""

    code = "concurrent_update"


class StoreUnavailable(DomainError):
    """The event store could not record (read-only, full, or unreachable).  Nothing
    was recorded; the request can be retried once the store is back."""

    code = "store_unavailable"


def N_(template: str) -> str:
    """Marks a message template kept in a constant, for the catalogues' extraction."""
    return template


# What an unknown (or unseeable) id is answered with, per kind: whole sentences,
# because each language says "no <kind>" in its own way.
NOT_FOUND: dict[str, str] = {
    "account": N_("No account with id %(id)s."),
    "agreement": N_("No agreement with id %(id)s."),
    "appeal": N_("No appeal with id %(id)s."),
    "challenge": N_("No challenge with id %(id)s."),
    "comment": N_("No comment with id %(id)s."),
    "draft": N_("No draft with id %(id)s."),
    "key": N_("No key with id %(id)s."),
    "organisation": N_("No organisation with id %(id)s."),
    "stream": N_("No stream with id %(id)s."),
    "submission": N_("No submission with id %(id)s."),
    "team": N_("No team with id %(id)s."),
    "reviewer": N_("No assigned reviewer with id %(id)s."),
    "vote": N_("No vote with id %(id)s."),
    "webhook": N_("No webhook with id %(id)s."),
}
# For a kind without a sentence of its own yet.
NOTHING_FOUND = N_("Nothing with id %(id)s.")
