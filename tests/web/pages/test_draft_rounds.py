"""The sponsor's draft form sets what only the API could before (issue 20): review
rounds after the first with their own rubric, who decides the winners (jury, public,
weighted with the public's share) and independent review.  Each rule the domain
holds is reported next to its own field (a round's error at that round), with
aria-invalid and aria-describedby; the edit form starts from what is saved; the
preview and the published terms state the rounds and the rule."""

from __future__ import annotations

import pytest

from openinno.domain.values import Criterion, ReviewRound
from tests.web.pages.test_draft_editing import _form_values
from tests.web.pages.test_every_error import ERROR, invalid_controls
from tests.web.pages.test_input_bounds import _draft_form

SQLITE = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)

JURY_ROUND = {
    "round_name_2": "jury",
    "round_criterion_name_2_1": "impact",
    "round_criterion_weight_2_1": "70",
    "round_criterion_name_2_2": "craft",
    "round_criterion_weight_2_2": "30",
}
PUBLIC_VOTE = {"visibility": "public", "voting_mode": "shortlist_then_public"}


@SQLITE
def test_a_draft_with_a_jury_round_and_a_weighted_award_is_saved_and_stated(web, cast, app):
    web.login("sponsor")
    form = web.get(f"/organisations/{cast.organisation}/challenges/new").text
    for name in ("round_name_2", "round_criterion_weight_5_5", "award_rule", "public_weight"):
        assert f'name="{name}"' in form, name
    assert 'name="independent_reviewers"' in form
    r = web.post(
        f"/organisations/{cast.organisation}/challenges",
        _draft_form(
            web,
            **PUBLIC_VOTE,
            **JURY_ROUND,
            award_rule="weighted",
            public_weight="40",
            independent_reviewers="yes",
        ),
    )
    assert r.status_code == 303, r.text[:2000]
    draft = r.headers["location"].split("/")[2]
    spec = app.get_challenge(__import__("uuid").UUID(draft), cast.sponsor).spec
    assert spec.later_rounds == (
        ReviewRound("jury", (Criterion("impact", 70), Criterion("craft", 30))),
    )
    assert (spec.award_rule, spec.public_weight, spec.independent_reviewers) == (
        "weighted",
        40,
        True,
    )
    preview = web.get(r.headers["location"]).text
    assert "Round 2: jury" in preview and "public 40%, jury 60%" in preview
    assert "never assign" not in preview and "member of the sponsor" in preview

    # The edit form starts from what is saved, round and rule included.
    values = _form_values(web.get(f"/challenges/{draft}/draft/edit").text)
    assert {k: values[k] for k in JURY_ROUND} == JURY_ROUND
    assert values["award_rule"] == "weighted" and values["public_weight"] == "40"
    assert (
        'name="independent_reviewers" value="yes" checked'
        in web.get(f"/challenges/{draft}/draft/edit").text
    )
    # Dropping the round and the public's say (by the form) saves a one-round, jury draft.
    values.update(dict.fromkeys(JURY_ROUND, ""), award_rule="jury", public_weight="")
    values.pop("independent_reviewers", None)
    assert web.post(f"/challenges/{draft}/draft/edit", values).status_code == 303
    spec = app.get_challenge(__import__("uuid").UUID(draft), cast.sponsor).spec
    assert (spec.later_rounds, spec.award_rule, spec.public_weight) == (None, "jury", None)
    assert spec.independent_reviewers is None


@SQLITE
def test_an_edit_keeps_a_later_rounds_score_scale_set_through_the_api(web, cast, app):
    from msgspec.structs import replace

    draft = cast.draft()
    spec = app.get_challenge(draft, cast.sponsor).spec
    jury = ReviewRound("jury", (Criterion("impact", 100, min_score=1, max_score=5),))
    app.edit_challenge(cast.sponsor, draft, replace(spec, later_rounds=(jury,)))
    web.login("sponsor")
    values = _form_values(web.get(f"/challenges/{draft}/draft/edit").text)
    values["title"] = "Renamed"
    assert web.post(f"/challenges/{draft}/draft/edit", values).status_code == 303
    saved = app.get_challenge(draft, cast.sponsor).spec
    assert saved.title == "Renamed" and saved.later_rounds == (jury,)


