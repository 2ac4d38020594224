"""Reports and moderation on the pages (issue 24): a visitor signed in reports a
question from the challenge page; the sponsor's manager finds it in the queue and
hides it with a reason everyone then sees in its place."""

from __future__ import annotations


def test_a_question_is_reported_queued_and_hidden_with_its_reason(web, cast, app):
    manager = cast.account("manager")
    app.add_member(cast.sponsor, cast.organisation, manager, "manager")
    challenge_id, _terms = cast.open_challenge()
    question = app.ask_question(cast.other_solver, challenge_id, "Cheap watches here!").id

    web.login("public")
    page = web.get(f"/challenges/{challenge_id}").text
    assert f'name="target_id" value="{question}"' in page
    r = web.post(
        "/reports",
        {"target_id": str(question), "reason": "An advert.", "next": f"/challenges/{challenge_id}"},
    )
    assert r.status_code == 303
    assert "the moderators will look at it" in web.get(r.headers["location"]).text
    assert web.get("/moderation").status_code == 404  # not a moderator
    web.logout()

    web.login("manager")
    queue = web.get("/moderation").text
    assert "Cheap watches here!" in queue and "An advert." in queue
    assert "public@example.org" not in queue and "Public" not in queue  # reporters unnamed
    r = web.post(f"/moderation/{question}/hide", {"reason": "Advertising is not a question."})
    assert r.status_code == 303
    assert "Nothing reported." in web.get("/moderation").text
    page = web.get(f"/challenges/{challenge_id}").text
    assert "Cheap watches here!" not in page
    assert "Advertising is not a question." in page


def test_comments_on_the_challenge_page_thread_one_level_and_render_markdown_safely(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    web.login("solver")
    r = web.post(f"/challenges/{challenge_id}/comments", {"text": ""})
    assert r.status_code == 400 and 'id="e-text"' in r.text
    r = web.post(
        f"/challenges/{challenge_id}/comments",
        {"text": "Can it be **oak**? <script>alert(1)</script>"},
    )
    assert r.status_code == 303
    page = web.get(f"/challenges/{challenge_id}").text
    assert "<strong>oak</strong>" in page and "<script>alert(1)</script>" not in page
    top = r.headers["location"].split("#c-")[1]
    r = web.post(f"/challenges/{challenge_id}/comments", {"text": "Yes.", "parent_id": top})
    assert r.status_code == 303
    reply = r.headers["location"].split("#c-")[1]
    deeper = web.post(f"/challenges/{challenge_id}/comments", {"text": "No.", "parent_id": reply})
    assert deeper.status_code == 400


def test_comments_on_an_entry_page_use_the_same_thread_and_keep_its_authors_blind(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms, title="Pendulum park")
    web.login("solver")  # the entry's author
    r = web.post(f"/submissions/{entry}/comments", {"text": ""})
    assert r.status_code == 400 and 'id="e-text"' in r.text
    r = web.post(f"/submissions/{entry}/comments", {"text": "Ask me about the **swings**."})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/submissions/{entry}#c-")
    top = r.headers["location"].split("#c-")[1]
    web.logout()

    web.login("public")
    page = web.get(f"/submissions/{entry}").text
    assert "Pendulum park" in page and "<strong>swings</strong>" in page
    # Blind review: the author's comment does not name them.
    assert "An author of this entry" in page and "Solver" not in page
    r = web.post(f"/submissions/{entry}/comments", {"text": "How tall?", "parent_id": top})
    assert r.status_code == 303
    page = web.get(f"/submissions/{entry}").text
    assert 'class="comment reply"' in page and "How tall?" in page
    # The challenge's own thread is apart.
    assert "How tall?" not in web.get(f"/challenges/{challenge_id}").text
    assert f'href="/submissions/{entry}"' in web.get(f"/challenges/{challenge_id}/gallery").text


def test_who_asked_a_hidden_question_finds_the_appeal_on_the_page_and_files_it(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    question = app.ask_question(cast.public, challenge_id, "Cheap watches?").id
    app.hide_question(cast.sponsor, challenge_id, question, "An advert.")
    form = f"/challenges/{challenge_id}/questions/{question}/appeal"
    web.login("other")  # not the asker: no link, and the form is as if not there
    web.fed()
    assert form not in web.get(f"/challenges/{challenge_id}").text
    assert web.get(form).status_code == 404
    web.logout()

    web.login("public")
    assert form in web.get(f"/challenges/{challenge_id}").text
    page = web.get(form).text
    assert "Cheap watches?" in page and "An advert." in page
    r = web.client.post(
        form,
        data={"text": "It is a real question about the prize.", "_csrf_token": web.token()},
        files=[("files", ("prize.txt", b"the terms say 1000", "text/plain"))],
        follow_redirects=False,
    )
    web.fed()
    assert r.status_code == 303 and r.headers["location"].startswith("/appeals/")
    thread = web.get(r.headers["location"]).text
    assert "It is a real question about the prize." in thread


def test_its_author_edits_a_comment_on_the_page_and_every_version_is_kept(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    web.login("solver")
    r = web.post(f"/challenges/{challenge_id}/comments", {"text": "Can it be oak?"})
    comment = r.headers["location"].split("#c-")[1]
    page = web.get(f"/challenges/{challenge_id}").text
    assert f'action="/comments/{comment}"' in page
    r = web.post(
        f"/comments/{comment}", {"text": "Can it be *oak*?", "next": f"/challenges/{challenge_id}"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/challenges/{challenge_id}#c-{comment}"
    page = web.get(f"/challenges/{challenge_id}").text
    assert "<em>oak</em>" in page and "versions: 2" in page
    web.logout()
    web.login("other")  # not the author: no form, and the edit is as if it were not there
    assert f'action="/comments/{comment}"' not in web.get(f"/challenges/{challenge_id}").text
    r = web.post(f"/comments/{comment}", {"text": "Mine now.", "next": "/"})
    assert r.status_code == 404


def test_a_refused_edit_comes_back_open_with_its_error_at_the_field(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms, title="Pendulum park")
    web.login("solver")
    for thread in (f"/challenges/{challenge_id}", f"/submissions/{entry}"):
        r = web.post(f"{thread}/comments", {"text": "Can it be oak?"})
        comment = r.headers["location"].split("#c-")[1]
        r = web.post(f"/comments/{comment}", {"text": "   ", "next": thread})
        assert r.status_code == 400, thread  # the thread's page, not an error page
        page = r.text
        assert f'<textarea id="edit-{comment}" name="text" rows="3" required' in page
        field = page.split(f'id="edit-{comment}"', 1)[1].split("</textarea>", 1)[0]
        assert 'aria-invalid="true"' in field
        feedback = page.split(f'id="ve-{comment}"', 1)[1].split("</div>", 1)[0]
        assert "Write something first." in feedback
        assert "Can it be oak?" in page  # nothing lost: the comment stands as it was


def test_a_hidden_entrys_author_reads_why_and_appeals_the_hiding(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms, title="Pendulum park")
    app.hide(cast.sponsor, "entry", entry, challenge_id, "Shows a brand's logo.")
    web.login("solver")
    mine = web.get("/submissions/mine").text
    assert "Shows a brand&#39;s logo." in mine or "Shows a brand's logo." in mine
    assert f'href="/submissions/{entry}/appeal"' in mine
    form = web.get(f"/submissions/{entry}/appeal").text
    assert '<option value="moderation" selected' in form
