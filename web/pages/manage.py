"""Running a published challenge, for members of its organisation: the dashboard
(funnel, review progress and score distribution as SVG charts, the ranking),
answering and hiding questions, announcements, deadline extensions, reviewer
invitations, the shortlist, awards and revealing identities; inviting members
to the organisation.  Every command checks the member's role itself."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any
from uuid import UUID

from babel.numbers import (
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Stream

from openinno.domain.blind import BLIND, AuthorVisibility
from openinno.domain.challenge import Challenge
from openinno.domain.errors import NOT_FOUND, DomainError, InvalidInput, NotFound
from openinno.domain.organisation import Organisation
from projections.db import Db, ReadStore, Row, open_db
from projections.reviewers import queries as reviewers_queries
from projections.sponsors import queries as sponsors
from web.pages import charts, labels, paging, queries
from web.pages.base import N_, Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import many, one, values
from web.pages.sponsors import _local_time, _member_organisation, render_organisation

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)
FUNNEL = {
    "submissions": N_("Submitted"),
    "eligible": N_("Eligible"),
    "reviewed": N_("Reviewed"),
    "shortlisted": N_("Shortlisted"),
    "awarded": N_("Awarded"),
}
FORMS = (
    "announce",
    "deadline",
    "reviewer",
    "shortlist",
    "award",
    "close_review",
    "cancel",
    "reaward",
)


def _managed(pages: Pages, actor: UUID, challenge_id: UUID) -> tuple[Challenge, Organisation]:
    challenge = pages.openinno.get_challenge(challenge_id, actor)
    organisation = _member_organisation(pages, actor, challenge.organisation_id)
    return challenge, organisation


def _csv_chunks(store: ReadStore, challenge_id: UUID) -> Iterator[str]:
    """The export's chunks over a connection of its own: they are read while the
    response streams, after the handler's thread (and its connection) moved on."""
    db = open_db(store)
    try:
        yield from sponsors.submissions_csv_chunks(db, challenge_id)
    finally:
        db.close()


def _account_by_email(pages: Pages, email: str, field: str) -> UUID:
    account_id = pages.openinno.account_id_for_email(email)
    if account_id is None:
        raise InvalidInput("No account uses that email address.", field=field)
    return account_id


def _rank_after(cursor: str) -> sponsors.RankKey | None:
    """The ranking key a page cursor carries (see ``sponsors.rank_key``)."""
    if not cursor:
        return None
    key = paging.decode(cursor)
    kinds = (int, int, float, float, int, str, str)
    if (
        len(key) != len(kinds)
        or not all(type(v) is kind for v, kind in zip(key, kinds, strict=True))
        or key[1] not in (0, 1)
        or not all(map(math.isfinite, key[2:4]))
    ):
        raise ValidationException("bad cursor")
    return (int(key[0]), int(key[1]), float(key[2]), float(key[3]), int(key[4]), key[5], key[6])


# The dashboard's ranking: its first MANAGE_RANKING entries, with a link to the
# paged entries page.  Asked for (``?candidates=all``), or when a shortlist or award
# form comes back with an error: every reviewed entry, at least MANAGE_CANDIDATES,
# to shortlist or award one further down.  Read at call time: tests make them small.
MANAGE_RANKING = 25
MANAGE_CANDIDATES = 100


def dashboard_data(
    db: Db, challenge_id: UUID, *, every: bool = False, seen_by: AuthorVisibility = BLIND
) -> Row | None:
    """Everything the dashboard reads from the read models (bench_reads times this
    as the page's direct figure): the counts, the ranking's first rows (``more``:
    whether there are others) and the score distribution.  None: no such challenge."""
    dashboard = sponsors.challenge_dashboard(db, challenge_id)
    if dashboard is None:
        return None
    reviewed = dashboard["funnel"]["reviewed"]
    limit = max(MANAGE_CANDIDATES, reviewed) if every else MANAGE_RANKING
    # One page of the ranking in SQL, one row more to know whether there are others;
    # without each entry's reviews, which the dashboard does not show.
    rows = sponsors.ranking_page(
        db, challenge_id, after=None, limit=limit + 1, reviews=False, seen_by=seen_by
    )
    return {
        "dashboard": dashboard,
        "ranking": rows[:limit],
        "more": len(rows) > limit,
        # Every counted review's total, counted per band in SQL.
        "scores": sponsors.score_distribution(db, challenge_id),
    }


