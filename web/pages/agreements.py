"""An award's IP agreement: the full text with its SHA-256, who signed and when,
and the form each party needs next: the winning solver (and team) sign with a
typed name and a statement of intent, the sponsor's owner or legal member
countersigns, the owner or a manager records the payment.  Never cached."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.domain.agreement import IpAgreement
from openinno.domain.errors import DomainError
from openinno.domain.ip_templates import TEMPLATES
from openinno.domain.ip_translations import reading_translation
from projections.legal import queries as legal
from web.pages.after_the_win_forms import after_the_win_actions
from web.pages.base import N_, Form, Pages, Viewer, client_ip, require_signed_in, status_for
from web.pages.forms import one, values

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)
# The statement a signer affirms (a checkbox); recorded in the signer's language.
INTENT = N_("I have read this agreement in full and I sign it with the intent to be bound by it.")
SIGN_FIELDS = {"typed_name": "typed_name", "intent": "intent", "text_sha256": "typed_name"}


def _actions(pages: Pages, actor: UUID, agreement: IpAgreement) -> dict[str, bool]:
    """Which forms this person sees: the application checks again when they post."""
    organisation = pages.openinno.get_organisation(agreement.assignee_organisation_id)
    role = organisation.role_of(actor)
    state = agreement.state
    open_ = state not in ("disputed", "rescinded")
    return {
        "sign": actor in agreement.authors
        and actor not in agreement.assignor_signatures
        and state == "awaiting_signature",
        "countersign": role in ("owner", "legal") and state == "awaiting_countersignature",
        "pay": role in ("owner", "manager")
        and open_
        and agreement.payment_required
        and agreement.payment_reference is None,
        "dispute": open_ and (actor in agreement.authors or role in ("owner", "legal")),
        "rescind": state != "rescinded" and role in ("owner", "legal"),
    }


def signed_at(pages: Pages, agreement: IpAgreement) -> dict[str, Any]:
    """When each signer signed this agreement: the chain of title's signing steps
    (the signature records what was signed, its event when), told apart from another
    agreement's on the same entry by the text they signed (which names the agreement)."""
    steps = legal.chain_of_title(pages.reads.db(), agreement.submission_id)
    return {
        str(s["actor_id"]): s["at"]
        for s in steps
        if s["step"] in ("signed_by_assignor", "countersigned_by_assignee")
        and s["details"].get("text_sha256") == agreement.text_sha256
    }


def winner(pages: Pages, actor: UUID, agreement: IpAgreement) -> dict[str, Any]:
    """What the agreement is about, in words: the challenge, the winning entry's title
    and its authors' names.  Whoever may read the agreement may know its authors
    (``OpenInno.get_agreement``); the entry's title only where they may see it."""
    app = pages.openinno
    try:
        challenge = app.get_challenge(agreement.challenge_id, actor)
    except DomainError:
        challenge = None
    try:
        title = app.get_submission(actor, agreement.submission_id).content.title
    except DomainError:
        title = None
    names = []
    for author in agreement.authors:
        try:
            names.append(app.get_account(author).display_name)
        except DomainError:
            continue
    return {"challenge": challenge, "title": title, "names": names}


def agreement_page(
    request: Request[Any, Any, Any],
    pages: Pages,
    viewer: Viewer,
    actor: UUID,
    agreement: IpAgreement,
    form: Form,
    status: int,
) -> Response[str]:
    app = pages.openinno
    names = {}
    for signer in (
        *agreement.assignor_signatures,
        *([agreement.assignee_signature.signer_id] if agreement.assignee_signature else []),
    ):
        try:
            names[signer] = app.get_account(signer).display_name
        except DomainError:
            names[signer] = ""
    # The binding text is in its template's language; a reader of another one gets
    # a translation beside it, marked as not binding (never signed or hashed).
    template = TEMPLATES.get((agreement.template, agreement.template_version))
    binding_language = template.language if template else "en"
    return pages.render(
        request,
        "agreement.html",
        viewer,
        status_code=status,
        agreement=agreement,
        binding_language=binding_language,
        reading=reading_translation(
            agreement.template, agreement.template_version, binding_language, viewer.locale
        ),
        state=agreement.state,
        actions=_actions(pages, actor, agreement),
        after=after_the_win_actions(pages, actor, agreement),
        names=names,
        signed_at=signed_at(pages, agreement),
        about=winner(pages, actor, agreement),
        intent=pages.gettext(viewer, INTENT),
        form=form,
        empty_form=Form(),
    )


