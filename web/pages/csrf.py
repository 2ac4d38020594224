"""CSRF for the form posts that carry files, checked by the handler itself.

Litestar's CSRF middleware looks for the token in the form when no header carries it,
and to do so reads the whole body into memory (``request.form()``) before anyone is
known: a 300 MiB upload, read whole by anyone.  The upload forms are therefore left
out of the middleware (``EXCLUDED``) and check the same token here, with the same
secret and cookie: from the ``x-csrftoken`` header, or the ``_csrf_token`` field,
which the forms put before their file inputs (``web.uploads.receive_form`` checks it
before the first file byte is stored)."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.utils.scope.state import ScopeState

# A handler's opt that leaves it out of the CSRF middleware (CSRFConfig's default key).
EXCLUDED = {CSRFConfig.exclude_from_csrf_key: True}
FIELD = "_csrf_token"


def _secret_of(token: str, secret: str) -> str | None:
    """The random part of a token whose signature holds (as the middleware decodes it)."""
    if len(token) < CSRF_SECRET_LENGTH + 1:
        return None
    random_part, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    expected = generate_csrf_hash(token=random_part, secret=secret)
    return random_part if hmac.compare_digest(signature, expected) else None


def require_csrf(request: Request[Any, Any, Any], field_value: str) -> None:
    """403 unless the request carries the token of its CSRF cookie (header or field)."""
    config: CSRFConfig | None = request.app.csrf_config
    if config is None:
        return
    given = request.headers.get(config.header_name) or field_value
    cookie = request.cookies.get(config.cookie_name)
    mine = _secret_of(given, config.secret) if given else None
    theirs = _secret_of(cookie, config.secret) if cookie else None
    if mine is None or theirs is None or not hmac.compare_digest(mine, theirs):
        raise PermissionDeniedException("CSRF token verification failed")
    # As the middleware does: a form rendered again in this response carries the token.
    ScopeState.from_scope(request.scope).csrf_token = given
