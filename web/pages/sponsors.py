"""Sponsor pages: create an organisation, see its challenges, draft a challenge
with a form that helps (prize places, criteria and weights, deadlines in the
sponsor's own zone, IP terms with the agreement text), preview and publish."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect
from msgspec.structs import replace

from openinno.commands.results import Recorded
from openinno.domain.challenge import Challenge
from openinno.domain.currencies import CURRENCIES
from openinno.domain.errors import NOT_FOUND, DomainError, InvalidInput, NotFound
from openinno.domain.ip_templates import current_template
from openinno.domain.organisation import LOGO_MAX_BYTES, LOGO_TYPES, Organisation
from openinno.domain.values import (
    AWARD_RULES,
    IP_TERMS,
    MAX_ROUNDS,
    ORG_ROLES,
    VOTING_MODES,
    AfterTheWin,
    ChallengeSpec,
    Criterion,
    Prize,
    ReviewRound,
    RoyaltyTerms,
    Voting,
    check_later_round,
    check_rate,
    parse_money,
)
from web.pages import i18n, labels, queries, validation
from web.pages.base import N_, Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import values

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)
PRIZE_ROWS = 3
CRITERION_ROWS = 5
# Review rounds after the first (issue 20): rounds 2 to MAX_ROUNDS, each a name and a
# rubric of up to CRITERION_ROWS criteria, like the first round's.
LATER_ROUNDS = range(2, MAX_ROUNDS + 1)


def _round_fields(r: int) -> tuple[str, ...]:
    """A later round's form fields: its name and its criteria rows."""
    return (
        f"round_name_{r}",
        *(
            f"round_criterion_{kind}_{r}_{i}"
            for i in range(1, CRITERION_ROWS + 1)
            for kind in ("name", "weight")
        ),
    )


TEXT_FIELDS = ("title", "brief", "rules", "eligibility", "category", "language")
CHOICE_FIELDS = (
    "visibility",
    "voting_mode",
    "voting_threshold",
    "ip_terms",
    "currency",
    "review_timing",
    "verified_to_enter",
    "verified_to_vote",
    "independent_reviewers",
    "award_rule",
    # After the win (issue 29): a royalty (blank rate: none).
    "royalty_rate",
    "royalty_period",
    "royalty_currency",
)
DATE_FIELDS = ("opens_at", "closes_at", "review_ends_at")
DRAFT_FIELDS = (
    *TEXT_FIELDS,
    *CHOICE_FIELDS,
    *DATE_FIELDS,
    "max_submissions_per_solver",
    *(f"prize_{i}" for i in range(1, PRIZE_ROWS + 1)),
    *(f"criterion_name_{i}" for i in range(1, CRITERION_ROWS + 1)),
    *(f"criterion_weight_{i}" for i in range(1, CRITERION_ROWS + 1)),
    "public_weight",
    *(name for r in LATER_ROUNDS for name in _round_fields(r)),
)
# Domain field names -> the form's (a later round's error stands at its name).
SPEC_FIELDS = {
    "prizes": "prize_1",
    "criteria": "criterion_name_1",
    "voting": "voting_mode",
    "later_rounds": "round_name_2",
    **{f"round_{r}": f"round_name_{r}" for r in LATER_ROUNDS},
    "royalty": "royalty_rate",
}
VOTING_LABELS = labels.VOTING
ROLE_LABELS = {"owner": N_("Owner"), "manager": N_("Manager"), "legal": N_("Legal")}
IP_LABELS = labels.IP_TERMS
AWARD_RULE_LABELS = labels.AWARD_RULE


def _member_organisation(pages: Pages, actor: UUID, organisation_id: UUID) -> Organisation:
    """The organisation, if the actor is a member; NotFound otherwise (no hint it exists)."""
    organisation = pages.openinno.get_organisation(organisation_id)
    if organisation.role_of(actor) is None:
        raise NotFound(NOT_FOUND["organisation"], id=str(organisation_id))
    return organisation


