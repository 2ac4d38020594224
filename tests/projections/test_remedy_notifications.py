"""Who is told of a remedy, with its reason (issue 24, decision 0030): a voter whose
vote is voided, a member removed from an organisation."""

from __future__ import annotations

import json

from openinno.application import OpenInno
from openinno.domain import ids
from projections.db import Db
from projections.service import ReadSide
from tests.support.story import Scene


def told(db: Db, kind: str) -> dict[str, dict]:
    return {
        r["account_id"]: json.loads(r["params"] or "{}")
        for r in db.rows("SELECT account_id, params FROM nt_notifications WHERE kind = ?", (kind,))
    }


def test_a_voter_and_a_removed_member_are_told_why(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms)
    app.support(cast.public, entry)
    vote = ids.vote_id(entry, cast.public)
    app.void_vote(cast.sponsor, vote, "One of 200 accounts from one address.")
    manager = cast.account("manager")
    app.add_member(cast.sponsor, cast.organisation, manager, "manager")
    app.remove_member(cast.sponsor, cast.organisation, manager, "Left the company.")
    read_side.catch_up()

    voided = told(db, "vote_voided")
    assert voided == {str(cast.public): {"reason": "One of 200 accounts from one address."}}
    removed = told(db, "member_removed")
    assert removed == {str(manager): {"reason": "Left the company.", "organisation": "Brickworks"}}
    assert str(cast.sponsor) not in voided and str(cast.sponsor) not in removed
