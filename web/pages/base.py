"""What every page shares: the viewer, rendering with the layout's context,
form state with errors next to their fields, and the markdown filter."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import nh3
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import Request, Response
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.enums import MediaType
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect
from litestar.utils.scope.state import ScopeState
from markdown_it import MarkdownIt
from markupsafe import Markup

from openinno.application import OpenInno
from openinno.domain.errors import (
    AccessDenied,
    DomainError,
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidInput,
    Message,
    NotFound,
    TermsMismatch,
)
from openinno.domain.values import totals_by_currency
from openinno.files import clean_file_name
from web.known_device import KnownDevices
from web.pages import i18n, sessions, timezone
from web.pages.config import PagesConfig
from web.pages.readmodels import ReadModels
from web.throttle import LoginThrottle, MailLinkThrottle, SignupThrottle, shared_buckets
from web.throttle_postgres import database_buckets

# The request's viewer, once looked up (scope key).
VIEWER = "openinno.viewer"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
HTML = MediaType.HTML


def N_(message: str) -> str:
    """Marks a msgid for extraction; translated where it is rendered."""
    return message


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def markdown(text: str | None) -> Markup:
    """User-written markdown: raw HTML off in the parser, then sanitised by nh3."""
    html = _markdown.render(text or "")
    return Markup(nh3.clean(html, link_rel="nofollow noopener noreferrer"))


@dataclass(frozen=True)
class Viewer:
    account_id: UUID | None = None
    display_name: str = ""
    email: str = ""
    locale: str = i18n.DEFAULT_LOCALE
    time_zone: str = "UTC"
    is_admin: bool = False

    @property
    def signed_in(self) -> bool:
        return self.account_id is not None


@dataclass
class Form:
    """A form's values as typed, and its errors: per field, and for the whole form."""

    values: dict[str, Any] = field(default_factory=dict)
    # A domain error's Message is translated where the template prints it.
    errors: dict[str, str | Message] = field(default_factory=dict)
    error: str | Message = ""

    def fail(self, error: DomainError, fields: Mapping[str, str] | None = None) -> None:
        """Put a domain error next to its field (``InvalidInput.field``) when the form
        has it, otherwise above the form.  ``fields`` maps domain names to form names."""
        name = error.field
        if name and fields and name in fields:
            name = fields[name]
        if name and (name in self.values or (fields and name in fields.values())):
            # The first error a field breaks is the one to fix first.
            self.errors.setdefault(name, error.text)
        else:
            self.error = self.error or error.text

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.error)


def status_for(error: DomainError) -> int:
    if isinstance(error, InvalidInput | TermsMismatch):
        return 400
    if isinstance(error, InvalidCredentials):
        return 401
    if isinstance(error, AccessDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, EmailAlreadyRegistered):
        return 409
    return 409


def _translator(name: str) -> Any:
    @pass_context
    def translate(context: Any, message: str, *args: Any) -> str:
        locale = context.get("locale", i18n.DEFAULT_LOCALE)
        translations = i18n.translations(locale)
        if name == "ngettext":
            return translations.ngettext(message, *args)
        return translations.gettext(message)

    return translate


