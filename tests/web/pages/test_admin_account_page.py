"""An account's page for the admins (issue 24): its standing, the reason, and its
history (every event of its stream, secrets redacted) with who caused each."""

from __future__ import annotations


def test_an_admin_reads_an_accounts_history_with_the_reasons(web, cast, app):
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    app.deactivate_account(admin, cast.public, "Spam in every question.")
    app.reactivate_account(admin, cast.public, "A mix-up: the spam was another's.")
    web.login("public")
    assert web.get(f"/admin/accounts/{cast.public}").status_code == 404
    web.logout()

    web.login("admin")
    assert f'href="/admin/accounts/{cast.public}"' in web.get("/admin/accounts?q=public").text
    page = web.get(f"/admin/accounts/{cast.public}").text
    assert "public@example.org" in page and "Active" in page
    for text in ("Account.Registered", "Account.Deactivated", "Account.Reactivated"):
        assert text in page
    assert "Spam in every question." in page and "A mix-up" in page
    assert "Admin" in page  # who deactivated it, by name
    assert "argon2" not in page and "password_hash" not in page
