"""Typed domain errors.  Each has a stable ``code`` the web and API layers map to
messages and statuses; the message says what to do next."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
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
