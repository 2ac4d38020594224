"""htmx on the pages: inline validation of one field (the full submit's own checks),
paged lists (plain links, and the list's block alone for htmx), the review form that
saves without a reload, the stream history page and statuses in the viewer's language.
Every htmx path also works as a plain request."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

import pytest

from openinno.domain.values import Voting
from tests.web.pages.test_roles import _draft_form, _reviewing
from web.pages import i18n, paging


def _htmx(field: str = "") -> dict[str, str]:
    headers = {"HX-Request": "true"}
    if field:
        headers["HX-Trigger-Name"] = field
    return headers


def _next_link(text: str) -> str:
    found = re.search(r'<a rel="next" href="([^"]+)"', text)
    assert found, text[-800:]
    return found.group(1).replace("&amp;", "&")


def _message(response) -> str:
    """The text of an inline validation answer ("" when the field passes)."""
    assert response.status_code == 200, response.text
    assert "<html" not in response.text  # a fragment, not a page
    assert response.headers.get_list("cache-control") == ["no-store"]
    found = re.search(r'<p class="error" id="e-(\w+)">([^<]*)</p>', response.text)
    return found.group(2) if found else ""


# --- inline validation ----------------------------------------------------------------


def test_sign_up_validates_one_field_at_a_time_with_the_submits_rules(web):
    page = web.get("/signup")
    assert 'hx-post="/signup/validate"' in page.text and 'hx-target="#v-email"' in page.text
    ok = {
        "email": "new@example.org",
        "display_name": "New",
        "password": "long enough password",
        "password_again": "long enough password",
        "locale": "en",
        "time_zone": "UTC",
    }

    def check(field, **changes):
        return _message(web.post("/signup/validate", {**ok, **changes}, headers=_htmx(field)))

    assert check("email", email="not an email") == "Enter an email address like name@example.org."
    assert check("email") == ""
    assert check("password", password="short") == "Use a password of at least 10 characters."
    assert check("password_again", password_again="other words") == "The two passwords differ."
    assert "IANA" in check("time_zone", time_zone="Mars/Olympus")
    # Another field's error does not show on this one.
    assert check("display_name", email="nope", time_zone="Mars/Olympus") == ""
    assert check("display_name", display_name="") != ""
    # The full submit gives the same messages, all at once, next to their fields.
    r = web.post("/signup", {**ok, "email": "nope", "time_zone": "Mars/Olympus"})
    assert r.status_code == 400
    assert 'id="e-email"' in r.text and 'id="e-time_zone"' in r.text
    assert "Enter an email address like name@example.org." in r.text
    # Nothing was written.
    assert web.app.account_id_for_email("new@example.org") is None


def test_inline_validation_names_a_known_field_and_needs_a_csrf_token(web):
    r = web.post("/signup/validate", {"email": "x"}, headers=_htmx("password_hash"))
    assert r.status_code == 400
    r = web.post("/signup/validate", {"email": "x"}, headers=_htmx())
    assert r.status_code == 400
    r = web.post("/signup/validate", {"email": "x"}, headers=_htmx("email"), csrf=False)
    assert r.status_code == 403


def test_draft_form_validates_the_changed_field_even_when_others_are_empty(web, cast):
    web.login("sponsor")
    base = f"/organisations/{cast.organisation}/challenges"
    page = web.get(f"{base}/new")
    assert f'hx-post="{base}/validate"' in page.text

    def check(field, form):
        return _message(web.post(f"{base}/validate", form, headers=_htmx(field)))

    # Only the title is filled in: the empty deadlines (checked first by the
    # domain) do not hide the title's own error, nor make one for it.
    assert check("title", {"title": "ab"}) == "The title needs 3 to 200 characters."
    assert check("title", {"title": "A good title"}) == ""
    assert "is not an amount; write it like 5000 or 5000.00." in check(
        "prize_1", {"prize_1": "lots"}
    )
    weights = {"criterion_name_1": "a", "criterion_weight_1": "60"}
    assert "sum to 100" in check("criterion_weight_1", weights)
    assert check("criterion_weight_1", {**weights, "criterion_weight_1": "100"}) == ""
    # Relations between fields: closing before opening is the closing date's error.
    dates = {"opens_at": "2027-05-10T09:00", "closes_at": "2027-05-01T09:00"}
    assert check("closes_at", dates) == "The challenge must open before it closes."
    assert check("closes_at", _draft_form(web)) == ""
    # Voting rules name the voting fields.
    voting = _draft_form(web, voting_mode="public", voting_threshold="5")
    assert check("voting_mode", voting) == "Public voting needs a public gallery."
    # The same message the full submit gives for the same input.
    r = web.post(base, _draft_form(web, title="ab"))
    assert r.status_code == 400 and "The title needs 3 to 200 characters." in r.text


def test_draft_validation_is_for_members_only(web, cast):
    web.login("solver")
    r = web.post(
        f"/organisations/{cast.organisation}/challenges/validate",
        {"title": "ab"},
        headers=_htmx("title"),
    )
    assert r.status_code == 404


def test_entry_form_validates_title_summary_and_the_terms_box(web, cast):
    challenge_id, _terms = cast.open_challenge()
    web.login("solver")
    path = f"/challenges/{challenge_id}/submit/validate"
    assert f'hx-post="{path}"' in web.get(f"/challenges/{challenge_id}/submit").text

    def check(field, form):
        return _message(web.post(path, form, headers=_htmx(field)))

    assert check("title", {"title": "x"}) == "Titles need 3 to 200 characters."
    assert check("summary", {"title": "", "summary": " "}) == "Write a summary of your solution."
    assert check("accept", {"title": "Good title"}) == (
        "Read the terms and tick the box to accept them."
    )
    assert check("accept", {"accept": "yes"}) == ""
    assert check("title", {"title": "Pendulum park", "summary": "Swings."}) == ""
    web.logout()
    r = web.post(path, {"title": "x"}, headers=_htmx("title"))
    assert r.status_code == 401


# --- paged lists ------------------------------------------------------------------------


def test_paging_keeps_order_and_refuses_bad_cursors():
    rows = [{"n": i} for i in range(7)]
    first = paging.page(rows, lambda r: (r["n"],), limit=3)
    assert [r["n"] for r in first.items] == [0, 1, 2] and first.next_cursor
    assert first.next_cursor is not None
    second = paging.page(rows, lambda r: (r["n"],), first.next_cursor, limit=3)
    assert [r["n"] for r in second.items] == [3, 4, 5]
    # A row removed before the cursor does not shift the next page.
    fewer = [r for r in rows if r["n"] != 1]
    again = paging.page(fewer, lambda r: (r["n"],), first.next_cursor, limit=3)
    assert [r["n"] for r in again.items] == [3, 4, 5]
    last = paging.page(rows, lambda r: (r["n"],), second.next_cursor or "", limit=3)
    assert [r["n"] for r in last.items] == [6] and last.next_cursor is None
    for bad in ("%%%", paging.encode(("text",)), "bnVsbA=="):
        with pytest.raises(Exception, match="bad cursor"):
            paging.page(rows, lambda r: (r["n"],), bad, limit=3)


def _pages_of(web, path, target, *, htmx):
    """Follows the "Next page" links from ``path``; each page's entry titles."""
    seen, url = [], path
    while url:
        r = web.get(url, headers=_htmx() if htmx else {})
        assert r.status_code == 200, r.text
        assert r.headers["vary"] == "HX-Request"
        if htmx:
            assert "<html" not in r.text and "<h1>" not in r.text
        else:
            assert f'<div id="{target}"' in r.text
        seen.append(re.findall(r"<h2>(?:<a [^>]*>)?([^<]+)<", r.text))
        found = re.search(r'<a rel="next" href="([^"]+)" hx-get="([^"]+)"', r.text)
        if found:
            assert found.group(1) == found.group(2)
            assert f'hx-target="#{target}"' in r.text
        url = found.group(1).replace("&amp;", "&") if found else None
    return seen


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_gallery_pages_with_and_without_htmx(web, cast, monkeypatch, htmx):
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=10)
    for i in range(5):
        cast.submit(challenge_id, terms, title=f"Entry number {i}")
    seen = _pages_of(web, f"/challenges/{challenge_id}/gallery", "entries", htmx=htmx)
    assert [len(p) for p in seen] == [2, 2, 1]
    titles = [t for p in seen for t in p]
    assert sorted(titles) == [f"Entry number {i}" for i in range(5)]
    assert web.get(f"/challenges/{challenge_id}/gallery?cursor=nonsense").status_code == 400
    # htmx restoring a pushed address without a snapshot wants the whole page.
    restore = {**_htmx(), "HX-History-Restore-Request": "true"}
    assert "<html" in web.get(f"/challenges/{challenge_id}/gallery", headers=restore).text


