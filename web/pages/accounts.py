"""Sign up, log in (throttled per account and per IP), log out, profile."""

from __future__ import annotations

import math
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Stream

from openinno.domain.account import check_profile
from openinno.domain.errors import DomainError, InvalidCredentials, InvalidInput
from openinno.domain.values import normalise_email
from web.pages import sessions, validation
from web.pages.base import (
    N_,
    Form,
    Pages,
    Viewer,
    client_ip,
    require_signed_in,
    safe_next,
    status_for,
)
from web.pages.forms import one, values
from web.proof_of_work import FIELD as PROOF_FIELD
from web.proof_of_work import proof_of_work_for

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MIN_PASSWORD = 10
NO_STORE = CacheControlHeader(no_store=True)


SIGNUP_FIELDS = ("email", "display_name", "locale", "time_zone")
SIGNUP_CHECKED = (*SIGNUP_FIELDS, "password", "password_again")


def signup_errors(pages: Pages, viewer: Viewer, data: dict[str, Any]) -> dict[str, str]:
    """Every sign-up field's error at once: the page's password rules and the
    domain's own checks of the email and profile (register_account runs those again,
    and adds the one check that needs the store: is the email taken)."""
    errors: dict[str, str] = {}
    password = one(data, "password")
    if len(password) < MIN_PASSWORD:
        errors["password"] = pages.gettext(viewer, N_("Use a password of at least 10 characters."))
    if password != one(data, "password_again"):
        errors["password_again"] = pages.gettext(viewer, N_("The two passwords differ."))
    try:
        normalise_email(one(data, "email"))
    except DomainError as e:
        errors["email"] = pages.say(viewer, e)
    # check_profile stops at the first bad field: each field is checked beside
    # neutral values for the other two, so all three errors can show together.
    profile = {
        "display_name": one(data, "display_name"),
        "locale": one(data, "locale") or viewer.locale,
        "time_zone": one(data, "time_zone") or "UTC",
    }
    neutral = {"display_name": "Name", "locale": "en", "time_zone": "UTC"}
    for name in profile:
        try:
            check_profile(**{**neutral, name: profile[name]})
        except DomainError as e:
            errors[e.field or name] = pages.say(viewer, e)
    return errors


