"""A form reports every invalid field at once, each next to its field with
aria-invalid and aria-describedby naming its message (issue 25): never one per submit."""

from __future__ import annotations

import re

import pytest

from tests.web.pages.test_input_bounds import _draft_form

SQLITE = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
ERROR = re.compile(r'<p class="error" id="e-([\w]+)">')


def invalid_controls(page: str) -> list[str]:
    """The names of the controls marked invalid, each described by its message."""
    names = []
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", page):
        if 'aria-invalid="true"' in tag:
            name = re.search(r'name="(\w+)"', tag)
            described = re.search(r'aria-describedby="([^"]*)"', tag)
            assert name and described, tag
            assert f"v-{name.group(1)}" in described.group(1).split(), tag
            names.append(name.group(1))
    return names


@SQLITE
def test_a_draft_with_five_invalid_fields_shows_five_errors(web, cast):
    web.login("sponsor")
    before = web.app.recorder.max_notification_id()
    bad = _draft_form(
        web,
        title="ab",
        brief="",
        prize_1="lots",
        criterion_weight_1="heavy",
        closes_at="",
    )
    r = web.post(f"/organisations/{cast.organisation}/challenges", bad)
    assert r.status_code == 400
    shown = ERROR.findall(r.text)
    assert sorted(shown) == sorted(
        ["title", "brief", "prize_1", "criterion_weight_1", "closes_at"]
    ), shown
    assert sorted(invalid_controls(r.text)) == sorted(shown)
    assert web.app.recorder.max_notification_id() == before  # nothing recorded


@SQLITE
def test_an_entry_with_every_field_wrong_shows_each(web, cast):
    challenge_id, _terms = cast.open_challenge()
    web.login("solver")
    page = web.get(f"/challenges/{challenge_id}/submit")
    assert page.status_code == 200, page.text[:300]
    r = web.post(
        f"/challenges/{challenge_id}/submit",
        {"title": "x", "summary": "", "accepted_terms_sha256": "0" * 64},
    )
    assert r.status_code == 400
    assert sorted(ERROR.findall(r.text)) == ["accept", "summary", "title"]
    assert sorted(invalid_controls(r.text)) == ["accept", "summary", "title"]


def test_inline_validation_keeps_aria_invalid_in_step(web):
    """htmx swaps a field's message into v-<name>; fields.js marks the control."""
    page = web.get("/signup").text
    assert '<script src="/static/js/fields.js" defer></script>' in page
    script = web.get("/static/js/fields.js")
    assert script.status_code == 200 and "aria-invalid" in script.text
    assert 'aria-describedby="v-locale"' in page  # a select names its message too