def _local_time(value: str, time_zone: str, name: str) -> datetime:
    try:
        if len(value.strip()) > 64:
            raise ValueError
        naive = datetime.fromisoformat(value.strip())
        if naive.tzinfo is not None:
            return naive.astimezone(UTC)
        return naive.replace(tzinfo=ZoneInfo(time_zone)).astimezone(UTC)
    except ValueError:
        raise InvalidInput("Enter a date and time.", field=name) from None
    except OverflowError:  # year 1 or 9999 moved into UTC; the domain bounds the rest
        raise InvalidInput("Enter a date between 2000 and 2999.", field=name) from None


def _number(value: str, name: str) -> int:
    try:
        if len(value.strip()) > 20:  # never a number any rule allows; int() is quadratic
            raise ValueError
        return int(value.strip())
    except ValueError:
        raise InvalidInput("Enter a whole number.", field=name) from None


def _after_the_win(form: dict[str, str]) -> AfterTheWin | None:
    """The royalty fields (issue 29): a blank rate promises no royalty."""
    rate = form.get("royalty_rate", "").strip()
    if not rate:
        return None
    try:
        value = Decimal(rate) if len(rate) <= 12 else Decimal("NaN")
    except InvalidOperation:
        value = Decimal("NaN")
    currency = form.get("royalty_currency", "").strip().upper() or None
    period = form.get("royalty_period") or "quarter"
    return AfterTheWin(
        royalty=RoyaltyTerms(check_rate(value, "royalty_rate"), period, currency)  # type: ignore[arg-type]
    )


def spec_from_form(form: dict[str, str], time_zone: str) -> ChallengeSpec:
    """The form's values as a ChallengeSpec: deadlines read in the sponsor's zone,
    empty prize and criterion rows skipped; the domain checks the rest."""
    prizes: list[Prize] = []
    for i in range(1, PRIZE_ROWS + 1):
        amount = form.get(f"prize_{i}", "").strip()
        if not amount:
            continue
        # The domain's reading of money: no exponent notation, bounded, ISO currency.
        currency = form.get("currency", "").strip()
        value = parse_money(amount, currency, field=f"prize_{i}")
        prizes.append(Prize(len(prizes) + 1, value, currency))
    criteria: list[Criterion] = []
    for i in range(1, CRITERION_ROWS + 1):
        name = form.get(f"criterion_name_{i}", "").strip()
        weight = form.get(f"criterion_weight_{i}", "").strip()
        if not name and not weight:
            continue
        criteria.append(Criterion(name, _number(weight or "0", f"criterion_weight_{i}")))
    threshold = form.get("voting_threshold", "").strip()
    public_weight = form.get("public_weight", "").strip()
    return ChallengeSpec(
        after_the_win=_after_the_win(form),
        title=form.get("title", ""),
        brief=form.get("brief", ""),
        rules=form.get("rules", ""),
        eligibility=form.get("eligibility", ""),
        category=form.get("category", "").strip() or "general",
        language=form.get("language", "en"),
        prizes=tuple(prizes),
        criteria=tuple(criteria),
        opens_at=_local_time(form.get("opens_at", ""), time_zone, "opens_at"),
        closes_at=_local_time(form.get("closes_at", ""), time_zone, "closes_at"),
        review_ends_at=_local_time(form.get("review_ends_at", ""), time_zone, "review_ends_at"),
        max_submissions_per_solver=_number(
            form.get("max_submissions_per_solver", "1"), "max_submissions_per_solver"
        ),
        visibility=form.get("visibility", "private"),  # type: ignore[arg-type]
        voting=Voting(
            form.get("voting_mode", "none"),  # type: ignore[arg-type]
            _number(threshold, "voting_threshold") if threshold else None,
        ),
        ip_terms=form.get("ip_terms", "assignment"),  # type: ignore[arg-type]
        review_timing=form.get("review_timing") or "after_close",  # type: ignore[arg-type]
        # Checkboxes: ticked or not (None, not False: what publishing writes anyway).
        verified_email_to_enter=True if form.get("verified_to_enter") == "yes" else None,
        verified_email_to_vote=True if form.get("verified_to_vote") == "yes" else None,
        independent_reviewers=True if form.get("independent_reviewers") == "yes" else None,
        later_rounds=_later_rounds(form) or None,
        award_rule=form.get("award_rule") or None,  # type: ignore[arg-type]
        public_weight=_number(public_weight, "public_weight") if public_weight else None,
    )