def invited_reviewers(pages: Pages, challenge: Any) -> list[dict[str, Any]]:
    """Everyone invited to review, by name: whether they accepted, and their round."""
    people = []
    for reviewer in challenge.invited_reviewers:
        try:
            name = pages.openinno.get_account(reviewer).display_name
        except DomainError:
            name = str(reviewer)
        people.append(
            {
                "name": name,
                "accepted": reviewer in challenge.reviewers,
                "round": challenge.round_of(reviewer),
            }
        )
    return sorted(people, key=lambda p: (p["round"], not p["accepted"], p["name"].casefold()))


def number_texts(rows: list[Row], locale: str) -> list[Row]:
    """Each row's mean and normalised scores as the viewer's locale writes them
    (``mean_text``, ``normalised_text``; empty when unscored), for the entries'
    columns.  Babel's ``format_decimal`` parsed the locale and its pattern for each
    number (about 23 us a call, two a row); the locale's symbols are read once here
    and each number is written as it would: the default decimal pattern
    ``#,##0.###``, half-even rounding of the float's shortest repr."""
    decimal, group, minus = (
        get_decimal_symbol(locale),
        get_group_symbol(locale),
        get_minus_sign_symbol(locale),
    )
    marks = str.maketrans({".": decimal, ",": group})

    def text(value: float | None) -> str:
        if value is None:
            return ""
        if not math.isfinite(value):
            return format_decimal(value, locale=locale)
        d = Decimal(str(value))
        digits = format(abs(d).quantize(_MILLI, ROUND_HALF_EVEN), ",f").rstrip("0").rstrip(".")
        return (minus if d.is_signed() else "") + digits.translate(marks)

    for r in rows:
        r["mean_text"] = text(r["mean_total"])
        r["normalised_text"] = text(r["normalised_score"])
    return rows


_MILLI = Decimal("0.001")