# The remedy forms: their routes, the command each posts to, the notice after it.
REMEDIES = {
    "dispute": ("dispute_agreement", "disputed=1"),
    "rescind": ("rescind_agreement", "rescinded=1"),
}


class AgreementPages(Controller):
    cache_control = NO_STORE

    def _page(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        actor: UUID,
        agreement: IpAgreement,
        form: Form,
        status: int,
    ) -> Response[str]:
        return agreement_page(request, pages, viewer, actor, agreement, form, status)

    @get("/agreements/{agreement_id:uuid}", sync_to_thread=True)
    def agreement(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        agreement = pages.openinno.get_agreement(actor, agreement_id)
        form = Form(values={"typed_name": ""})
        return self._page(request, pages, viewer, actor, agreement, form, 200)

    def _signed(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        agreement_id: FromPath[UUID],
        data: dict[str, Any],
        countersign: bool,
    ) -> Any:
        actor = require_signed_in(viewer)
        app = pages.openinno
        agreement = app.get_agreement(actor, agreement_id)
        form = Form(
            values={**values(data, "typed_name", "text_sha256"), "intent": one(data, "intent")}
        )
        if form.values["intent"] != "yes":
            form.errors["intent"] = pages.gettext(
                viewer, N_("Tick the statement to show that you intend to sign.")
            )
            return self._page(request, pages, viewer, actor, agreement, form, 400)
        command = app.countersign_agreement if countersign else app.sign_agreement
        try:
            recorded = command(
                actor,
                agreement_id,
                form.values["typed_name"],
                pages.gettext(viewer, INTENT),
                form.values["text_sha256"],
                auth_method="password session",
                ip_address=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except DomainError as e:
            form.fail(e, SIGN_FIELDS)
            return self._page(request, pages, viewer, actor, agreement, form, status_for(e))
        pages.reads.wait(recorded.position)
        return Redirect(f"/agreements/{agreement_id}?signed=1", status_code=303)

    @post("/agreements/{agreement_id:uuid}/sign", sync_to_thread=True)
    def sign(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        return self._signed(request, pages, viewer, agreement_id, data, countersign=False)

    @post("/agreements/{agreement_id:uuid}/countersign", sync_to_thread=True)
    def countersign(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        return self._signed(request, pages, viewer, agreement_id, data, countersign=True)

    @post("/agreements/{agreement_id:uuid}/payment", sync_to_thread=True)
    def payment(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        app = pages.openinno
        agreement = app.get_agreement(actor, agreement_id)
        form = Form(values=values(data, "reference"))
        try:
            recorded = app.record_payment(actor, agreement_id, form.values["reference"])
        except DomainError as e:
            form.fail(e)
            return self._page(request, pages, viewer, actor, agreement, form, status_for(e))
        pages.reads.wait(recorded.position)
        return Redirect(f"/agreements/{agreement_id}?paid=1", status_code=303)

    @post("/agreements/{agreement_id:uuid}/dispute", sync_to_thread=True)
    def dispute(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        return self._remedy(request, pages, viewer, agreement_id, data, "dispute")

    @post("/agreements/{agreement_id:uuid}/rescind", sync_to_thread=True)
    def rescind(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        return self._remedy(request, pages, viewer, agreement_id, data, "rescind")

    def _remedy(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        agreement_id: UUID,
        data: dict[str, Any],
        kind: str,
    ) -> Any:
        actor = require_signed_in(viewer)
        app = pages.openinno
        agreement = app.get_agreement(actor, agreement_id)
        form = Form(values={**values(data, "reason"), "remedy": kind})
        try:
            command, notice = REMEDIES[kind]
            recorded = getattr(app, command)(actor, agreement_id, form.values["reason"])
        except DomainError as e:
            form.fail(e)
            return self._page(request, pages, viewer, actor, agreement, form, status_for(e))
        pages.reads.wait(recorded.position)
        return Redirect(f"/agreements/{agreement_id}?{notice}", status_code=303)
