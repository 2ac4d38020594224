"""Entry drafts on the pages (issue 21): "Save draft" beside "Submit", the draft in
"My submissions", continued, submitted later or discarded; nobody else's."""

from __future__ import annotations

from tests.web.pages.conftest import uuid_in

PDF = b"%PDF-1.4\n% a small but real-looking pdf\n"


def entry_form(web, path: str, action: str, **values: str):
    return web.client.post(
        path,
        data={"_csrf_token": web.token(), "action": action, **values},
        files=[("files", ("plan.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )


def test_save_a_draft_continue_it_and_submit_it_later(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    web.login("solver")
    form = web.get(f"/challenges/{challenge_id}/submit")
    assert "Save draft" in form.text and "Submit my entry" in form.text
    # Saved unfinished (no summary, no terms ticked): a draft, no entry.
    r = entry_form(web, f"/challenges/{challenge_id}/submit", "draft", title="Kites", summary="")
    assert r.status_code == 303 and r.headers["location"] == "/submissions/mine?drafted=1"
    mine = web.get(r.headers["location"])
    assert "Draft saved." in mine.text and "Drafts" in mine.text
    draft_id = uuid_in(mine.text, "/drafts/")
    assert app.get_draft(cast.solver, draft_id).content.files[0].name == "plan.pdf"
    # Continued: its text in the form, its files kept.
    page = web.get(f"/drafts/{draft_id}")
    assert page.status_code == 200 and 'value="Kites"' in page.text and "plan.pdf" in page.text
    saved = web.post(f"/drafts/{draft_id}", {"action": "draft", "title": "Kites", "summary": "Up."})
    assert saved.status_code == 303
    # Submitting without the terms box is refused, the draft kept.
    refused = web.post(
        f"/drafts/{draft_id}", {"action": "submit", "title": "Kites", "summary": "Up."}
    )
    assert refused.status_code == 400 and app.get_draft(cast.solver, draft_id).status == "draft"
    sent = web.post(
        f"/drafts/{draft_id}",
        {"action": "submit", "title": "Kites", "summary": "Up.", "accept": "yes",
         "accepted_terms_sha256": terms},
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    entry = uuid_in(sent.headers["location"], "/submissions/")
    assert app.get_submission(cast.solver, entry).content.files[0].name == "plan.pdf"
    assert f"/drafts/{draft_id}" not in web.get("/submissions/mine").text
    web.logout()


def test_a_draft_is_nobody_elses_and_can_be_discarded(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    draft_id = app.save_draft(cast.solver, challenge_id, "Kites", "").id
    web.login("other")
    assert web.get(f"/drafts/{draft_id}").status_code == 404
    assert web.post(f"/drafts/{draft_id}/discard").status_code == 404
    web.logout()
    web.login("solver")
    r = web.post(f"/drafts/{draft_id}/discard")
    assert r.status_code == 303
    assert "Draft discarded." in web.get(r.headers["location"]).text
    assert app.get_draft(cast.solver, draft_id).status == "discarded"
