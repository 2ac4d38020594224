"""Inline validation: one field's error while the form is being filled in, from the
same checks the full submit runs (the domain's own validators), never a second
copy of the rules.  htmx posts the whole form when a field changes and names the
field in the HX-Trigger-Name header; the answer is that field's message fragment.

The domain reports the first rule a form breaks.  While a form is half filled, that
is often a field the person has not reached yet, so the other fields' errors are set
aside by giving those fields a neutral valid value (``baseline``) and checking
again, until the error is the changed field's own or there is none."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException

from openinno.domain.errors import DomainError, InvalidInput, Message
from web.pages.base import Form, Pages, Viewer

Check = Callable[[dict[str, str]], object]


def error_for(
    check: Check,
    values: Mapping[str, str],
    target: str,
    baseline: Mapping[str, str],
    groups: Mapping[str, tuple[str, ...]] | None = None,
) -> str | Message:
    """The message ``check`` gives for ``target`` (a form field), or "" when the field
    passes.  ``groups`` maps a domain field name to the form fields it covers."""
    groups = groups or {}
    trial = dict(values)
    for _ in range(len(baseline) + 1):
        try:
            check(trial)
        except InvalidInput as e:
            name = e.field or ""
            fields = groups.get(name, (name,))
            if target in fields:
                return e.text
            stale = [f for f in fields if f in baseline and trial.get(f) != baseline[f]]
            if not stale:
                return ""  # an error nothing here can set aside: not this field's
            for f in stale:
                trial[f] = baseline[f]
        else:
            return ""
    return ""


def every_error(
    check: Check,
    values: Mapping[str, str],
    baseline: Mapping[str, str],
    groups: Mapping[str, tuple[str, ...]] | None = None,
) -> list[DomainError]:
    """Every rule the form breaks, not only the first the domain reports: each
    error's fields are set aside (given their ``baseline`` value) and the checks run
    again, until they pass or an error names nothing that can be set aside (a
    submit then reports all of them at once, each next to its field)."""
    groups = groups or {}
    trial = dict(values)
    found: list[DomainError] = []
    for _ in range(len(baseline) + 1):
        try:
            check(trial)
        except DomainError as e:
            found.append(e)
            name = e.field or ""
            stale = [
                f
                for f in groups.get(name, (name,))
                if f in baseline and trial.get(f) != baseline[f]
            ]
            if not stale:
                break
            for f in stale:
                trial[f] = baseline[f]
        else:
            break
    return found


def target_field(request: Request[Any, Any, Any], allowed: tuple[str, ...]) -> str:
    name = request.headers.get("hx-trigger-name", "")
    if name not in allowed:
        raise ValidationException("unknown field")
    return name


def field_response(
    request: Request[Any, Any, Any], pages: Pages, viewer: Viewer, name: str, message: str | Message
) -> Response[str]:
    form = Form(errors={name: message} if message else {})
    # Never cached: the controllers that answer these all send no-store.
    return pages.render(request, "partials/field_message.html", viewer, form=form, name=name)
