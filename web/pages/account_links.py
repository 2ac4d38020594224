"""The pages of the mailed links (issue 23): confirming an e-mail address, asking for
the verification link again, and resetting a forgotten password.

No page tells whether an address has an account: asking for a reset answers the same
page for any address (and the command makes the same reads), and both the asking
and the resend are rate-limited per client address and per e-mail address
(``web.throttle.MailLinkThrottle``).  A reset ends every session and API token of the
account (a new token generation), this browser's too: the person signs in again."""

from __future__ import annotations

import math
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.domain.errors import DomainError
from openinno.domain.values import normalise_email
from web.account_links import read_reset_token, read_verify_token, reset_after_answer
from web.pages.base import N_, Form, Pages, Viewer, client_ip, require_signed_in, status_for
from web.pages.forms import one

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)
MIN_PASSWORD = 10
INVALID_LINK = N_("This link is not valid.")
TOO_MANY = N_("Too many links asked for. Try again later.")


def _secret(pages: Pages) -> str:
    return pages.config.resolve_secret(pages.openinno.settings)


def _wait_header(wait: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(wait)))}


class AccountLinkPages(Controller):
    cache_control = NO_STORE

    # --- e-mail verification -------------------------------------------------------------

    @get("/verify-email", sync_to_thread=True)
    def verification(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        """Whether the viewer's address is verified, and the verification link again."""
        account = pages.openinno.get_account(require_signed_in(viewer))
        return pages.render(
            request,
            "verify_email.html",
            viewer,
            verified=account.email_is_verified,
            email=account.email,
            sent="sent=1" in str(request.url.query or ""),
        )

    @post("/verify-email/resend", sync_to_thread=True)
    def resend(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Any:
        account_id = require_signed_in(viewer)
        account = pages.openinno.get_account(account_id)
        error: Any = ""
        status, headers = 200, None
        if not account.email_is_verified:
            wait = pages.mail_link_throttle.attempt(client_ip(request), account.email)
            if wait > 0:
                error, status, headers = pages.gettext(viewer, TOO_MANY), 429, _wait_header(wait)
            else:
                try:
                    pages.openinno.request_email_verification(account_id)
                except DomainError as e:
                    error, status = e.text, status_for(e)
                else:
                    return Redirect("/verify-email?sent=1", status_code=303)
        return pages.render(
            request,
            "verify_email.html",
            viewer,
            status_code=status,
            headers=headers,
            verified=account.email_is_verified,
            email=account.email,
            sent=False,
            error=error,
        )

    def _verify_page(
        self, request: Request[Any, Any, Any], pages: Pages, viewer: Viewer, token: str,
        done: bool,
    ) -> Response[str]:  # fmt: skip
        link = read_verify_token(_secret(pages), token)
        if link is None:
            return pages.render(
                request, "verify_link.html", viewer, status_code=404, error=INVALID_LINK
            )
        if not done:
            return pages.render(request, "verify_link.html", viewer, token=token, email=link.email)
        try:
            recorded = pages.openinno.verify_email(link.account_id, link.email, link.expires_at)
        except DomainError as e:
            return pages.render(
                request, "verify_link.html", viewer, status_code=status_for(e), error=e.text
            )
        if recorded.position:
            pages.reads.wait(recorded.position, [])
        return pages.render(request, "verify_link.html", viewer, done=True, email=link.email)

    @get("/verify-email/{token:str}", sync_to_thread=True)
    def verify_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        token: FromPath[str],
    ) -> Response[str]:
        # A GET changes nothing (mail scanners follow links): the page asks to confirm.
        return self._verify_page(request, pages, viewer, token, done=False)

    @post("/verify-email/{token:str}", sync_to_thread=True)
    def verify(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        token: FromPath[str],
    ) -> Response[str]:
        return self._verify_page(request, pages, viewer, token, done=True)

    # --- password reset -----------------------------------------------------------------

    @get("/password/forgot", sync_to_thread=False)
    def forgot_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        return pages.render(request, "password_forgot.html", viewer, form=Form(), sent=False)

    @post("/password/forgot", sync_to_thread=True)
    def forgot(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Response[str]:
        """The same answer for every address, known or not (no account enumeration)."""
        email = one(data, "email")
        form = Form(values={"email": email})
        try:
            normalise_email(email)
        except DomainError as e:
            # Not an address at all: says nothing about who has an account.
            form.fail(e)
            return pages.render(
                request, "password_forgot.html", viewer, status_code=400, form=form, sent=False
            )
        wait = pages.mail_link_throttle.attempt(client_ip(request), email)
        if wait > 0:
            form.error = pages.gettext(viewer, TOO_MANY)
            return pages.render(
                request,
                "password_forgot.html",
                viewer,
                status_code=429,
                headers=_wait_header(wait),
                form=form,
                sent=False,
            )
        answer = pages.render(request, "password_forgot.html", viewer, form=form, sent=True)
        answer.background = reset_after_answer(pages.openinno, email)
        return answer

    @get("/password/reset/{token:str}", sync_to_thread=True)
    def reset_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        token: FromPath[str],
    ) -> Response[str]:
        link = read_reset_token(_secret(pages), token)
        if link is None:
            return pages.render(
                request, "password_reset.html", viewer, status_code=404, error=INVALID_LINK
            )
        try:
            pages.openinno.require_password_reset_usable(link.account_id, link.reset_id)
        except DomainError as e:
            return pages.render(
                request, "password_reset.html", viewer, status_code=status_for(e), error=e.text
            )
        return pages.render(request, "password_reset.html", viewer, form=Form(), token=token)

    @post("/password/reset/{token:str}", sync_to_thread=True)
    def reset(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        token: FromPath[str],
        data: FORM,
    ) -> Any:
        link = read_reset_token(_secret(pages), token)
        if link is None:
            return pages.render(
                request, "password_reset.html", viewer, status_code=404, error=INVALID_LINK
            )
        form = Form(values={})
        password = one(data, "password")
        if len(password) < MIN_PASSWORD:
            form.errors["password"] = pages.gettext(
                viewer, N_("Use a password of at least 10 characters.")
            )
        if password != one(data, "password_again"):
            form.errors["password_again"] = pages.gettext(viewer, N_("The two passwords differ."))
        if not form.failed:
            try:
                pages.openinno.reset_password(link.account_id, link.reset_id, password)
            except DomainError as e:
                form.fail(e)
                return pages.render(
                    request,
                    "password_reset.html",
                    viewer,
                    status_code=status_for(e),
                    form=form,
                    token=token,
                )
            # Every session of the account ended with the reset: this one too.
            request.clear_session()
            return Redirect("/login?reset=1", status_code=303)
        return pages.render(
            request, "password_reset.html", viewer, status_code=400, form=form, token=token
        )
