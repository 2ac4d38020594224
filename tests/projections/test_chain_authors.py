"""The chain of title lists every author of each version with the moment they
accepted the terms (issue 21): a team's members when they accepted the team, the
submitter when they submitted."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from projections.db import Db
from projections.legal import queries as legal
from projections.service import ReadSide
from projections.values import iso
from tests.support.story import Scene


def test_every_author_with_the_moment_they_accepted(cast: Scene, read_side: ReadSide, db: Db):
    app, clock = cast.app, cast.clock
    challenge, terms = cast.open_challenge()
    team = app.form_team(cast.solver, challenge, "Levers", [str(cast.other_solver)]).id
    app.accept_team_invitation(cast.other_solver, team, terms)
    accepted = clock.now()
    clock.advance(timedelta(hours=3))
    entry = app.submit(cast.solver, challenge, "Levers", "Together.", terms, team_id=team).id
    submitted = clock.now()
    clock.advance(timedelta(hours=1))
    app.revise_submission(cast.other_solver, entry, "Levers 2", "Better.")
    revised = clock.now()
    solo = cast.submit(challenge, terms, solver=cast.public, title="Solo")
    read_side.catch_up()
    chain = legal.chain_of_title(db, entry)
    assert chain[0]["authors"] == [
        {"account_id": str(cast.solver), "accepted_terms_at": iso(submitted)},
        {"account_id": str(cast.other_solver), "accepted_terms_at": iso(accepted)},
    ]
    assert chain[1]["authors"] == [
        {"account_id": str(cast.other_solver), "accepted_terms_at": iso(revised)},
        {"account_id": str(cast.solver), "accepted_terms_at": iso(submitted)},
    ]
    (first,) = legal.chain_of_title(db, solo)
    assert [a["account_id"] for a in first["authors"]] == [str(cast.public)]
    exported = json.loads(legal.chain_of_title_json(db, entry))
    assert exported["steps"][0]["authors"] == chain[0]["authors"]
    rows = list(csv.DictReader(io.StringIO(legal.chain_of_title_csv(db, entry))))
    assert json.loads(rows[0]["authors"]) == chain[0]["authors"]