def _later_rounds(form: dict[str, str]) -> tuple[ReviewRound, ...]:
    """The later rounds the form fills in, in order (an empty round is skipped, as an
    empty prize row is).  Each is checked on its own by the domain's rule for a round,
    so that its error stands next to it (``round_{r}``), not next to the first."""
    rounds: list[ReviewRound] = []
    for r in LATER_ROUNDS:
        criteria: list[Criterion] = []
        for i in range(1, CRITERION_ROWS + 1):
            name = form.get(f"round_criterion_name_{r}_{i}", "").strip()
            weight = form.get(f"round_criterion_weight_{r}_{i}", "").strip()
            if not name and not weight:
                continue
            criteria.append(
                Criterion(name, _number(weight or "0", f"round_criterion_weight_{r}_{i}"))
            )
        name = form.get(f"round_name_{r}", "")
        if not name.strip() and not criteria:
            continue
        review_round = ReviewRound(name, tuple(criteria))
        check_later_round(review_round, f"round_{r}")
        rounds.append(review_round)
    return tuple(rounds)


# Domain field names -> every form field they cover (for inline validation).
DRAFT_GROUPS = {
    "prizes": tuple(f"prize_{i}" for i in range(1, PRIZE_ROWS + 1)),
    "criteria": tuple(
        f"criterion_{kind}_{i}" for i in range(1, CRITERION_ROWS + 1) for kind in ("name", "weight")
    ),
    "voting": ("voting_mode", "voting_threshold", "visibility"),
    "later_rounds": tuple(name for r in LATER_ROUNDS for name in _round_fields(r)),
    **{f"round_{r}": _round_fields(r) for r in LATER_ROUNDS},
}


def draft_baseline(now: datetime, time_zone: str) -> dict[str, str]:
    """A draft form that passes every check: what inline validation gives the fields
    a person has not filled in yet, so that only the changed field is judged."""

    def local(days: int) -> str:
        moment = (now + timedelta(days=days)).astimezone(ZoneInfo(time_zone))
        return moment.strftime("%Y-%m-%dT%H:%M")

    values = dict.fromkeys(DRAFT_FIELDS, "")
    values.update(
        title="A challenge",
        brief="A brief.",
        category="general",
        language="en",
        currency="EUR",
        prize_1="1",
        criterion_name_1="quality",
        criterion_weight_1="100",
        opens_at=local(1),
        closes_at=local(30),
        review_ends_at=local(45),
        max_submissions_per_solver="1",
        visibility="private",
        voting_mode="none",
        ip_terms="assignment",
        review_timing="after_close",
        award_rule="jury",
        royalty_period="quarter",
    )
    return values


