"""Legal pages: the chain of title of a submission (with JSON and CSV exports), the
full history of any stream (who did what when, with each change), and an
organisation's agreements by state.  Never cached."""

from __future__ import annotations

import contextlib
import itertools
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from openinno.domain.errors import DomainError, InvalidState, NotFound
from projections.legal import queries as legal
from web.legal_proof import chain_claim
from web.pages import labels, paging
from web.pages.base import Pages, Viewer, require_signed_in
from web.pages.people import People

NO_STORE = CacheControlHeader(no_store=True)


def _check_chain_access(pages: Pages, actor: UUID, submission_id: UUID) -> Any:
    """The application's rule (``OpenInno.require_chain_of_title``), the API's too:
    the authors, the sponsor's owners and legal members, admins; NotFound for others."""
    _submission, challenge = pages.openinno.require_chain_of_title(actor, submission_id)
    return challenge


def _evidence_download(pages: Pages, submission_id: UUID) -> Stream:
    from openinno.ledger.bundle import build_bundle, bundle_chunks
    from openinno.ledger.log import catch_up, ledger_for

    ledger = ledger_for(pages.openinno)
    try:
        if ledger.signing_key is None:
            raise InvalidState("No signing key is configured on this platform.")
        catch_up(ledger)
        bundle = build_bundle(ledger, submission_id)
    finally:
        ledger.db.close()
    # Streamed with the files' bytes, each read in chunks: never whole in memory.
    return Stream(
        bundle_chunks(bundle, pages.openinno.files.chunks),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="evidence-{submission_id}.json"'},
    )


def _about(pages: Pages, actor: UUID, rows: list[Any]) -> dict[str, dict[str, Any]]:
    """Per agreement on the page: its challenge's title, the winning entry's title and
    its authors' names, each only where this viewer may see it (blind review's rule,
    ``OpenInno.author_visibility``)."""
    app = pages.openinno
    challenges: dict[str, Any] = {}
    about: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = str(row["challenge_id"])
        if key not in challenges:
            try:
                challenge = app.get_challenge(UUID(key), actor)
                challenges[key] = (challenge, app.author_visibility(actor, challenge))
            except DomainError:
                challenges[key] = (None, None)
        challenge, visibility = challenges[key]
        title, names = None, []
        try:
            submission = app.get_submission(actor, UUID(str(row["submission_id"])))
        except DomainError:
            submission = None
        if submission is not None:
            title = submission.content.title
            authors = submission.latest_author_ids
            if visibility is not None and visibility.sees(authors, awarded=True):
                for author in authors:
                    with contextlib.suppress(DomainError):
                        names.append(app.get_account(author).display_name)
        about[str(row["agreement_id"])] = {
            "challenge": challenge.spec.title if challenge else None,
            "title": title,
            "names": names,
        }
    return about


