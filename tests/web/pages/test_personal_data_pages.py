"""Issue 26 on the pages: the profile offers the download and the erasure (with the
password); an admin erases someone's personal data from the accounts directory."""

from __future__ import annotations

import json

import pytest

from openinno.domain.personal import ERASED
from tests.support.story import PASSWORD

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def test_a_person_downloads_their_data_and_erases_their_account(web, cast):
    web.login("public")
    profile = web.get("/profile")
    assert 'href="/profile/export"' in profile.text
    download = web.get("/profile/export")
    assert download.status_code == 200
    assert json.loads(download.text)["account"]["email"] == "public@example.org"

    wrong = web.post("/profile/erasure", {"password": "not mine"})
    assert wrong.status_code == 400
    assert "Your current password is wrong." in wrong.text
    done = web.post("/profile/erasure", {"password": PASSWORD})
    assert done.status_code == 200, done.text
    assert "Your personal data is erased" in done.text
    assert web.app.repository.get(cast.public).display_name == ERASED
    assert web.get("/profile", follow_redirects=False).status_code in (302, 303, 401)


def test_an_admin_erases_someones_data_from_the_accounts_directory(web, cast):
    web.app.grant_admin_as_operator(cast.sponsor)
    web.login("sponsor")
    listed = web.get("/admin/accounts?q=public")
    assert f'action="/admin/accounts/{cast.public}/erasure"' in listed.text
    done = web.post(f"/admin/accounts/{cast.public}/erasure", {"reason": "Asked by letter."})
    assert done.status_code == 303, done.text
    assert web.app.repository.get(cast.public).email == ERASED
    after = web.get("/admin/accounts?erased=1&q=public")
    assert "personal data is erased" in after.text
    assert f'action="/admin/accounts/{cast.public}/erasure"' not in after.text


def test_an_erased_persons_comments_show_erased(web, cast):
    challenge, _terms = cast.open_challenge()
    web.app.comment_on_challenge(cast.public, challenge, "Pendulums all the way down")
    assert "Pendulums all the way down" in web.get(f"/challenges/{challenge}").text
    web.app.erase_my_personal_data(cast.public, PASSWORD)
    page = web.get(f"/challenges/{challenge}").text
    assert "Pendulums all the way down" not in page
    assert "Erased at its author&#39;s request" in page or "Erased at its author's request" in page
    assert "A person whose data was erased" in page