def test_the_home_catalogue_pages_in_place_with_htmx(web, cast, monkeypatch):
    for i in range(12):
        cast.published(title=f"Challenge number {i:02}")
    cast.clock.advance(timedelta(days=2))
    plain = _pages_of(web, "/", "catalogue", htmx=False)
    swapped = _pages_of(web, "/", "catalogue", htmx=True)
    assert [len(p) for p in plain] == [10, 2] and plain == swapped


def test_the_review_queue_pages(web, cast, app, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    challenge_id, terms = cast.open_challenge(
        visibility="private", voting=Voting("none"), max_submissions_per_solver=5
    )
    for i in range(3):
        cast.submit(challenge_id, terms, title=f"Entry {i}")
    app.invite_reviewer(cast.sponsor, challenge_id, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge_id)
    web.login("reviewer")
    first = web.get("/reviews")
    assert first.text.count('href="/reviews/') == 2
    second = web.get(_next_link(first.text), headers=_htmx())
    assert second.text.count('href="/reviews/') == 1 and "<html" not in second.text
    assert "First page" in second.text and "Next page" not in second.text


def _awarded(cast, app, entries=1):
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=10)
    winners = [cast.submit(challenge_id, terms, title=f"Entry {i}") for i in range(entries)]
    cast.clock.advance(timedelta(days=30))
    cast.award_unreviewed(challenge_id, [(s, place) for place, s in enumerate(winners, 1)])
    return challenge_id, winners


