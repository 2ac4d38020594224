"""Legal pages: the chain of title of a submission (with JSON and CSV exports) and
an organisation's agreements by state.  Never cached."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency

from openinno.domain.errors import InvalidState, NotFound
from projections.legal import queries as legal
from web.pages.base import Pages, Viewer, require_signed_in
from web.pages.sponsors import _member_organisation

NO_STORE = CacheControlHeader(no_store=True)


def _check_chain_access(pages: Pages, actor: UUID, submission_id: UUID) -> Any:
    """Members of the sponsor organisation, the authors and admins; NotFound for others."""
    app = pages.openinno
    submission = app.get_submission(actor, submission_id)
    challenge = app.get_challenge(submission.challenge_id, actor)
    organisation = app.get_organisation(challenge.organisation_id)
    account = app.get_account(actor)
    if (
        organisation.role_of(actor) is None
        and actor not in submission.author_ids
        and not account.is_admin
    ):
        raise NotFound(f"No submission with id {submission_id}.")
    return challenge


def _evidence_download(pages: Pages, submission_id: UUID) -> Response[str]:
    from openinno.ledger.bundle import build_bundle, encode_bundle
    from openinno.ledger.log import catch_up, ledger_for

    ledger = ledger_for(pages.openinno)
    try:
        if ledger.signing_key is None:
            raise InvalidState("No signing key is configured on this platform.")
        catch_up(ledger)
        bundle = build_bundle(ledger, submission_id, pages.openinno.files.get)
    finally:
        ledger.db.close()
    return Response(
        encode_bundle(bundle).decode(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="evidence-{submission_id}.json"'},
    )


class LegalPages(Controller):
    cache_control = NO_STORE

    @get("/legal/submissions/{submission_id:uuid}", sync_to_thread=True)
    def chain(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: UUID,
        as_of: str | None = None,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        challenge = _check_chain_access(pages, actor, submission_id)
        steps = legal.chain_of_title(pages.reads.db(), submission_id, legal.parse_as_of(as_of))
        return pages.render(
            request,
            "chain.html",
            viewer,
            steps=steps,
            submission_id=submission_id,
            challenge=challenge,
        )

    @get("/legal/submissions/{submission_id:uuid}/export/{kind:str}", sync_to_thread=True)
    def export(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: UUID,
        kind: str,
        as_of: str | None = None,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        if kind not in ("json", "csv", "evidence"):
            raise NotFound("No such export.")
        _check_chain_access(pages, actor, submission_id)
        if kind == "evidence":
            return _evidence_download(pages, submission_id)
        db = pages.reads.db()
        moment = legal.parse_as_of(as_of)
        if kind == "json":
            body = legal.chain_of_title_json(db, submission_id, moment)
            media_type = "application/json"
        else:
            body, media_type = legal.chain_of_title_csv(db, submission_id, moment), "text/csv"
        filename = f"chain-of-title-{submission_id}.{kind}"
        return Response(
            body,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @get("/organisations/{organisation_id:uuid}/agreements", sync_to_thread=True)
    def agreements(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: UUID,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        organisation = _member_organisation(pages, actor, organisation_id)
        grouped = legal.agreements_by_state(pages.reads.db(), organisation_id)
        return pages.render(
            request, "agreements.html", viewer, organisation=organisation, grouped=grouped
        )