class LegalPages(Controller):
    cache_control = NO_STORE

    @get("/legal/submissions/{submission_id:uuid}", sync_to_thread=True)
    def chain(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        as_of: FromQuery[str | None] = None,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        submission, challenge = pages.openinno.require_chain_of_title(actor, submission_id)
        db = pages.reads.db()
        moment = legal.parse_as_of(as_of)
        steps = legal.chain_of_title(db, submission_id, moment)
        agreement_ids = sorted(
            {str(s["details"]["agreement_id"]) for s in steps if "agreement_id" in s["details"]}
        )
        return pages.render(
            request,
            "chain.html",
            viewer,
            steps=steps,
            submission_id=submission_id,
            challenge=challenge,
            as_of=as_of or "",
            history=pages.openinno.may_view_history(actor, submission_id),
            agreement_ids=agreement_ids,
            claim=chain_claim(pages.openinno, db, submission_id, moment),
            people=People.of_stream(pages.openinno, submission),
        )

    @get("/legal/submissions/{submission_id:uuid}/certificate", sync_to_thread=True)
    def certificate(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Response[str]:
        """A certificate of chain of title people read and print: names, dates, the
        hashes, the checkpoint and its cosigners, and how to verify it all offline.
        The JSON (and the evidence bundle) stays the source of truth."""
        actor = require_signed_in(viewer)
        submission, challenge = pages.openinno.require_chain_of_title(actor, submission_id)
        app = pages.openinno
        db = pages.reads.db()
        steps = legal.chain_of_title(db, submission_id)
        names: dict[str, str] = {}

        def name_of(account_id: Any) -> str:
            key = str(account_id)
            if key not in names:
                try:
                    names[key] = app.get_account(UUID(key)).display_name
                except (DomainError, ValueError):
                    names[key] = key
            return names[key]

        authors: list[dict[str, Any]] = next(
            (s["authors"] for s in reversed(steps) if s.get("authors")), []
        )
        return pages.render(
            request,
            "certificate.html",
            viewer,
            steps=steps,
            submission=submission,
            challenge=challenge,
            organisation=app.get_organisation(challenge.organisation_id),
            authors=[
                {"name": name_of(a["account_id"]), "accepted": a.get("accepted_terms_at")}
                for a in authors
            ],
            actor_names={str(s["actor_id"]): name_of(s["actor_id"]) for s in steps},
            claim=chain_claim(app, db, submission_id),
            issued_at=app.clock.now(),
        )

    @get("/legal/streams/{stream_id:uuid}", sync_to_thread=True)
    def history(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        stream_id: FromPath[UUID],
        as_of: FromQuery[str | None] = None,
        cursor: FromQuery[str] = "",
    ) -> Response[str]:
        """Every event of one stream in order: who, when, what changed.  Who may read
        it is the application's rule (``OpenInno.require_history_access``, the API's
        too); a 404 for everyone else, the same as for a stream that does not exist."""
        actor = require_signed_in(viewer)
        stream = pages.openinno.require_history_access(actor, stream_id)
        rows = legal.stream_history(pages.reads.db(), stream_id, legal.parse_as_of(as_of))
        events = paging.page(rows, lambda r: (int(r["version"]),), cursor)
        context: dict[str, Any] = {
            "stream_id": stream_id,
            "events": events,
            "people": People.of_stream(pages.openinno, stream),
            "as_of": as_of or "",
            "params": {"as_of": as_of} if as_of else {},
        }
        return pages.render_list(request, "history.html", "events", viewer, **context)

    @get("/legal/submissions/{submission_id:uuid}/export/{kind:str}", sync_to_thread=True)
    def export(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        kind: FromPath[str],
        as_of: FromQuery[str | None] = None,
    ) -> Response[str] | Stream:
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
        organisation_id: FromPath[UUID],
        cursor: FromQuery[str] = "",
    ) -> Response[str]:
        """Agreements by state (in the order a deal moves through them), paged.  Who
        may read them is the application's rule, the API's too."""
        actor = require_signed_in(viewer)
        organisation = pages.openinno.require_sponsor_view(actor, organisation_id)
        grouped = legal.agreements_by_state(pages.reads.db(), organisation_id)
        order = {state: i for i, state in enumerate(labels.AGREEMENT_STATE)}
        rows = [
            {**row, "state": state}
            for state in sorted(grouped, key=lambda s: (order.get(s, len(order)), s))
            for row in grouped[state]
        ]
        agreements = paging.page(
            rows,
            lambda r: (order.get(r["state"], len(order)), r["drafted_at"], r["agreement_id"]),
            cursor,
        )
        # This page's rows by state, in the deal's order (Jinja's groupby would sort).
        groups = [
            (state, list(rows))
            for state, rows in itertools.groupby(agreements.items, key=lambda r: r["state"])
        ]
        context: dict[str, Any] = {
            "organisation": organisation,
            "about": _about(pages, actor, agreements.items),
            "agreements": agreements,
            "groups": groups,
        }
        return pages.render_list(request, "agreements.html", "agreements", viewer, **context)