def _fromjson(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return {}


@pass_context
def _finalize(context: Any, value: Any) -> Any:
    """What ``{{ }}`` prints: a domain message in the viewer's language."""
    if isinstance(value, Message):
        return i18n.localise(value, context.get("locale", i18n.DEFAULT_LOCALE))
    return value


def build_environment() -> Environment:
    env = Environment(
        finalize=_finalize,
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _translator("gettext"), _translator("ngettext"), newstyle=True
    )

    @pass_context
    def when(context: Any, value: Any) -> str:
        return i18n.format_when(value, context["locale"], context["viewer"].time_zone)

    @pass_context
    def relative(context: Any, value: Any) -> str:
        return i18n.format_relative(value, context["now"], context["locale"])

    @pass_context
    def money(context: Any, amount: Any, currency: str) -> str:
        return i18n.format_money(amount, currency, context["locale"])

    @pass_context
    def number(context: Any, value: Any) -> str:
        return i18n.format_number(value, context["locale"])

    @pass_context
    def clock(context: Any, value: Any) -> str:
        return i18n.format_clock(value, context["locale"], context["viewer"].time_zone)

    @pass_context
    def label(context: Any, code: Any, kind: str) -> str:
        from web.pages import labels  # labels uses N_ from this module

        message = labels.msgid(kind, str(code))
        if message is None:
            return str(code)
        return i18n.gettext_for(context.get("locale", i18n.DEFAULT_LOCALE), message)

    @pass_context
    def entrant(context: Any, row: Any) -> str:
        """An entry's pseudonym in the viewer's language (rows from the read side)."""
        from web.pages import labels

        number = row.get("pseudonym_number")
        if number is None:
            return str(row.get("pseudonym") or "")
        locale = context.get("locale", i18n.DEFAULT_LOCALE)
        return i18n.localise(Message(labels.ENTRANT, {"number": int(number)}), locale)

    def readable_json(value: Any) -> str:
        """Recorded data as indented JSON with its letters as they are (Jinja's
        ``tojson`` writes "ł" as \\u0142: people read this)."""
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)

    env.filters.update(
        entrant=entrant,
        readable_json=readable_json,
        when=when,
        relative=relative,
        money=money,
        number=number,
        markdown=markdown,
        clock=clock,
        label=label,
        # Stored file names may predate clean_file_name (bidirectional controls).
        file_name=clean_file_name,
        # Announcements the application words itself keep their numbers as JSON.
        fromjson=_fromjson,
    )
    env.globals.update(
        # A sum per currency: prizes in two currencies are never added into one.
        prize_totals=totals_by_currency,
        language_name=i18n.language_name,
        LOCALES=i18n.LOCALES,
        LANGUAGE_CHOICES=[(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LOCALES],
        TIME_ZONE_CHOICES=timezone.labelled_choices,
        TIME_ZONES_OFFERED=timezone.offered(),
    )
    return env


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """An htmx request (it wants a fragment); a plain request gets the whole page.
    htmx restoring a pushed address it has no snapshot of asks for the whole page."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


class Pages:
    """The pages' services, built once per app and kept in ``app.state.pages``."""

    def __init__(self, openinno: OpenInno, config: PagesConfig, reads: ReadModels) -> None:
        self.openinno = openinno
        self.config = config
        self.reads = reads
        self.env = build_environment()
        # Failed sign-ins count once for every worker on the host, and together with
        # the API's POST /tokens (the same buckets file in the data directory).
        # With several hosts (OPENINNO_API_RATE_LIMIT_STORE=database): in PostgreSQL.
        buckets = (
            database_buckets(openinno.settings)
            if config.rate_limit_store == "database"
            else shared_buckets(openinno.settings.data_dir)
        )
        self.throttle = LoginThrottle(
            buckets,
            per_ip=config.login_failures_per_ip,
            window_seconds=config.login_window_seconds,
            per_account=config.login_failures_per_account,
            account_window_seconds=config.login_account_window_seconds,
        )
        # Browsers that signed in before (web.known_device), signed with the CSRF secret.
        self.known_devices = KnownDevices(
            config.resolve_secret(openinno.settings), config.cookie_prefix, config.secure_cookies
        )
        # Sign-ups per address, counted with the API's POST /accounts in the same file.
        self.signup_throttle = SignupThrottle(
            buckets, config.signup_requests, config.signup_window_seconds
        )
        # Reset links and verification links asked for (web.pages.account_links).
        self.mail_link_throttle = MailLinkThrottle(
            buckets,
            config.mail_links_per_ip,
            config.mail_links_per_address,
            config.mail_links_window_seconds,
        )

    def close(self) -> None:
        self.reads.close()
        self.throttle.buckets.close()

    def viewer(self, request: Request[Any, Any, Any]) -> Viewer:
        """Who is asking: the session's account, looked up once per request (an error
        page rendered after the handler failed asks again, and gets the same)."""
        known = request.scope.get(VIEWER)
        if isinstance(known, Viewer):
            return known
        viewer = self._viewer(request)
        request.scope[VIEWER] = viewer  # type: ignore[literal-required]
        return viewer

    def _viewer(self, request: Request[Any, Any, Any]) -> Viewer:
        session = request.scope.get("session") or {}
        chosen = session.get(sessions.LOCALE) if isinstance(session, dict) else None
        account_id = session.get(sessions.ACCOUNT) if isinstance(session, dict) else None
        if account_id:
            try:
                account = self.openinno.get_account(UUID(account_id))
            except (DomainError, ValueError):
                account = None
            # Signed out everywhere (or the password changed) since this session began:
            # it is anonymous now.
            if (
                account is not None
                and account.active
                and isinstance(session, dict)
                and session.get(sessions.GENERATION, 0) == account.api_token_generation
            ):
                return Viewer(
                    account_id=account.id,
                    display_name=account.display_name,
                    email=account.email,
                    locale=chosen or account.locale,
                    time_zone=timezone.viewer_zone(request, account.time_zone),
                    is_admin=account.is_admin,
                )
        locale = chosen or i18n.negotiate(request.headers.get("accept-language", ""))
        return Viewer(
            locale=locale if locale in i18n.LOCALES else i18n.DEFAULT_LOCALE,
            time_zone=timezone.viewer_zone(request),
        )

    def render(
        self,
        request: Request[Any, Any, Any],
        template: str,
        viewer: Viewer,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response[str]:
        html = self.render_text(request, template, viewer, **context)
        return Response(html, status_code=status_code, media_type=HTML, headers=headers)

    def render_text(
        self, request: Request[Any, Any, Any], template: str, viewer: Viewer, **context: Any
    ) -> str:
        return self.env.get_template(template).render(self._context(request, viewer, context))

    def _context(
        self, request: Request[Any, Any, Any], viewer: Viewer, context: dict[str, Any]
    ) -> dict[str, Any]:
        csrf = ScopeState.from_scope(request.scope).csrf_token
        return {
            "viewer": viewer,
            "locale": viewer.locale,
            "now": self.openinno.clock.now(),
            "csrf_token": csrf if isinstance(csrf, str) else "",
            "path": request.url.path,
            # A page fetched by GET may be drawn again (timezone.js); a POST's never.
            "redraw_safe": request.method == "GET",
            "query": request.url.query,
            # issue 24: forms that need the browser's proof of work (pow.js)
            "proof_of_work": self.openinno.settings.proof_of_work > 0,
            **context,
        }

    def render_block(
        self,
        request: Request[Any, Any, Any],
        template: str,
        block: str,
        viewer: Viewer,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response[str]:
        """One block of a page template, alone: what htmx swaps in.  The page and its
        fragment are the same markup (the block), never two copies."""
        compiled = self.env.get_template(template)
        html = "".join(
            compiled.blocks[block](compiled.new_context(self._context(request, viewer, context)))
        )
        return Response(html, status_code=status_code, media_type=HTML, headers=headers)

    def render_list(
        self,
        request: Request[Any, Any, Any],
        template: str,
        block: str,
        viewer: Viewer,
        **context: Any,
    ) -> Response[str]:
        """A page with a paged list: the whole page, or for htmx (its pager links)
        only the list's block.  Responses differ by HX-Request, so caches must know."""
        headers = {"Vary": "HX-Request"}
        if is_htmx(request):
            return self.render_block(request, template, block, viewer, headers=headers, **context)
        return self.render(request, template, viewer, headers=headers, **context)

    def gettext(self, viewer: Viewer, message: str) -> str:
        return i18n.gettext_for(viewer.locale, message)

    def say(self, viewer: Viewer, error: DomainError) -> str:
        """A domain error's message in the viewer's language."""
        return i18n.localise(error, viewer.locale)


def pages_of(state: State) -> Pages:
    pages: Pages = state.pages
    return pages


def provide_pages(state: State) -> Pages:
    return pages_of(state)


async def provide_viewer(request: Request[Any, Any, Any], state: State) -> Viewer:
    """A signed-in viewer's account is read in a worker thread (the event store is
    synchronous); an anonymous one needs no read, and no hop to a thread."""
    pages = pages_of(state)
    if signed_in_session(request):
        return await sync_to_thread(pages.viewer, request)
    return pages.viewer(request)


def signed_in_session(request: Request[Any, Any, Any]) -> bool:
    session = request.scope.get("session")
    return isinstance(session, dict) and bool(session.get(sessions.ACCOUNT))


def require_signed_in(viewer: Viewer) -> UUID:
    if viewer.account_id is None:
        raise NotAuthorizedException("Sign in to continue.")
    return viewer.account_id


def login_redirect(request: Request[Any, Any, Any]) -> Redirect:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target)}", status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local paths: never an open redirect."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
