"""The admins' accounts directory: search by address or name, newest first, with
each account's standing and the reason for it."""

from __future__ import annotations

from openinno.application import OpenInno
from projections.accounts.queries import accounts_directory_page
from projections.db import Db
from projections.service import ReadSide
from tests.support.story import Scene


def test_the_directory_finds_accounts_by_address_or_name_and_shows_their_standing(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    app.register_account("percent@example.org", "a long password 1", "100% Brick_fan")
    app.deactivate_account(admin, cast.solver, "Spam in every question.")
    read_side.catch_up()

    everyone = accounts_directory_page(db, limit=50)
    assert [r["email"] for r in everyone][:2] == ["percent@example.org", "admin@example.org"]
    solver = next(r for r in everyone if r["account_id"] == str(cast.solver))
    assert (solver["active"], solver["status_reason"]) == (0, "Spam in every question.")
    assert next(r for r in everyone if r["account_id"] == str(admin))["admin"] == 1

    assert [r["email"] for r in accounts_directory_page(db, search="SOLVER")] == [
        "solver@example.org"
    ]
    assert [r["display_name"] for r in accounts_directory_page(db, search="100%")] == [
        "100% Brick_fan"
    ]
    # LIKE's wildcards are only characters here: "_" would match the "." of ".org".
    assert accounts_directory_page(db, search="e_org") == []
    assert [r["email"] for r in accounts_directory_page(db, search="k_fan")] == [
        "percent@example.org"
    ]

    app.reactivate_account(admin, cast.solver, "Appeal upheld.")
    read_side.catch_up()
    first = accounts_directory_page(db, limit=2)
    rest = accounts_directory_page(db, after=first[-1]["position"], limit=50)
    assert len(first) + len(rest) == len(everyone)
    solver = next(r for r in rest if r["account_id"] == str(cast.solver))
    assert (solver["active"], solver["status_reason"]) == (1, "Appeal upheld.")
