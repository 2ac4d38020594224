"""A problem's ``detail`` is in the language of ``Accept-Language`` (English without
one); ``type``, ``code``, ``title`` and ``field`` never vary: clients branch on them."""

from __future__ import annotations

from tests.web.api.conftest import assert_problem

BODY = {"email": "ada@example.org", "password": "correct horse battery", "display_name": "A\x07"}


def test_detail_is_english_without_accept_language(client):
    body = assert_problem(client.post("/api/v1/accounts", json=BODY), 422, "invalid_input")
    assert body["detail"] == "Display names contains control characters."


def test_detail_follows_accept_language_and_the_rest_stays(client):
    english = client.post("/api/v1/accounts", json=BODY).json()
    russian = client.post(
        "/api/v1/accounts", json=BODY, headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
    ).json()
    assert russian["detail"] == "Поле «Отображаемое имя» содержит управляющие символы."
    assert {k: v for k, v in russian.items() if k != "detail"} == {
        k: v for k, v in english.items() if k != "detail"
    }
