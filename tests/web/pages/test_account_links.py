"""E-mail verification and password reset by mailed link (issue 23): the mails go
through the notifications' outbox (a real SMTP server in the test process for the
first), in the recipient's language; a link verifies before it expires and not
after, a tampered link is refused, challenges can keep entries and votes to
verified accounts; a reset link works once, ends every session and API token, and
asking for one says nothing about who has an account."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from uuid import UUID

import msgspec
import pytest

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain import Account
from openinno.domain.account import RESET_LINK_TTL, VERIFY_LINK_TTL
from openinno.domain.errors import AccessDenied, InvalidCredentials
from openinno.domain.values import ChallengeTerms, sha256_hex, terms_document
from projections.db import open_db
from tests.support.story import PASSWORD, Scene
from tests.web.pages.conftest import Web
from tests.web.test_mail import smtp  # noqa: F401  (the fixture)
from web.account_links import make_verify_token, read_reset_token, read_verify_token
from web.mail.sender import MailSender
from web.mail.transport import SmtpTransport, Transport
from web.pages import PagesConfig
from web.pages.base import build_environment
from web.readside import read_store_for

LINK = re.compile(r"https://inno\.example(/[\w/.-]+)")


class Outbox:
    """A fake transport: what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def close(self) -> None:
        pass


def secret(app: OpenInno) -> str:
    return PagesConfig().resolve_secret(app.settings)


def deliver(web: Web, transport: Transport) -> int:
    """Feed the read side, then send what the outbox holds (clock: the app's)."""
    from dataclasses import replace

    web.fed()
    app = web.app
    settings = replace(app.settings, base_url="https://inno.example", mail_max_age_hours=10**6)
    db = open_db(read_store_for(settings))
    try:
        sender = MailSender(
            settings, db, transport, build_environment(), secret(app), now=web.clock.now
        )
        return sender.catch_up()
    finally:
        db.close()


def mails_to(outbox: Outbox, address: str) -> list[EmailMessage]:
    return [m for m in outbox.sent if m["To"] == address]


def link_in(mail: EmailMessage) -> str:
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = LINK.search(plain)
    assert found, plain
    return found.group(1)