def form_of_spec(spec: ChallengeSpec, time_zone: str) -> dict[str, str]:
    """A draft's spec as the form's values (deadlines in the sponsor's zone): the
    edit form starts from what is saved."""

    def local(moment: datetime) -> str:
        return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%dT%H:%M")

    form = dict.fromkeys(DRAFT_FIELDS, "")
    form.update(
        title=spec.title,
        brief=spec.brief,
        rules=spec.rules,
        eligibility=spec.eligibility,
        category=spec.category,
        language=spec.language,
        currency=spec.prizes[0].currency if spec.prizes else "EUR",
        opens_at=local(spec.opens_at),
        closes_at=local(spec.closes_at),
        review_ends_at=local(spec.review_ends_at),
        max_submissions_per_solver=str(spec.max_submissions_per_solver),
        visibility=spec.visibility,
        voting_mode=spec.voting.mode,
        voting_threshold=str(spec.voting.threshold or ""),
        ip_terms=spec.ip_terms,
        review_timing=spec.review_runs,
        independent_reviewers="yes" if spec.independent_reviewers else "",
        award_rule=spec.decided_by,
        public_weight=str(spec.public_weight or ""),
        royalty_period="quarter",
    )
    for r, review_round in enumerate(spec.later_rounds or (), start=2):
        form[f"round_name_{r}"] = review_round.name
        for i, criterion in enumerate(review_round.criteria[:CRITERION_ROWS], start=1):
            form[f"round_criterion_name_{r}_{i}"] = criterion.name
            form[f"round_criterion_weight_{r}_{i}"] = str(criterion.weight)
    royalty = spec.beyond_the_prizes.royalty
    if royalty is not None:
        form.update(
            royalty_rate=str(royalty.rate_percent),
            royalty_period=royalty.period,
            royalty_currency=royalty.currency or "",
        )
    for i, prize in enumerate(spec.prizes[:PRIZE_ROWS], start=1):
        form[f"prize_{i}"] = str(prize.amount)
    for i, criterion in enumerate(spec.criteria[:CRITERION_ROWS], start=1):
        form[f"criterion_name_{i}"] = criterion.name
        form[f"criterion_weight_{i}"] = str(criterion.weight)
    return form


def kept_scales(spec: ChallengeSpec, saved: ChallengeSpec) -> ChallengeSpec:
    """The form has no field for a criterion's score range (the API sets it): an edit
    keeps each criterion's saved range where the criterion keeps its name (in the
    first round's rubric, and in each later round's where the round keeps its place)."""

    def keep(
        criteria: tuple[Criterion, ...], before: tuple[Criterion, ...]
    ) -> tuple[Criterion, ...]:
        scales = {c.name: (c.min_score, c.max_score) for c in before}
        return tuple(
            replace(c, min_score=scales[c.name][0], max_score=scales[c.name][1])
            if c.name in scales
            else c
            for c in criteria
        )

    saved_rounds = saved.later_rounds or ()
    rounds = spec.later_rounds and tuple(
        replace(r, criteria=keep(r.criteria, saved_rounds[n].criteria))
        if n < len(saved_rounds)
        else r
        for n, r in enumerate(spec.later_rounds)
    )
    return replace(spec, criteria=keep(spec.criteria, saved.criteria), later_rounds=rounds)


def _own_draft(pages: Pages, actor: UUID, challenge_id: UUID) -> tuple[Challenge, Organisation]:
    """A draft of one of the actor's organisations; NotFound for anyone else (and for
    what is no longer a draft: published terms are frozen)."""
    challenge = pages.openinno.get_challenge(challenge_id, actor)
    organisation = _member_organisation(pages, actor, challenge.organisation_id)
    if challenge.status != "draft":
        raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id))
    return challenge, organisation


def check_draft(form: dict[str, str], time_zone: str) -> ChallengeSpec:
    """The draft form's checks: read as a spec, then the domain's own rules (the
    same Challenge.check_spec that draft_challenge runs)."""
    spec = spec_from_form(form, time_zone)
    Challenge.check_spec(spec)
    return spec


def render_organisation(
    request: Request[Any, Any, Any],
    pages: Pages,
    viewer: Viewer,
    actor: UUID,
    organisation_id: UUID,
    form: Form,
    status: int,
    *,
    logo_form: Form | None = None,
) -> Response[str]:
    """An organisation's page: its challenges, its members, its logo and (for the
    owner) the form that adds a member by email with a role."""
    organisation = _member_organisation(pages, actor, organisation_id)
    challenges = queries.organisation_challenges(pages.reads.db(), organisation_id)
    members = []
    for account_id, member_role in organisation.members.items():
        try:
            name = pages.openinno.get_account(account_id).display_name
        except DomainError:
            name = ""
        members.append({"id": account_id, "name": name, "role": member_role})
    return pages.render(
        request,
        "organisation.html",
        viewer,
        status_code=status,
        organisation=organisation,
        role=organisation.role_of(actor),
        challenges=challenges,
        members=sorted(members, key=lambda m: (m["role"], m["name"])),
        role_labels=ROLE_LABELS,
        role_choices=[(r, pages.gettext(viewer, ROLE_LABELS[r])) for r in ORG_ROLES],
        form=form,
        logo_form=logo_form or Form(),
        logo_types=", ".join(t.removeprefix("image/").upper() for t in LOGO_TYPES),
        logo_max_kib=LOGO_MAX_BYTES // 1024,
    )