def _entry_files(pages: Pages, actor: UUID, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each listed entry's files with their previews, by submission id (as the rows have it)."""
    shown = pages.openinno.entry_files(actor, [UUID(r["submission_id"]) for r in rows])
    return {str(k): v for k, v in shown.items()}


class ManagePages(Controller):
    cache_control = NO_STORE

    def _dashboard(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        actor: UUID,
        challenge_id: FromPath[UUID],
        forms: dict[str, Form] | None = None,
        status: int = 200,
        every: bool = False,
    ) -> Response[str]:
        challenge, organisation = _managed(pages, actor, challenge_id)
        # The dashboard lists the ranking's first rows, the candidates for the
        # shortlist and the prizes (the rest are on the paged entries page): one page
        # of the ranking in SQL, never the whole of a 150,000-entry challenge.
        data = dashboard_data(
            pages.reads.db(),
            challenge_id,
            every=every,
            seen_by=pages.openinno.author_visibility(actor, challenge),
        )
        if data is None:
            raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id))
        dashboard = data["dashboard"]
        t = pages.gettext
        funnel = charts.horizontal(
            t(viewer, N_("Entries at each stage")),
            [(t(viewer, FUNNEL[k]), v) for k, v in dashboard["funnel"].items()],
        )
        progress_rows = dashboard["review_progress"]["reviewers"]
        progress = charts.horizontal(
            t(viewer, N_("Reviews done of assigned, per reviewer")),
            [
                (t(viewer, N_("Reviewer %(number)s")) % {"number": i}, r["done"])
                for i, r in enumerate(progress_rows, start=1)
            ],
            totals=[r["assigned"] for r in progress_rows],
        )
        distribution = charts.histogram(
            t(viewer, N_("Distribution of weighted scores")),
            (),
            counts=data["scores"],
            axis=t(viewer, N_("weighted total, 0 to 100")),
        )
        # Each row's shortlist box is labelled with its entry: translated once here,
        # not through the template's gettext for every row.
        ranking = number_texts(data["ranking"], viewer.locale)
        label = t(viewer, N_("Shortlist %(entry)s"))
        entrant = t(viewer, labels.ENTRANT)
        for r in ranking:
            r["shortlist_label"] = label % {"entry": entrant % {"number": r["pseudonym_number"]}}
        all_forms = {name: Form() for name in FORMS}
        all_forms.update(forms or {})
        return pages.render(
            request,
            "manage.html",
            viewer,
            status_code=status,
            challenge=challenge,
            spec=challenge.spec,
            organisation=organisation,
            role=organisation.role_of(actor),
            dashboard=dashboard,
            ranking=ranking,
            # The shortlist's jury scores beside the public's support, ordered by the
            # terms' award rule (issue 20); read only once there is a shortlist.
            decision=sponsors.shortlist_decision(
                pages.reads.db(),
                challenge_id,
                challenge.spec.decided_by,
                challenge.spec.public_weight or 0,
            )
            if challenge.shortlist
            else [],
            agreement=reviewers_queries.reviewer_agreement(pages.reads.db(), challenge_id),
            more=data["more"],
            every=every,
            candidates=MANAGE_CANDIDATES,
            funnel=funnel,
            progress=progress,
            distribution=distribution,
            forms=all_forms,
            now=pages.openinno.clock.now(),
            reviewers=invited_reviewers(pages, challenge),
        )

    @get("/challenges/{challenge_id:uuid}/manage", sync_to_thread=True)
    def dashboard(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        candidates: FromQuery[str] = "",
    ) -> Response[str]:
        """``candidates=all``: every reviewed entry in the ranking and the award form."""
        actor = require_signed_in(viewer)
        return self._dashboard(
            request, pages, viewer, actor, challenge_id, every=candidates == "all"
        )

    @get("/challenges/{challenge_id:uuid}/entries", sync_to_thread=True)
    def entries(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        cursor: FromQuery[str] = "",
    ) -> Response[str]:
        """The sponsor's list of entries, paged in SQL in the ranking's order (the
        cursor carries the last rank and sort key: ``sponsors.rank_key``).  For the
        sponsor's members and admins, as the API's ranking (``require_sponsor_view``)."""
        return self._entries_page(request, pages, viewer, challenge_id, cursor, Form())

    def _entries_page(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge_id: UUID,
        cursor: str,
        form: Form,
        status: int = 200,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        challenge = pages.openinno.get_challenge(challenge_id, actor)
        organisation = pages.openinno.require_sponsor_view(actor, challenge.organisation_id)
        db = pages.reads.db()
        size = paging.PAGE_SIZE
        rows = sponsors.ranking_page(
            db,
            challenge_id,
            after=_rank_after(cursor),
            limit=size + 1,
            reviews=False,
            seen_by=pages.openinno.author_visibility(actor, challenge),
        )
        entries = paging.keyset(rows, cursor, size, sponsors.rank_key)
        number_texts(entries.items, viewer.locale)
        return pages.render_list(
            request,
            "entries.html",
            "entries",
            viewer,
            challenge=challenge,
            spec=challenge.spec,
            organisation=organisation,
            entries=entries,
            agreements=queries.agreements_of(db, [r["submission_id"] for r in entries.items]),
            files=_entry_files(pages, actor, entries.items),
            may_disqualify=organisation.role_of(actor) in ("owner", "manager")
            and challenge.status == "published",
            # issue 24: the entry's flagged votes, where the public votes
            may_void_votes=organisation.role_of(actor) in ("owner", "manager")
            and challenge.spec.voting.mode != "none",
            form=form,
            empty_form=Form(),
            status_code=status,
        )

    @get("/challenges/{challenge_id:uuid}/entries.csv", sync_to_thread=True)
    def entries_csv(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Stream:
        """Every entry in the ranking's order as CSV (pseudonymous until identities are
        revealed), streamed a page of rows at a time: a 150,000-entry challenge never
        sits in memory whole."""
        actor = require_signed_in(viewer)
        _managed(pages, actor, challenge_id)
        return Stream(
            _csv_chunks(pages.reads.store, challenge_id),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="entries-{challenge_id}.csv"',
                "Cache-Control": "no-store",
            },
        )

    def _run(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge_id: FromPath[UUID],
        name: str,
        form: Form,
        command: Any,
        fields: dict[str, str] | None = None,
        anchor: str = "",
    ) -> Any:
        """Run one command for the dashboard's form ``name``: back to the dashboard,
        or the dashboard again with the error next to the form."""
        actor = require_signed_in(viewer)
        _managed(pages, actor, challenge_id)
        try:
            recorded = command(actor)
        except DomainError as e:
            form.fail(e, fields)
            if not form.failed:
                form.error = e.text
            # A shortlist or award sent back lists every candidate: its choices may
            # lie beyond the ranking's first rows.
            return self._dashboard(
                request,
                pages,
                viewer,
                actor,
                challenge_id,
                {name: form},
                status_for(e),
                every=name in ("shortlist", "award", "reaward"),
            )
        pages.reads.wait(recorded.position)
        return Redirect(
            f"/challenges/{challenge_id}/manage?done={name}#{anchor or name}", status_code=303
        )

    @post("/challenges/{challenge_id:uuid}/announcements", sync_to_thread=True)
    def announce(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        form = Form(values=values(data, "text"))
        return self._run(
            request,
            pages,
            viewer,
            challenge_id,
            "announce",
            form,
            lambda actor: pages.openinno.post_announcement(
                actor, challenge_id, form.values["text"]
            ),
        )

    @post("/challenges/{challenge_id:uuid}/deadline", sync_to_thread=True)
    def deadline(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        form = Form(values=values(data, "closes_at", "review_ends_at", "text"))

        def extend(actor: UUID) -> Any:
            zone = viewer.time_zone
            review = form.values["review_ends_at"].strip()
            return pages.openinno.extend_deadline(
                actor,
                challenge_id,
                _local_time(form.values["closes_at"], zone, "closes_at"),
                form.values["text"],
                review_ends_at=_local_time(review, zone, "review_ends_at") if review else None,
            )

        return self._run(request, pages, viewer, challenge_id, "deadline", form, extend)

    @post("/challenges/{challenge_id:uuid}/reviewers", sync_to_thread=True)
    def invite_reviewer(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        form = Form(values=values(data, "email"))

        def invite(actor: UUID) -> Any:
            reviewer = _account_by_email(pages, form.values["email"], "email")
            # Review rounds (issue 20): the round they serve in, where there are several.
            text = one(data, "round").strip()
            if text and not text.isdigit():
                raise InvalidInput("Write a whole number.", field="round")
            round_number = int(text) if text and len(text) < 4 else None
            return pages.openinno.invite_reviewer(actor, challenge_id, reviewer, round_number)

        return self._run(
            request, pages, viewer, challenge_id, "reviewer", form, invite, {"reviewer_id": "email"}
        )

    @post("/challenges/{challenge_id:uuid}/shortlist", sync_to_thread=True)
    def shortlist(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        form = Form(values={"submission_ids": [str(v) for v in many(data, "submission_ids")]})

        def publish(actor: UUID) -> Any:
            try:
                chosen = [UUID(v) for v in form.values["submission_ids"]]
            except ValueError:
                raise InvalidInput(
                    "Choose entries from the list.", field="submission_ids"
                ) from None
            return pages.openinno.publish_shortlist(actor, challenge_id, chosen)

        return self._run(
            request, pages, viewer, challenge_id, "shortlist", form, publish, anchor="ranking"
        )

    @post("/challenges/{challenge_id:uuid}/rounds/advance", sync_to_thread=True)
    def advance_round(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """End the review round under way (issue 20): the entries checked in the
        ranking are the next round's (the shortlist form's boxes)."""
        form = Form(values={"submission_ids": [str(v) for v in many(data, "submission_ids")]})

        def advance(actor: UUID) -> Any:
            try:
                chosen = [UUID(v) for v in form.values["submission_ids"]]
            except ValueError:
                raise InvalidInput(
                    "Choose entries from the list.", field="submission_ids"
                ) from None
            return pages.openinno.advance_round(actor, challenge_id, chosen)

        return self._run(
            request, pages, viewer, challenge_id, "shortlist", form, advance, anchor="ranking"
        )

    @post("/challenges/{challenge_id:uuid}/award", sync_to_thread=True)
    def award(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        form = Form(values={k: one(data, k) for k in data if k.startswith(("place_", "reason_"))})

        def award(actor: UUID) -> Any:
            places = []
            reasons: dict[UUID, str] = {}
            for key, value in form.values.items():
                if not value or not key.startswith("place_"):
                    continue
                try:
                    entry, place = UUID(value), int(key.removeprefix("place_"))
                except ValueError:
                    raise InvalidInput("Choose entries from the list.", field="awards") from None
                places.append((entry, place))
                # Each place's reason for awarding a version no reviewer scored (issue
                # 20): only what the sponsor wrote, never a default.
                reason = form.values.get(f"reason_{place}", "").strip()
                if reason:
                    reasons[entry] = reason
            return pages.openinno.award(actor, challenge_id, places, override_reasons=reasons)

        return self._run(request, pages, viewer, challenge_id, "award", form, award)

    @post("/challenges/{challenge_id:uuid}/reaward", sync_to_thread=True)
    def reaward(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """Places given anew after the award (issue 24, decision 0030), with a reason."""
        form = Form(
            values={
                k: one(data, k)
                for k in data
                if k.startswith("place_") or k in ("reason", "appeal_id")
            }
        )

        def reaward(actor: UUID) -> Any:
            places = []
            try:
                for key, value in form.values.items():
                    if value and key.startswith("place_"):
                        places.append((UUID(value), int(key.removeprefix("place_"))))
                appeal = form.values.get("appeal_id", "").strip()
                appeal_id = UUID(appeal) if appeal else None
            except ValueError:
                raise InvalidInput("Choose entries from the list.", field="awards") from None
            return pages.openinno.reaward(
                actor, challenge_id, places, form.values.get("reason", ""), appeal_id=appeal_id
            )

        return self._run(
            request, pages, viewer, challenge_id, "reaward", form, reaward, anchor="award"
        )

    @post("/challenges/{challenge_id:uuid}/review/close", sync_to_thread=True)
    def close_review(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """End review before its deadline, with an announcement everyone sees."""
        form = Form(values=values(data, "text"))
        return self._run(
            request,
            pages,
            viewer,
            challenge_id,
            "close_review",
            form,
            lambda actor: pages.openinno.close_review_early(
                actor, challenge_id, form.values["text"]
            ),
        )

    @post("/challenges/{challenge_id:uuid}/reveal", sync_to_thread=True)
    def reveal(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Any:
        return self._run(
            request,
            pages,
            viewer,
            challenge_id,
            "award",
            Form(),
            lambda actor: pages.openinno.reveal_identities(actor, challenge_id),
            anchor="ranking",
        )

    @post("/challenges/{challenge_id:uuid}/cancel", sync_to_thread=True)
    def cancel(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """Owners and managers cancel before submissions open (an admin at any time:
        the API), with a reason shown on the challenge's page (decision 0019)."""
        form = Form(values=values(data, "reason"))
        return self._run(
            request,
            pages,
            viewer,
            challenge_id,
            "cancel",
            form,
            lambda actor: pages.openinno.cancel_challenge(
                actor, challenge_id, form.values["reason"]
            ),
        )

    @post("/submissions/{submission_id:uuid}/disqualify", sync_to_thread=True)
    def disqualify(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """Owners and managers disqualify an entry before the award, with a reason its
        authors see in its history; back to the entries list."""
        actor = require_signed_in(viewer)
        submission = pages.openinno.get_submission(actor, submission_id)
        form = Form(values={**values(data, "reason"), "submission_id": str(submission_id)})
        try:
            recorded = pages.openinno.disqualify_submission(
                actor, submission_id, form.values["reason"]
            )
        except DomainError as e:
            form.fail(e)
            return self._entries_page(
                request, pages, viewer, submission.challenge_id, "", form, status_for(e)
            )
        pages.reads.wait(recorded.position)
        return Redirect(
            f"/challenges/{submission.challenge_id}/entries?disqualified=1", status_code=303
        )

    # --- questions: answers (owner, manager) and moderation (also admins) -------------------

    @post(
        "/challenges/{challenge_id:uuid}/questions/{question_id:uuid}/answer", sync_to_thread=True
    )
    def answer(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        question_id: FromPath[UUID],
        data: FORM,
    ) -> Redirect:
        actor = require_signed_in(viewer)
        recorded = pages.openinno.answer_question(
            actor, challenge_id, question_id, one(data, "answer")
        )
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/challenges/{challenge_id}#q-{question_id}", status_code=303)

    @post("/challenges/{challenge_id:uuid}/questions/{question_id:uuid}/hide", sync_to_thread=True)
    def hide(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        question_id: FromPath[UUID],
        data: FORM,
    ) -> Redirect:
        """Moderation is an event with a reason: the question stays listed as hidden."""
        actor = require_signed_in(viewer)
        recorded = pages.openinno.hide_question(
            actor, challenge_id, question_id, one(data, "reason")
        )
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/challenges/{challenge_id}#q-{question_id}", status_code=303)

    # --- organisation members ------------------------------------------------------------------

    @post("/organisations/{organisation_id:uuid}/members", sync_to_thread=True)
    def add_member(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        organisation = _member_organisation(pages, actor, organisation_id)
        form = Form(values=values(data, "email", "role"))
        try:
            member = _account_by_email(pages, form.values["email"], "email")
            recorded = pages.openinno.add_member(
                actor, organisation.id, member, form.values["role"]
            )
        except DomainError as e:
            form.fail(e, {"account_id": "email"})
            return render_organisation(
                request, pages, viewer, actor, organisation_id, form, status_for(e)
            )
        pages.reads.wait(recorded.position)
        return Redirect(f"/organisations/{organisation_id}?added=1", status_code=303)

    @post(
        "/organisations/{organisation_id:uuid}/members/{account_id:uuid}/remove",
        sync_to_thread=True,
    )
    def remove_member(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
        account_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        _member_organisation(pages, actor, organisation_id)
        try:
            recorded = pages.openinno.remove_member(
                actor, organisation_id, account_id, one(data, "reason")
            )
        except DomainError as e:
            form = Form()
            form.error = e.text
            return render_organisation(
                request, pages, viewer, actor, organisation_id, form, status_for(e)
            )
        pages.reads.wait(recorded.position)
        return Redirect(f"/organisations/{organisation_id}?removed=1", status_code=303)
