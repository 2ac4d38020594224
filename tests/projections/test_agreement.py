"""Inter-reviewer agreement (issue 20): Krippendorff's alpha over the reviewers'
weighted totals of the round under way, for the sponsor."""

from __future__ import annotations

from datetime import timedelta

from openinno.application import OpenInno
from projections.db import Db
from projections.reviewers import queries as reviewers
from projections.service import ReadSide
from tests.support.story import Scene


def scores(n: int) -> dict[str, int]:
    return {"originality": n, "feasibility": n, "fun": n}


def test_alpha_is_one_when_reviewers_agree_and_negative_when_they_reverse(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge, terms = cast.open_challenge()
    entries = [
        cast.submit(challenge, terms, solver=cast.account(f"s{i}"), title=f"Entry {i}")
        for i in range(4)
    ]
    other = cast.account("second")
    for person in (cast.reviewer, other):
        app.invite_reviewer(cast.sponsor, challenge, person)
        app.accept_reviewer_invitation(person, challenge)
    cast.clock.advance(timedelta(days=28))
    read_side.catch_up()
    assert reviewers.reviewer_agreement(db, challenge)["alpha"] is None  # nothing yet
    for n, entry in enumerate(entries):
        app.record_review(cast.reviewer, entry, scores(2 + 2 * n))
        app.record_review(other, entry, scores(2 + 2 * n))
    read_side.catch_up()
    agreed = reviewers.reviewer_agreement(db, challenge)
    assert agreed == {"alpha": 1.0, "units": 4, "reviewers": 2, "sampled": False}
    for n, entry in enumerate(entries):
        app.record_review(other, entry, scores(8 - 2 * n))
    read_side.catch_up()
    reversed_ = reviewers.reviewer_agreement(db, challenge)
    assert reversed_["alpha"] is not None and reversed_["alpha"] < 0
    # Sampled: the first units by id only.
    assert reviewers.reviewer_agreement(db, challenge, max_units=3)["units"] == 3
    assert reviewers.reviewer_agreement(db, challenge, max_units=3)["sampled"] is True
