"""Issue 19: the page forms fuzzed (the API has schemathesis): any values posted
to any form, with a valid CSRF token, get a page or a form error, never a 5xx.
Bounded: a fixed number of examples, no per-example deadline, SQLite only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openinno.domain.values import Voting
from tests.web.pages.conftest import TOKEN

# Values that broke something once, and any text at all.
NASTY = st.sampled_from(
    [
        "",
        "1E+999999999",
        "1e3",
        "NaN",
        "sNaN",
        "-Infinity",
        "9" * 5000,
        "x\x00y",
        "\u202eevil",
        "9999-12-31T23:59",
        "0001-01-01T00:00",
        "2999-12-31T23:59",
        "c" * 70_000,
        "XYZ",
        "DKK",
        "-1",
        "100",
    ]
)
VALUES = st.one_of(NASTY, NASTY, st.text(max_size=40), st.integers().map(str))

DRAFT = [
    "title",
    "brief",
    "rules",
    "eligibility",
    "category",
    "language",
    "currency",
    "prize_1",
    "prize_2",
    "prize_3",
    "criterion_name_1",
    "criterion_weight_1",
    "criterion_name_2",
    "criterion_weight_2",
    "opens_at",
    "closes_at",
    "review_ends_at",
    "max_submissions_per_solver",
    "visibility",
    "voting_mode",
    "voting_threshold",
    "ip_terms",
    # rounds and the award (issue 20)
    "round_name_2",
    "round_criterion_name_2_1",
    "round_criterion_weight_2_1",
    "award_rule",
    "public_weight",
    "independent_reviewers",
]
# path (formatted with the scene's ids) -> the form's fields
FORMS: dict[str, list[str]] = {
    "/organisations/{org}/challenges": DRAFT,
    "/organisations/{org}/challenges/validate": DRAFT,
    "/organisations": ["name"],
    "/organisations/{org}/members": ["email", "role"],
    "/challenges/{open}/questions": ["question", "text"],
    "/challenges/{open}/announcements": ["text"],
    "/challenges/{open}/deadline": ["closes_at", "review_ends_at", "text"],
    "/challenges/{open}/reviewers": ["email"],
    "/challenges/{open}/questions/{question}/answer": ["answer", "text"],
    "/challenges/{open}/questions/{question}/hide": ["reason"],
    "/challenges/{review}/submit/validate": ["title", "summary", "accept"],
    "/reviews/{entry}": ["score_0", "score_1", "score_2", "comment"],
    "/reviews/{entry}/conflict": ["reason"],
    "/reviews/conflicts": ["submission_id", "reason"],
    "/profile": ["display_name", "locale", "time_zone"],
    "/language": ["locale", "next"],
}


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path_template", sorted(FORMS))
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_page_form_answers_5xx(web, cast, app, path_template, data):
    if not hasattr(web, "fuzz_ids"):
        # The scene once per test (hypothesis reuses the function's fixtures): the
        # sponsor's own challenge, open, with a question and an entry the sponsor
        # (also its accepted reviewer, to reach the score form) can score.
        ids = {"org": cast.organisation}
        ids["open"], _terms = cast.published(max_submissions_per_solver=50)
        ids["review"], terms = cast.published(visibility="private", voting=Voting("none"))
        app.invite_reviewer(cast.sponsor, ids["review"], cast.reviewer)
        app.accept_reviewer_invitation(cast.reviewer, ids["review"])
        web.clock.advance(timedelta(days=2))
        ids["entry"] = cast.submit(ids["review"], terms)
        ids["question"] = app.ask_question(cast.solver, ids["open"], "Lego?").id
        web.clock.advance(timedelta(days=29))
        web.fed()
        web.fuzz_ids = ids  # type: ignore[attr-defined]
    ids = web.fuzz_ids  # type: ignore[attr-defined]
    who = "reviewer" if path_template.startswith("/reviews") else "sponsor"
    fields = FORMS[path_template]
    form = {name: data.draw(VALUES, label=name) for name in fields}
    web.client.cookies.clear()
    web.login(who)
    found = TOKEN.search(web.client.get("/").text)
    assert found
    form["_csrf_token"] = found.group(1)
    path = path_template.format(**{k: str(v) for k, v in ids.items()})
    headers = {"HX-Request": "true", "HX-Trigger-Name": fields[0]} if "validate" in path else {}
    r = web.client.post(path, data=form, headers=headers, follow_redirects=False)
    web.fed()
    assert r.status_code < 500, f"POST {path} as {who}: {r.status_code}\n{r.text[:500]}"
