"""Sponsors edit and delete their drafts (issue 25): the edit form starts from what
is saved and reports every invalid field at once; a deleted draft is gone from the
organisation's list and found by nobody; published terms stay frozen."""

from __future__ import annotations

import pytest

from openinno.domain.errors import AccessDenied, NotFound


def test_the_edit_form_starts_from_the_draft_and_saves_a_new_spec(web, cast, app):
    draft = cast.draft(title="Cleaner water", rules="* one entry")
    web.login("sponsor")
    preview = web.get(f"/challenges/{draft}/draft").text
    assert f'href="/challenges/{draft}/draft/edit"' in preview
    form = web.get(f"/challenges/{draft}/draft/edit")
    assert form.status_code == 200
    assert 'value="Cleaner water"' in form.text and "* one entry</textarea>" in form.text
    assert f'action="/challenges/{draft}/draft/edit"' in form.text
    values = _form_values(form.text)
    values["title"] = "Cleaner water, second draft"
    r = web.post(f"/challenges/{draft}/draft/edit", values)
    assert r.status_code == 303 and r.headers["location"] == f"/challenges/{draft}/draft"
    spec = app.get_challenge(draft, cast.sponsor).spec
    assert spec.title == "Cleaner water, second draft"
    # the rest is what was saved: deadlines, prizes, criteria and their scales
    before = cast.app.get_challenge(draft, cast.sponsor)
    assert spec.closes_at == before.spec.closes_at
    assert [c.name for c in spec.criteria] == [c.name for c in before.spec.criteria]


def test_every_invalid_field_is_reported_at_once_and_nothing_is_saved(web, cast, app):
    draft = cast.draft(title="Cleaner water")
    web.login("sponsor")
    values = _form_values(web.get(f"/challenges/{draft}/draft/edit").text)
    values.update(title="x", brief=" ", criterion_weight_1="7", visibility="private")
    r = web.post(f"/challenges/{draft}/draft/edit", values)
    assert r.status_code == 400
    for name in ("title", "brief", "criterion_name_1", "voting_mode"):
        assert f'id="e-{name}"' in r.text, name
    assert app.get_challenge(draft, cast.sponsor).spec.title == "Cleaner water"


def test_deleting_a_draft_removes_it_for_everyone(web, cast, app):
    draft = cast.draft(title="An idea we dropped")
    web.login("sponsor")
    organisation = f"/organisations/{cast.organisation}"
    assert "An idea we dropped" in web.get(organisation).text
    r = web.post(f"/challenges/{draft}/draft/delete")
    assert r.status_code == 303 and r.headers["location"] == f"{organisation}?deleted=1"
    assert "An idea we dropped" not in web.get(r.headers["location"]).text
    assert web.get(f"/challenges/{draft}/draft").status_code == 404
    assert web.get(f"/challenges/{draft}/draft/edit").status_code == 404
    with pytest.raises(NotFound):
        app.get_challenge(draft, cast.sponsor)


def test_legal_members_may_not_delete_and_published_terms_stay_frozen(web, cast, app):
    draft = cast.draft()
    app.add_member(cast.sponsor, cast.organisation, cast.reviewer, "legal")
    with pytest.raises(AccessDenied):
        app.discard_challenge_draft(cast.reviewer, draft)
    challenge_id, _ = cast.published()
    web.login("sponsor")
    assert web.get(f"/challenges/{challenge_id}/draft/edit").status_code == 404
    assert web.post(f"/challenges/{challenge_id}/draft/delete").status_code == 404
    assert app.get_challenge(challenge_id).status == "published"


def _form_values(html: str) -> dict[str, str]:
    """The form's inputs, selects and textareas with their current values."""
    import re
    from html import unescape

    values: dict[str, str] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        values[name] = unescape(value)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = unescape(body)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        if chosen:
            values[name] = chosen.group(1)
    values.pop("_csrf_token", None)
    return values
