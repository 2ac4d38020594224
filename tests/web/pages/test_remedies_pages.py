"""Remedies on the pages (issue 24): an admin finds an account and deactivates or
reactivates it with a reason; a winning solver disputes an agreement and the
sponsor's legal member rescinds it; each reason is shown to those it affects."""

from __future__ import annotations

from datetime import timedelta


def test_an_admin_deactivates_and_reactivates_an_account_from_the_directory(web, cast, app):
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    web.login("admin")
    page = web.get("/admin/accounts?q=SOLVER")
    assert "solver@example.org" in page.text and "other@example.org" not in page.text

    r = web.post(f"/admin/accounts/{cast.solver}/deactivate", {"reason": "", "q": "solver"})
    assert r.status_code == 400 and 'id="e-reason"' in r.text
    assert app.get_account(cast.solver).active

    r = web.post(f"/admin/accounts/{cast.solver}/deactivate", {"reason": "Spam in questions."})
    assert r.status_code == 303
    page = web.get(r.headers["location"])
    assert "The account is deactivated" in page.text and "Spam in questions." in page.text
    assert not app.get_account(cast.solver).active

    r = web.post(f"/admin/accounts/{cast.solver}/reactivate", {"reason": "Appeal upheld."})
    assert r.status_code == 303
    assert "Appeal upheld." in web.get("/admin/accounts?q=solver").text
    assert app.get_account(cast.solver).active
    # Both decisions are in the admins' audit, with who took them and why.
    audit = web.get("/admin/decisions?kind=account_deactivated").text
    assert "Account deactivated" in audit and "Spam in questions." in audit
    assert "Appeal upheld." not in audit
    assert "Appeal upheld." in web.get("/admin/decisions").text
    # Admins make and unmake admins; the role change is a decision too.
    r = web.post(f"/admin/accounts/{cast.reviewer}/grant-admin", {})
    assert r.status_code == 303 and app.get_account(cast.reviewer).is_admin
    r = web.post(f"/admin/accounts/{cast.reviewer}/revoke-admin", {})
    assert r.status_code == 303 and not app.get_account(cast.reviewer).is_admin
    assert "Role revoked" in web.get("/admin/decisions?kind=role_revoked").text
    web.logout()
    web.login("solver")  # anyone else: no such page
    assert web.get("/admin/accounts").status_code == 404


def test_the_winner_disputes_and_legal_rescinds_with_reasons_everyone_party_sees(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms)
    cast.clock.advance(timedelta(days=45))
    agreement_id = app.award(
        cast.sponsor,
        challenge_id,
        [(entry, 1)],
        override_reasons={entry: "Chosen by the jury without a written review."},
    ).agreement_ids[0]
    legal = cast.account("counsel")
    app.add_member(cast.sponsor, cast.organisation, legal, "legal")

    web.login("solver")
    page = web.get(f"/agreements/{agreement_id}")
    assert "Dispute this agreement" in page.text and "Rescind this agreement" not in page.text
    r = web.post(f"/agreements/{agreement_id}/dispute", {"reason": " "})
    assert r.status_code == 400 and 'id="e-reason"' in r.text
    r = web.post(f"/agreements/{agreement_id}/dispute", {"reason": "The prize was never paid."})
    assert r.status_code == 303
    page = web.get(r.headers["location"])
    assert "The dispute is recorded." in page.text and "The prize was never paid." in page.text
    web.logout()

    web.login("counsel")
    page = web.get(f"/agreements/{agreement_id}")
    assert "The prize was never paid." in page.text and "Rescind this agreement" in page.text
    r = web.post(f"/agreements/{agreement_id}/rescind", {"reason": "Settled with the solver."})
    assert r.status_code == 303
    assert app.get_agreement(legal, agreement_id).state == "rescinded"
    web.logout()
    web.login("solver")
    assert "Settled with the solver." in web.get(f"/agreements/{agreement_id}").text


def test_a_cancelled_challenge_says_why_on_its_page(web, cast, app):
    challenge_id, _ = cast.published()
    app.cancel_challenge(cast.sponsor, challenge_id, "The sponsor's budget was withdrawn.")
    web.fed()
    page = web.get(f"/challenges/{challenge_id}")
    assert page.status_code == 200
    assert "This challenge was cancelled." in page.text
    assert "The sponsor&#39;s budget was withdrawn." in page.text


def test_the_owner_removes_a_member_but_never_the_last_owner(web, cast, app):
    app.add_member(cast.sponsor, cast.organisation, cast.reviewer, "manager")
    web.login("sponsor")
    page = web.get(f"/organisations/{cast.organisation}")
    assert f"/members/{cast.reviewer}/remove" in page.text
    assert f"/members/{cast.sponsor}/remove" not in page.text  # not themselves
    r = web.post(f"/organisations/{cast.organisation}/members/{cast.reviewer}/remove", {})
    assert r.status_code == 303
    assert "The member is removed" in web.get(r.headers["location"]).text
    assert app.get_organisation(cast.organisation).role_of(cast.reviewer) is None
    r = web.post(f"/organisations/{cast.organisation}/members/{cast.sponsor}/remove", {})
    assert r.status_code == 409 and "at least one owner" in r.text


def test_the_chain_of_title_certificate_names_people_and_says_how_to_verify(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms, title="Pendulum park")
    cast.clock.advance(timedelta(days=45))
    cast.award_unreviewed(challenge_id, [(entry, 1)])
    web.login("solver")
    page = web.get(f"/legal/submissions/{entry}")
    assert f"/legal/submissions/{entry}/certificate" in page.text
    certificate = web.get(f"/legal/submissions/{entry}/certificate")
    assert certificate.status_code == 200
    text = certificate.text
    assert "Certificate of chain of title" in text and "Pendulum park" in text
    assert "Solver" in text and "Brickworks" in text  # the author and the sponsor, by name
    assert app.get_challenge(challenge_id).terms_sha256 in text
    assert f"evidence-{entry}.json" in text and "evidence_verifier.py" in text
    web.logout()
    web.login("other")
    assert web.get(f"/legal/submissions/{entry}/certificate").status_code == 404


def test_the_sponsor_disqualifies_from_the_entries_list_and_cancels_from_the_dashboard(
    web, cast, app
):
    app.add_member(cast.sponsor, cast.organisation, cast.reviewer, "manager")
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms)
    web.fed()
    web.login("reviewer")  # a manager of the sponsor
    page = web.get(f"/challenges/{challenge_id}/entries")
    assert f"/submissions/{entry}/disqualify" in page.text
    r = web.post(f"/submissions/{entry}/disqualify", {"reason": ""})
    assert r.status_code == 400 and 'id="e-reason"' in r.text
    r = web.post(f"/submissions/{entry}/disqualify", {"reason": "Copied from a catalogue."})
    assert r.status_code == 303
    assert "The entry is disqualified" in web.get(r.headers["location"]).text
    assert app.get_submission(cast.sponsor, entry).status == "disqualified"
    # Submissions are open: no cancel form; a challenge not yet open has one.
    dashboard = web.get(f"/challenges/{challenge_id}/manage").text
    assert f'action="/challenges/{challenge_id}/cancel"' not in dashboard
    later, _ = cast.published()
    web.fed()
    assert f'action="/challenges/{later}/cancel"' in web.get(f"/challenges/{later}/manage").text
    r = web.post(f"/challenges/{later}/cancel", {"reason": "The budget was withdrawn."})
    assert r.status_code == 303
    assert app.get_challenge(later, cast.sponsor).status == "cancelled"