def test_the_sponsors_entries_page_by_rank(web, cast, app, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=10)
    for i in range(3):
        cast.submit(challenge_id, terms, title=f"Entry {i}")
    web.login("sponsor")
    path = f"/challenges/{challenge_id}/entries"
    assert f'href="{path}"' in web.get(f"/challenges/{challenge_id}/manage").text
    first = web.get(path)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    ranks = re.findall(r"<td>(\d+)</td>\s*<td>Entrant", first.text)
    assert ranks == ["1", "2"] and first.text.count("<td>Submitted") == 2
    rest = web.get(_next_link(first.text), headers=_htmx())
    assert "<html" not in rest.text
    assert re.findall(r"<td>(\d+)</td>\s*<td>Entrant", rest.text) == ["3"]
    web.logout()
    web.login("other")
    assert web.get(path).status_code == 404


def test_agreements_page_by_state_in_the_viewers_language(web, cast, app, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 1)
    challenge_id, _winners = _awarded(cast, app, entries=2)
    # The first place's agreement signed: it waits for the countersignature.
    signed = app.get_challenge(challenge_id).awards[0].agreement_id
    text_sha256 = app.get_agreement(cast.solver, signed).text_sha256
    app.sign_agreement(cast.solver, signed, "Solver", "I sign.", text_sha256)
    web.login("sponsor")
    path = f"/organisations/{cast.organisation}/agreements"
    page = web.get(path)
    # In the order a deal moves: awaiting the signature before the countersignature.
    assert "Awaiting the solver&#39;s signature" in page.text
    assert page.text.count('href="/agreements/') == 1
    rest = web.get(_next_link(page.text), headers=_htmx())
    assert rest.text.count('href="/agreements/') == 1 and "<html" not in rest.text
    assert "Awaiting the sponsor&#39;s countersignature" in rest.text
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    both = web.get(path).text
    assert both.index("Awaiting the solver") < both.index("Awaiting the sponsor")
    web.post("/language", {"locale": "pl", "next": "/"})
    page = web.get(f"/organisations/{cast.organisation}/agreements")
    assert "awaiting_signature" not in page.text
    assert "Awaiting the solver" not in page.text


# --- the review form saves without a reload ---------------------------------------------


def test_review_form_saves_with_htmx_and_says_when(web, cast, app):
    challenge_id, submission_id = _reviewing(cast, app)
    app.accept_reviewer_invitation(cast.reviewer, challenge_id)
    web.clock.advance(timedelta(days=30))
    web.login("reviewer")
    form = web.get(f"/reviews/{submission_id}")
    assert f'hx-post="/reviews/{submission_id}"' in form.text
    scores = {"score_0": "8", "score_1": "7", "score_2": "9", "comment": "ok"}
    r = web.post(f"/reviews/{submission_id}", scores, headers=_htmx())
    assert r.status_code == 200, r.text
    assert "<html" not in r.text and r.text.lstrip().startswith("<form")
    saved_at = i18n.format_clock(web.clock.now(), "en", "UTC")  # 9:00 AM in English
    assert f"Saved at {saved_at}" in r.text and 'value="8"' in r.text
    assert r.headers["cache-control"] == "no-store"
    review = [e for e in _queue(web) if e == "Scored"]
    assert review
    # Errors come back in the form, as 422 (the status htmx is told to swap).
    r = web.post(f"/reviews/{submission_id}", {**scores, "score_0": "80"}, headers=_htmx())
    assert r.status_code == 422 and 'value="80"' in r.text and "Saved at" not in r.text
    # Without JavaScript: POST, then redirect to the queue.
    r = web.post(f"/reviews/{submission_id}", scores)
    assert r.status_code == 303 and r.headers["location"] == "/reviews?saved=1"


def _queue(web):
    return re.findall(r"<td>(Scored|To do|Conflict declared)</td>", web.get("/reviews").text)


# --- stream history -----------------------------------------------------------------------