class AccountPages(Controller):
    cache_control = NO_STORE

    @get("/signup", sync_to_thread=False)
    def signup_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Any:
        form = Form(values={"locale": viewer.locale, "time_zone": viewer.time_zone})
        return pages.render(
            request,
            "signup.html",
            viewer,
            form=form,
            validate_url="/signup/validate",
        )

    @post("/signup", sync_to_thread=True)
    def signup(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Any:
        form = Form(values=values(data, *SIGNUP_FIELDS))
        password = one(data, "password")
        form.errors.update(signup_errors(pages, viewer, data))
        if not form.failed:
            # Only a form that could record an account counts against the address
            # (together with the API's POST /accounts), before the password is hashed.
            ip = client_ip(request)
            wait = pages.signup_throttle.attempt(ip)
            if wait > 0:
                form.error = pages.gettext(
                    viewer, N_("Too many sign-ups from this address. Try again later.")
                )
                return pages.render(
                    request,
                    "signup.html",
                    viewer,
                    status_code=429,
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                    form=form,
                    validate_url="/signup/validate",
                )
            try:
                # Off unless OPENINNO_PROOF_OF_WORK (issue 24): the browser solved one.
                proof_of_work_for(pages.openinno).check(one(data, PROOF_FIELD))
                recorded = pages.openinno.register_account(
                    form.values["email"],
                    password,
                    form.values["display_name"],
                    locale=form.values["locale"] or viewer.locale,
                    time_zone=form.values["time_zone"] or "UTC",
                )
            except DomainError as e:
                if isinstance(e, InvalidInput):
                    pages.signup_throttle.malformed(ip)
                form.fail(e)
                status = status_for(e)
            else:
                sessions.sign_in(request.session, str(recorded.id), None)
                pages.reads.wait(recorded.position, ["participants"])
                signed_up = Redirect("/", status_code=303)
                # This browser is known for the new account's email from now on.
                known = pages.known_devices
                device = known.device_for(
                    request.cookies.get(known.cookie_name), form.values["email"]
                )
                signed_up.set_cookie(known.cookie(form.values["email"], device))
                return signed_up
        else:
            status = 400
        return pages.render(
            request,
            "signup.html",
            viewer,
            status_code=status,
            form=form,
            validate_url="/signup/validate",
        )

    @post("/signup/validate", sync_to_thread=False)
    def signup_validate(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Any:
        """htmx's inline validation of one sign-up field (the full submit's checks).
        Whether the email is taken is left to the submit: an inline check must not
        become a free probe for who has an account here."""
        name = validation.target_field(request, SIGNUP_CHECKED)
        message = signup_errors(pages, viewer, data).get(name, "")
        return validation.field_response(request, pages, viewer, name, message)

    @get("/login", sync_to_thread=False)
    def login_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        next: FromQuery[str] = "/",
    ) -> Any:
        form = Form(values={"next": safe_next(next)})
        return pages.render(request, "login.html", viewer, form=form)

    @post("/login", sync_to_thread=True)
    def login(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Any:
        form = Form(values=values(data, "email", "next"))
        email, ip = form.values["email"], client_ip(request)
        known = pages.known_devices
        # A browser that signed in with this email before: its failures count on it,
        # and a stranger's guesses for the email do not keep it out.
        device = known.device_for(request.cookies.get(known.cookie_name), email)
        # Before the password is checked (no argon2 work for a blocked guess), keyed by
        # the email as typed so an email nobody has gets the same answer.
        wait = pages.throttle.attempt(email, ip, device)
        if wait > 0:
            form.error = pages.gettext(
                viewer, N_("Too many failed attempts. Wait a few minutes, then try again.")
            )
            retry_after = {"Retry-After": str(max(1, math.ceil(wait)))}
            return pages.render(
                request, "login.html", viewer, status_code=429, headers=retry_after, form=form
            )
        try:
            account_id = pages.openinno.authenticate(email, one(data, "password"))
        except InvalidCredentials as e:
            # The failure keeps the reservation attempt() made.  Its own words: "wrong"
            # alike for an unknown email and a wrong password; why an account was
            # deactivated only to who gave its password (issue 24).
            form.error = e.text
            return pages.render(request, "login.html", viewer, status_code=401, form=form)
        pages.throttle.succeeded(email, ip, device)
        generation = pages.openinno.get_account(account_id).api_token_generation
        sessions.sign_in(request.session, str(account_id), None, generation)
        signed_in = Redirect(safe_next(form.values["next"]), status_code=303)
        signed_in.set_cookie(known.cookie(email, device))
        return signed_in

    @post("/logout", sync_to_thread=False)
    def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect("/", status_code=303)

    @post("/logout/everywhere", sync_to_thread=True)
    def logout_everywhere(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Redirect:
        """Every session of the account, in every browser, and every API token end:
        one Account.ApiTokensRevoked starts a new generation that none of them has."""
        account_id = require_signed_in(viewer)
        pages.openinno.revoke_all_tokens(account_id, "signed out everywhere")
        request.clear_session()
        return Redirect("/", status_code=303)

    @get("/profile", sync_to_thread=True)
    def profile_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Any:
        account_id = require_signed_in(viewer)
        account = pages.openinno.get_account(account_id)
        form = Form(
            values={
                "display_name": account.display_name,
                "locale": account.locale,
                "time_zone": account.time_zone,
            }
        )
        return pages.render(
            request,
            "profile.html",
            viewer,
            form=form,
            erasure=Form(),
            email_verified=account.email_is_verified,
        )

    @get("/profile/export", sync_to_thread=True)
    def export_my_data(
        self, pages: NamedDependency[Pages], viewer: NamedDependency[Viewer]
    ) -> Stream:
        """Everything held about the person, as the API's export (GDPR Art. 15 and 20)."""
        from web.api.personal_data import personal_data_export

        return personal_data_export(pages.openinno, require_signed_in(viewer))

    @post("/profile/erasure", sync_to_thread=True)
    def erase_my_data(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Any:
        """The person's erasure (decision 0032), confirmed by their password; then the
        list of what a legal hold keeps, and the session ends."""
        account_id = require_signed_in(viewer)
        try:
            erased = pages.openinno.erase_my_personal_data(account_id, one(data, "password"))
        except DomainError as e:
            form = Form(
                values={
                    "display_name": viewer.display_name,
                    "locale": viewer.locale,
                    "time_zone": viewer.time_zone,
                }
            )
            erasure = Form()
            erasure.fail(e)
            return pages.render(
                request,
                "profile.html",
                viewer,
                status_code=status_for(e),
                form=form,
                erasure=erasure,
                email_verified=pages.openinno.get_account(account_id).email_is_verified,
            )
        request.clear_session()
        return pages.render(request, "personal_data_erased.html", Viewer(), kept=erased.kept)

    @post("/profile", sync_to_thread=True)
    def profile(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Any:
        account_id = require_signed_in(viewer)
        form = Form(values=values(data, "display_name", "locale", "time_zone"))
        try:
            pages.openinno.update_profile(
                account_id,
                form.values["display_name"],
                form.values["locale"],
                form.values["time_zone"],
            )
        except DomainError as e:
            form.fail(e)
            return pages.render(
                request,
                "profile.html",
                viewer,
                status_code=status_for(e),
                form=form,
                erasure=Form(),
                email_verified=pages.openinno.get_account(account_id).email_is_verified,
            )
        # The profile's language is the default from now on; drop the header's choice.
        request.session.pop(sessions.LOCALE, None)
        return Redirect("/profile?saved=1", status_code=303)