@SQLITE
def test_each_rule_of_rounds_and_award_stands_next_to_its_own_field(web, cast):
    web.login("sponsor")
    before = web.app.recorder.max_notification_id()
    bad = _draft_form(
        web,
        **JURY_ROUND,
        # round 3: weights that do not add up to 100; round 4: a weight that is no number
        round_name_3="finalists",
        round_criterion_name_3_1="wow",
        round_criterion_weight_3_1="50",
        round_name_4="extra",
        round_criterion_name_4_1="x",
        round_criterion_weight_4_1="heavy",
        # a public say without a public vote, and a weight without the weighted rule
        award_rule="public",
        public_weight="30",
    )
    r = web.post(f"/organisations/{cast.organisation}/challenges", bad)
    assert r.status_code == 400
    shown = ERROR.findall(r.text)
    # Round 4's weight is no number, and so its weights do not add up either (both
    # said, each at its field).
    assert sorted(shown) == sorted(
        [
            "round_name_3",
            "round_name_4",
            "round_criterion_weight_4_1",
            "award_rule",
            "public_weight",
        ]
    ), shown
    assert sorted(invalid_controls(r.text)) == sorted(shown)
    assert "Criteria weights must be positive and sum to 100." in r.text
    assert "A public say in the award needs a public vote on the shortlist." in r.text
    # The rounds with errors are open; the form kept every value typed.
    assert 'id="round-3" open' in r.text and 'id="round-4" open' in r.text
    assert 'id="round-5" open' not in r.text
    assert 'value="finalists"' in r.text
    assert web.app.recorder.max_notification_id() == before  # nothing recorded


@SQLITE
def test_the_weighted_rule_needs_the_publics_weight(web, cast):
    web.login("sponsor")
    r = web.post(
        f"/organisations/{cast.organisation}/challenges",
        _draft_form(web, **PUBLIC_VOTE, award_rule="weighted", public_weight=""),
    )
    assert r.status_code == 400
    assert ERROR.findall(r.text) == ["public_weight"]
    assert "Give the public&#39;s weight in percent, 1 to 99." in r.text


@SQLITE
def test_inline_validation_judges_a_round_and_the_rule(web, cast):
    web.login("sponsor")
    url = f"/organisations/{cast.organisation}/challenges/validate"
    form = _draft_form(web, round_name_2="jury", round_criterion_name_2_1="impact")
    form["round_criterion_weight_2_1"] = "60"
    r = web.post(url, form, headers={"HX-Request": "true", "HX-Trigger-Name": "round_name_2"})
    assert r.status_code == 200 and "sum to 100" in r.text
    form["round_criterion_weight_2_1"] = "100"
    r = web.post(url, form, headers={"HX-Request": "true", "HX-Trigger-Name": "round_name_2"})
    assert r.status_code == 200 and 'class="error"' not in r.text
    form.update(award_rule="weighted", public_weight="120", **PUBLIC_VOTE)
    r = web.post(url, form, headers={"HX-Request": "true", "HX-Trigger-Name": "public_weight"})
    assert "1 to 99" in r.text


@SQLITE
def test_the_published_terms_state_the_rounds_and_who_decides(web, cast, app):
    web.login("sponsor")
    r = web.post(
        f"/organisations/{cast.organisation}/challenges",
        _draft_form(web, **PUBLIC_VOTE, **JURY_ROUND, award_rule="public"),
    )
    assert r.status_code == 303, r.text[:2000]
    draft = r.headers["location"].split("/")[2]
    assert web.post(f"/challenges/{draft}/publish").status_code == 303
    terms = web.get(f"/challenges/{draft}/terms").text
    assert "Round 2: jury" in terms and "impact · 70" in terms
    assert "The public decides: votes on the jury&#39;s shortlist" in terms