class SponsorPages(Controller):
    cache_control = NO_STORE

    @get("/organisations", sync_to_thread=True)
    def organisations(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        return self._list(request, pages, viewer, actor, Form(), 200)

    def _list(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        actor: UUID,
        form: Form,
        status: int,
    ) -> Response[str]:
        mine = []
        for organisation_id in queries.organisations_of(pages.reads.db(), actor):
            try:
                organisation = pages.openinno.get_organisation(UUID(organisation_id))
            except DomainError:
                continue
            role = organisation.role_of(actor)
            if role is not None:
                mine.append({"id": organisation.id, "name": organisation.name, "role": role})
        return pages.render(
            request, "organisations.html", viewer, status_code=status, mine=mine, form=form
        )

    @post("/organisations", sync_to_thread=True)
    def create_organisation(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        form = Form(values=values(data, "name"))
        try:
            recorded = pages.openinno.create_organisation(actor, form.values["name"])
        except DomainError as e:
            form.fail(e)
            return self._list(request, pages, viewer, actor, form, status_for(e))
        pages.reads.wait(recorded.position)
        return Redirect(f"/organisations/{recorded.id}", status_code=303)

    @get("/organisations/{organisation_id:uuid}", sync_to_thread=True)
    def organisation(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        form = Form(values={"role": "manager"})
        return render_organisation(request, pages, viewer, actor, organisation_id, form, 200)

    def _draft_form(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        organisation: Organisation,
        form: Form,
        status: int,
        editing: Challenge | None = None,
    ) -> Response[str]:
        return pages.render(
            request,
            "draft.html",
            viewer,
            status_code=status,
            organisation=organisation,
            form=form,
            editing=editing,
            form_action=(
                f"/challenges/{editing.id}/draft/edit"
                if editing
                else f"/organisations/{organisation.id}/challenges"
            ),
            prize_rows=range(1, PRIZE_ROWS + 1),
            criterion_rows=range(1, CRITERION_ROWS + 1),
            currency_choices=[(c, i18n.currency_label(c, viewer.locale)) for c in CURRENCIES],
            voting_choices=[(m, pages.gettext(viewer, VOTING_LABELS[m])) for m in VOTING_MODES],
            ip_choices=[(k, pages.gettext(viewer, IP_LABELS[k])) for k in IP_TERMS],
            award_choices=[(k, pages.gettext(viewer, AWARD_RULE_LABELS[k])) for k in AWARD_RULES],
            later_rounds=LATER_ROUNDS,
            ip_templates=[current_template(kind) for kind in IP_TERMS],
            validate_url=f"/organisations/{organisation.id}/challenges/validate",
        )

    @get("/organisations/{organisation_id:uuid}/challenges/new", sync_to_thread=True)
    def draft_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        organisation = _member_organisation(pages, actor, organisation_id)
        form = Form(
            values={
                "language": viewer.locale,
                "currency": "EUR",
                "visibility": "private",
                "voting_mode": "none",
                "ip_terms": "assignment",
                "review_timing": "after_close",
                "award_rule": "jury",
                "max_submissions_per_solver": "1",
                "criterion_weight_1": "100",
            }
        )
        return self._draft_form(request, pages, viewer, organisation, form, 200)

    @post("/organisations/{organisation_id:uuid}/challenges", sync_to_thread=True)
    def draft(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        organisation = _member_organisation(pages, actor, organisation_id)
        return self._save_draft(
            request,
            pages,
            viewer,
            organisation,
            data,
            lambda spec: pages.openinno.draft_challenge(actor, organisation_id, spec),
        )

    def _save_draft(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        organisation: Organisation,
        data: dict[str, Any],
        save: Callable[[ChallengeSpec], Recorded],
        editing: Challenge | None = None,
    ) -> Any:
        """A new draft or an edit of one: every field's error at once, from the
        submit's own checks, else saved and on to its preview."""
        form = Form(values=values(data, *DRAFT_FIELDS))
        zone = viewer.time_zone
        errors = validation.every_error(
            lambda checked: check_draft(checked, zone),
            form.values,
            draft_baseline(pages.openinno.clock.now(), zone),
            DRAFT_GROUPS,
        )
        for error in errors:
            form.fail(error, SPEC_FIELDS)
        if errors:
            return self._draft_form(request, pages, viewer, organisation, form, 400, editing)
        try:
            spec = check_draft(form.values, viewer.time_zone)
            if editing is not None:
                spec = kept_scales(spec, editing.spec)
            recorded = save(spec)
        except DomainError as e:
            form.fail(e, SPEC_FIELDS)
            return self._draft_form(
                request, pages, viewer, organisation, form, status_for(e), editing
            )
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/challenges/{recorded.id}/draft", status_code=303)

    @get("/challenges/{challenge_id:uuid}/draft/edit", sync_to_thread=True)
    def edit_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        challenge, organisation = _own_draft(pages, actor, challenge_id)
        form = Form(values=form_of_spec(challenge.spec, viewer.time_zone))
        return self._draft_form(request, pages, viewer, organisation, form, 200, challenge)

    @post("/challenges/{challenge_id:uuid}/draft/edit", sync_to_thread=True)
    def edit(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        challenge, organisation = _own_draft(pages, actor, challenge_id)
        return self._save_draft(
            request,
            pages,
            viewer,
            organisation,
            data,
            lambda spec: pages.openinno.edit_challenge(actor, challenge_id, spec),
            challenge,
        )

    @post("/challenges/{challenge_id:uuid}/draft/delete", sync_to_thread=True)
    def delete(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Redirect:
        actor = require_signed_in(viewer)
        _, organisation = _own_draft(pages, actor, challenge_id)
        recorded = pages.openinno.discard_challenge_draft(actor, challenge_id)
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/organisations/{organisation.id}?deleted=1", status_code=303)

    @post("/organisations/{organisation_id:uuid}/challenges/validate", sync_to_thread=True)
    def draft_validate(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """htmx's inline validation of one draft field, with the submit's own checks."""
        actor = require_signed_in(viewer)
        _member_organisation(pages, actor, organisation_id)
        name = validation.target_field(request, DRAFT_FIELDS)
        zone = viewer.time_zone
        message = validation.error_for(
            lambda form: check_draft(form, zone),
            values(data, *DRAFT_FIELDS),
            name,
            draft_baseline(pages.openinno.clock.now(), zone),
            DRAFT_GROUPS,
        )
        return validation.field_response(request, pages, viewer, name, message)

    @get("/challenges/{challenge_id:uuid}/draft", sync_to_thread=True)
    def preview(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        challenge = pages.openinno.get_challenge(challenge_id, actor)
        organisation = _member_organisation(pages, actor, challenge.organisation_id)
        return pages.render(
            request,
            "draft_preview.html",
            viewer,
            challenge=challenge,
            spec=challenge.spec,
            organisation=organisation,
            ip_template=current_template(challenge.spec.ip_terms),
            voting_labels=VOTING_LABELS,
            ip_labels=IP_LABELS,
        )

    @post("/challenges/{challenge_id:uuid}/publish", sync_to_thread=True)
    def publish(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Redirect:
        actor = require_signed_in(viewer)
        published = pages.openinno.publish_challenge(actor, challenge_id)
        pages.reads.wait(published.position, ["participants"])
        return Redirect(f"/challenges/{challenge_id}", status_code=303)