def test_stream_history_for_the_sponsors_legal_side_and_admins(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    position = app.recorder.max_notification_id()
    app.revise_submission(cast.solver, submission_id, "Pendulum park", "Now with a seesaw.")
    legal = cast.account("lawyer")
    app.add_member(cast.sponsor, cast.organisation, legal, "legal")
    path = f"/legal/streams/{submission_id}"
    # Blind review (domain/blind.py): before the award, the history of an entry names
    # its solver, so the sponsor's side does not read it; its author does.
    for who in ("sponsor", "lawyer"):
        web.login(who)
        assert web.get(path).status_code == 404
        web.logout()
    for who in ("solver",):
        web.login(who)
        page = web.get(path)
        assert page.status_code == 200, page.text
        assert page.headers["cache-control"] == "no-store"
        assert "Submission.Submitted" in page.text and "Submission.Revised" in page.text
        assert "Now with a seesaw." in page.text and "Solver" in page.text
        then = web.get(f"{path}?as_of={position}")
        assert "Submission.Submitted" in then.text and "Submission.Revised" not in then.text
        assert web.get(f"{path}?as_of=yesterday").status_code == 400
        chain = web.get(f"/legal/submissions/{submission_id}?as_of={position}")
        assert f'href="{path}?as_of={position}"' in chain.text
        web.logout()
    # The organisation's own stream and the challenge's too.
    web.login("lawyer")
    assert web.get(f"/legal/streams/{challenge_id}").status_code == 200
    assert web.get(f"/legal/streams/{cast.organisation}").status_code == 200
    # Not another account's stream, not a stream that does not exist.
    assert web.get(f"/legal/streams/{cast.solver}").status_code == 404
    assert web.get(f"/legal/streams/{uuid4()}").status_code == 404
    web.logout()
    # The author sees their own entry's history, not their account's (admins only);
    # a manager, a reviewer and another solver see neither (OpenInno.may_view_history).
    web.login("solver")
    assert web.get(f"/legal/streams/{cast.solver}").status_code == 404
    web.logout()
    manager = cast.account("boss")
    app.add_member(cast.sponsor, cast.organisation, manager, "manager")
    for who in ("other", "reviewer", "boss"):
        web.login(who)
        assert web.get(path).status_code == 404
        web.logout()
    assert web.get(path, follow_redirects=False).status_code == 303
    admin = cast.account("root")
    app.grant_admin_as_operator(admin)
    web.login("root")
    assert web.get(path).status_code == 200
    account = web.get(f"/legal/streams/{cast.solver}")
    assert account.status_code == 200 and "Account.Registered" in account.text
    assert "password_hash" not in account.text and "argon2" not in account.text


def test_the_chain_of_title_links_the_histories_of_the_entry_and_its_agreement(web, cast, app):
    challenge_id, (winner,) = _awarded(cast, app)
    agreement_id = app.get_challenge(challenge_id).awards[0].agreement_id
    web.login("sponsor")
    chain = web.get(f"/legal/submissions/{winner}").text
    assert f'href="/legal/streams/{winner}"' in chain
    assert f'href="/legal/streams/{agreement_id}"' in chain
    history = web.get(f"/legal/streams/{agreement_id}")
    assert history.status_code == 200 and "IpAgreement" in history.text
    web.logout()
    # The author reads both histories too: their entry and the agreement they are party to.
    web.login("solver")
    chain = web.get(f"/legal/submissions/{winner}").text
    assert f'href="/legal/streams/{winner}"' in chain
    assert f'href="/legal/streams/{agreement_id}"' in chain
    assert web.get(f"/legal/streams/{agreement_id}").status_code == 200
    web.logout()
    # A manager does not see the chain of title (the API's rule too: issue 19, finding 9).
    manager = cast.account("boss")
    app.add_member(cast.sponsor, cast.organisation, manager, "manager")
    web.login("boss")
    assert web.get(f"/legal/submissions/{winner}").status_code == 404


def test_chain_of_title_steps_in_the_viewers_language(web, cast):
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    web.login("solver")  # the author (the sponsor's side once the entry is awarded)
    page = web.get(f"/legal/submissions/{submission_id}")
    assert "<h2>Submitted <code" in page.text
    web.post("/language", {"locale": "fr", "next": "/"})
    page = web.get(f"/legal/submissions/{submission_id}")
    assert "<h2>Submitted <code" not in page.text and '<code class="step">submitted' in page.text


def test_statuses_in_the_viewers_language(web, cast):
    draft = cast.draft()
    web.login("sponsor")
    assert "<td>Draft</td>" in web.get(f"/organisations/{cast.organisation}").text
    web.post("/language", {"locale": "ru", "next": "/"})
    page = web.get(f"/organisations/{cast.organisation}").text
    assert "<td>Draft</td>" not in page and "<td>draft</td>" not in page
    assert str(draft) in page