def sign_up(web: Web, email: str, locale: str = "en") -> None:
    response = web.post(
        "/signup",
        {
            "email": email,
            "display_name": "New Person",
            "locale": locale,
            "time_zone": "Europe/Paris",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 303, response.text[:500]


def test_sign_up_mails_a_link_in_the_recipients_language_that_verifies(
    web: Web,
    smtp,  # noqa: F811
):
    inbox, url = smtp
    sign_up(web, "neuf@example.org", locale="fr")
    assert "pas encore vérifiée" in web.get("/profile").text
    transport = SmtpTransport(url)
    try:
        assert deliver(web, transport) >= 1
        assert deliver(web, transport) == 0  # once
    finally:
        transport.close()
    (mail,) = [m for m in inbox.messages if m["To"] == "neuf@example.org"]
    assert mail["Subject"] == "openinno : confirmez votre adresse e-mail"
    assert mail["Content-Language"] == "fr"
    assert mail["List-Unsubscribe"] is None  # asked for, not a subscription
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "neuf@example.org" in plain and "(Europe/Paris)" in plain  # expiry, their zone
    path = link_in(mail)
    assert path.startswith("/verify-email/") and path in html
    # A GET only asks to confirm (mail scanners follow links).
    page = web.get(path)
    assert page.status_code == 200 and "Confirmer mon adresse e-mail" in page.text
    account_id = web.app.account_id_for_email("neuf@example.org")
    assert account_id is not None
    assert not web.app.get_account(account_id).email_is_verified
    done = web.post(path)
    assert done.status_code == 200, done.text[:500]
    assert web.app.get_account(account_id).email_is_verified
    assert "Votre adresse e-mail est vérifiée." in web.get("/profile").text
    # Followed again: still fine, nothing more recorded.
    assert web.post(path).status_code == 200


def test_an_expired_link_verifies_nothing_and_a_new_one_is_sent_on_request(web: Web):
    outbox = Outbox()
    sign_up(web, "late@example.org")
    deliver(web, outbox)
    (first,) = mails_to(outbox, "late@example.org")
    web.clock.advance(VERIFY_LINK_TTL + timedelta(minutes=1))
    refused = web.post(link_in(first))
    assert refused.status_code == 409 and "This link has expired" in refused.text
    account_id = web.app.account_id_for_email("late@example.org")
    assert account_id is not None and not web.app.get_account(account_id).email_is_verified
    # The resend page (signed in since sign-up): a new link, which works.
    assert "is not verified yet" in web.get("/verify-email").text
    assert web.post("/verify-email/resend").status_code == 303
    deliver(web, outbox)
    _, second = mails_to(outbox, "late@example.org")
    assert link_in(second) != link_in(first)
    assert web.post(link_in(second)).status_code == 200
    assert web.app.get_account(account_id).email_is_verified
    assert "late@example.org is verified." in web.get("/verify-email").text


def test_a_tampered_link_is_refused(web: Web, cast: Scene):
    app = web.app
    key = secret(app)
    expires = web.clock.now() + VERIFY_LINK_TTL
    genuine = make_verify_token(key, cast.solver, "solver@example.org", expires)
    assert read_verify_token(key, genuine) is not None
    body, mac = genuine.split(".")
    # Another account's address in the body, the signature kept: refused.
    forged_body = make_verify_token(key, cast.other_solver, "solver@example.org", expires)
    tampered = [
        f"{forged_body.split('.')[0]}.{mac}",
        f"{body}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}",
        make_verify_token("another secret", cast.solver, "solver@example.org", expires),
        genuine[:-3],
    ]
    for token in tampered:
        assert read_verify_token(key, token) is None
        assert web.get(f"/verify-email/{token}").status_code == 404
        assert web.post(f"/verify-email/{token}").status_code == 404
    # A verification token is no reset token, nor the other way round.
    assert read_reset_token(key, genuine) is None
    assert web.get(f"/password/reset/{genuine}").status_code == 404
    assert not app.get_account(cast.solver).email_is_verified
    # The genuine one works.
    assert web.post(f"/verify-email/{genuine}").status_code == 200
    assert app.get_account(cast.solver).email_is_verified


def verified(app: OpenInno, clock: ManualClock, account_id: UUID) -> None:
    email = app.get_account(account_id).email
    app.verify_email(account_id, email, clock.now() + VERIFY_LINK_TTL)


def test_voting_is_refused_until_the_voter_verifies(web: Web, cast: Scene):
    app, clock = web.app, web.clock
    challenge, terms = cast.open_challenge(verified_email_to_vote=True)
    entry = cast.submit(challenge, terms)  # entering is not restricted here
    with pytest.raises(AccessDenied, match="votes only from accounts with a verified"):
        app.support(cast.public, entry)
    assert app.support_count(entry) == 0
    verified(app, clock, cast.public)
    assert app.support(cast.public, entry).support_count == 1
    # The terms page says so, and the challenge's page to a voter not verified yet.
    assert "Needed to vote" in web.get(f"/challenges/{challenge}/terms").text
    web.login("public")
    page = web.get(f"/challenges/{challenge}").text
    assert "Needed to vote" in page and 'href="/verify-email"' not in page  # verified
    web.login("other")
    page = web.get(f"/challenges/{challenge}").text
    assert "Needed to vote" in page and 'href="/verify-email"' in page
    # The gallery's button says why, in the voter's language.
    app.update_profile(cast.other_solver, "Other", "pl", "UTC")
    web.login("other")
    refused = web.post(
        f"/submissions/{entry}/support", {"action": "support"}, headers={"HX-Request": "true"}
    )
    assert "potwierdzonym adresem e-mail" in refused.text
    assert app.support_count(entry) == 1


def test_entering_is_refused_until_the_solver_verifies(web: Web, cast: Scene):
    app, clock = web.app, web.clock
    challenge, terms = cast.open_challenge(verified_email_to_enter=True)
    with pytest.raises(AccessDenied, match="entries only from accounts with a verified"):
        cast.submit(challenge, terms)
    verified(app, clock, cast.solver)
    assert cast.submit(challenge, terms)
    assert "Needed to enter" in web.get(f"/challenges/{challenge}/terms").text


def test_the_requirements_are_in_the_terms_hash_and_older_terms_hash_the_same(cast: Scene):
    app = cast.app
    plain, _ = cast.published()
    strict, strict_terms = cast.published(verified_email_to_enter=True, verified_email_to_vote=True)
    document = app.terms_document(app.get_challenge(strict)).decode()
    assert sha256_hex(document.encode()) == strict_terms
    assert '"verified_email_to_enter":true' in document
    assert '"verified_email_to_vote":true' in document
    assert (
        '"verified_email_to_enter":false' in app.terms_document(app.get_challenge(plain)).decode()
    )
    # Terms from before the fields existed decode with None and leave the keys out.
    terms = app.get_challenge(plain).terms
    assert isinstance(terms, ChallengeTerms)
    old = msgspec.structs.replace(
        terms,
        spec=msgspec.structs.replace(
            terms.spec, verified_email_to_enter=None, verified_email_to_vote=None
        ),
    )
    assert b"verified_email" not in terms_document(old)


# --- password reset --------------------------------------------------------------------


def forgot(web: Web, email: str) -> str:
    response = web.post("/password/forgot", {"email": email})
    assert response.status_code == 200, response.text[:300]
    return response.text


def test_a_reset_link_works_once_and_ends_every_session_and_token(web: Web, cast: Scene):
    app, outbox = web.app, Outbox()
    token, _ = app.issue_token("solver@example.org", PASSWORD, label="laptop")
    assert app.account_for_token(token) == cast.solver
    web.login("solver")
    assert web.get("/profile").status_code == 200
    generation = app.get_account(cast.solver).api_token_generation
    page = forgot(web, "solver@example.org")
    deliver(web, outbox)
    (mail,) = [m for m in mails_to(outbox, "solver@example.org") if "reset" in m["Subject"]]
    assert mail["List-Unsubscribe"] is None
    path = link_in(mail)
    assert path.startswith("/password/reset/")
    assert web.get(path).status_code == 200
    assert web.post(path, {"password": "short", "password_again": "short"}).status_code == 400
    done = web.post(
        path, {"password": "a brand new passphrase", "password_again": "a brand new passphrase"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"
    # Every session and API token of the account ended (a new generation).
    assert app.get_account(cast.solver).api_token_generation == generation + 1
    with pytest.raises(InvalidCredentials):
        app.account_for_token(token)
    assert web.get("/profile", follow_redirects=False).status_code == 303
    with pytest.raises(InvalidCredentials):
        app.authenticate("solver@example.org", PASSWORD)
    assert app.authenticate("solver@example.org", "a brand new passphrase") == cast.solver
    # Single use, proven by the log: the PasswordChanged names the reset.
    events = list(app.events.get(cast.solver))
    requested = [e for e in events if isinstance(e, Account.PasswordResetRequested)]
    changed = [e for e in events if isinstance(e, Account.PasswordChanged)]
    assert len(requested) == 1 and [e.reset_id for e in changed] == [requested[0].reset_id]
    again = web.get(path)
    assert again.status_code == 409 and "already used" in again.text
    assert (
        web.post(
            path, {"password": "yet another passphrase", "password_again": "yet another passphrase"}
        ).status_code
        == 409
    )
    assert page  # the answer asked for


def test_an_expired_reset_link_changes_nothing(web: Web, cast: Scene):
    app, outbox = web.app, Outbox()
    forgot(web, "solver@example.org")
    deliver(web, outbox)
    (mail,) = [m for m in mails_to(outbox, "solver@example.org") if "reset" in m["Subject"]]
    web.clock.advance(RESET_LINK_TTL + timedelta(seconds=1))
    path = link_in(mail)
    assert web.get(path).status_code == 409
    new = "a brand new passphrase"
    assert web.post(path, {"password": new, "password_again": new}).status_code == 409
    assert app.authenticate("solver@example.org", PASSWORD) == cast.solver


def test_asking_for_a_reset_tells_nothing_about_who_has_an_account(web: Web, cast: Scene):
    outbox = Outbox()
    known = forgot(web, "solver@example.org")
    unknown = forgot(web, "nobody-here@example.org")
    strip = re.compile(r'name="_csrf_token" value="[^"]+"|nobody-here|solver')
    assert strip.sub("", known) == strip.sub("", unknown)
    deliver(web, outbox)
    assert [m["To"] for m in outbox.sent if "reset" in m["Subject"]] == ["solver@example.org"]


def test_asking_for_links_is_rate_limited_per_address(web: Web, cast: Scene):
    for _ in range(3):
        forgot(web, "nobody-here@example.org")
    limited = web.post("/password/forgot", {"email": "nobody-here@example.org"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    # The same for an address that has an account: the count tells nothing.
    for _ in range(3):
        forgot(web, "solver@example.org")
    assert web.post("/password/forgot", {"email": "solver@example.org"}).status_code == 429


def test_a_deactivated_account_gets_no_reset(web: Web, cast: Scene):
    app = web.app
    app.deactivate_account(cast.solver, cast.solver, "")
    assert app.request_password_reset("solver@example.org") is None
    with pytest.raises(AccessDenied):
        app.request_email_verification(cast.solver)


def test_the_api_resets_a_password_once_and_says_the_same_for_any_address(web: Web, cast: Scene):
    app, outbox = web.app, Outbox()
    api = web.client
    for email in ("solver@example.org", "nobody-here@example.org"):
        answer = api.post("/api/v1/password-resets", json={"email": email})
        assert answer.status_code == 202 and answer.json() == {"status": "accepted"}
    assert api.post("/api/v1/password-resets", json={"email": "nope"}).status_code == 422
    deliver(web, outbox)
    (mail,) = [m for m in outbox.sent if "reset" in m["Subject"]]
    assert mail["To"] == "solver@example.org"
    token = link_in(mail).rsplit("/", 1)[1]
    new = "a brand new passphrase"
    used = api.post("/api/v1/password-resets/use", json={"token": token, "password": new})
    assert used.status_code == 200, used.text
    again = api.post("/api/v1/password-resets/use", json={"token": token, "password": new})
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert app.authenticate("solver@example.org", new) == cast.solver
    forged = api.post("/api/v1/password-resets/use", json={"token": token[:-2], "password": new})
    assert forged.status_code == 422


def test_the_draft_form_sets_the_rule_and_the_publish_page_shows_it(web: Web, cast: Scene):
    from tests.web.pages.test_input_bounds import _draft_form

    web.login("sponsor")
    new = web.get(f"/organisations/{cast.organisation}/challenges/new").text
    assert 'name="verified_to_vote"' in new and 'name="verified_to_enter"' in new
    r = web.post(
        f"/organisations/{cast.organisation}/challenges",
        _draft_form(web, verified_to_vote="yes"),
    )
    assert r.status_code == 303, r.text[:300]
    preview = web.get(r.headers["location"]).text
    assert "Needed to vote" in preview and "Needed to enter" not in preview
    challenge_id = UUID(r.headers["location"].split("/")[2])
    spec = web.app.get_challenge(challenge_id, cast.sponsor).spec
    assert spec.vote_needs_verified_email and not spec.enter_needs_verified_email


def test_a_reset_mail_not_sent_before_its_link_expired_is_never_sent(web: Web, cast: Scene):
    outbox = Outbox()
    forgot(web, "solver@example.org")
    web.fed()
    web.clock.advance(RESET_LINK_TTL + timedelta(minutes=1))  # the sender was down
    deliver(web, outbox)
    assert [m for m in outbox.sent if "reset" in m["Subject"]] == []
    db = open_db(read_store_for(web.app.settings))
    try:
        rows = db.rows("SELECT status FROM nt_outbox WHERE kind = 'password_reset'")
    finally:
        db.close()
    assert [r["status"] for r in rows] == ["expired"]


def test_the_api_says_whether_the_address_is_verified(web: Web, cast: Scene):
    app = web.app
    token, _ = app.issue_token("solver@example.org", PASSWORD)
    auth = {"Authorization": f"Bearer {token}"}
    assert web.client.get("/api/v1/me", headers=auth).json()["email_verified"] is False
    verified(app, web.clock, cast.solver)
    assert web.client.get("/api/v1/me", headers=auth).json()["email_verified"] is True
