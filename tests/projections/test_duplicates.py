"""Near-duplicates (issue 27): entries clustered as they arrive, the earliest receipt
first; a revision moves an entry out; the sponsor's merge holds whatever the text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openinno.application import OpenInno
from openinno.domain.errors import AccessDenied, InvalidState, NotFound
from projections.db import Db
from projections.service import ReadSide
from projections.sifting import duplicates, queries
from tests.support.story import Scene

IDEA = (
    "Kite lab for physics",
    "Children build kites from paper and sticks and measure the lift with a spring scale.",
)


def test_normalised_text_and_similar_signatures():
    assert duplicates.normalise("Café  KITE!_x") == ["cafe", "kite", "x"]
    a = duplicates.signature(" ".join(IDEA))
    reordered = duplicates.signature(
        "Paper and sticks: children build kites and measure the lift with a spring scale."
        " Kite lab for physics."
    )
    other = duplicates.signature("Pendulum park with swings and weights.")
    assert duplicates.similarity(a, reordered) >= duplicates.SIMILAR
    assert duplicates.similarity(a, other) < 0.2


def test_clusters_first_by_receipt_revision_and_merge(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge, terms = cast.open_challenge()
    people = [cast.account(f"dup{i}") for i in range(4)]
    first = app.submit(people[0], challenge, *IDEA, terms).id
    cast.clock.advance(timedelta(minutes=5))
    typo = app.submit(
        people[1],
        challenge,
        "Kite lab for phisics",
        "Children bulid kites from paper and sticks and measure the lift with a spring scale.",
        terms,
    ).id
    cast.clock.advance(timedelta(minutes=5))
    apart = app.submit(people[2], challenge, "Pendulum park", "Swings and weights.", terms).id
    cast.clock.advance(timedelta(minutes=5))
    late = app.submit(people[3], challenge, "Pendulum parks", "Swings, and weights!", terms).id
    read_side.catch_up()
    clusters = queries.duplicate_clusters(db, str(challenge))
    assert [[e["submission_id"] for e in c] for c in clusters] == [
        [str(first), str(typo)],
        [str(apart), str(late)],
    ]
    assert [e["first"] for e in clusters[0]] == [True, False]
    # A revision into another idea leaves the cluster.
    app.revise_submission(people[3], late, "Solar oven", "Cook with sunlight in a box of foil.")
    read_side.catch_up()
    clusters = queries.duplicate_clusters(db, str(challenge))
    assert [[e["submission_id"] for e in c] for c in clusters] == [[str(first), str(typo)]]
    # The sponsor merges: the first is read from the receipts, whatever the order named.
    with pytest.raises((AccessDenied, NotFound)):
        app.merge_duplicates(cast.solver, challenge, [typo, late])
    app.merge_duplicates(cast.sponsor, challenge, [late, typo])
    # Merged clusters join under their earliest receipt.
    app.merge_duplicates(cast.sponsor, challenge, [late, first])
    with pytest.raises(InvalidState):
        app.merge_duplicates(cast.sponsor, challenge, [typo, first])
    read_side.catch_up()
    clusters = queries.duplicate_clusters(db, str(challenge))
    assert [[e["submission_id"] for e in c] for c in clusters] == [
        [str(first), str(typo), str(late)]
    ]
    assert [e["merged"] for e in clusters[0]] == [True, True, True]
