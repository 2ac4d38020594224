"""Assignment at volume through the application and the reviewers' read model
(decision 0023): k reviewers per entry, balanced, never a conflicted reviewer nor
(when the terms say so) a member of the sponsor's organisation; a reviewer's queue
holds their entries; a declared conflict and a reviewer who leaves are re-assigned."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest

from openinno.application import OpenInno
from openinno.domain.errors import InvalidInput, NotFound
from projections.db import Db
from projections.reviewers import queries as reviewers
from projections.service import ReadSide
from tests.support.story import Scene

SCORES = {"originality": 7, "feasibility": 6, "fun": 8}


def run(app: OpenInno, db: Db, actor: UUID, challenge: UUID, k: int, seed: int = 7):
    entries, conflicts, _scored = reviewers.assignment_inputs(db, challenge)
    return app.assign_reviewers(
        actor,
        challenge,
        [UUID(e) for e in entries],
        k,
        seed=seed,
        conflicts={UUID(e): {UUID(r) for r in rs} for e, rs in conflicts.items()},
    )


def holders(db: Db, challenge: UUID) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for r in db.rows(
        "SELECT reviewer_id, submission_id FROM rv_assigned WHERE challenge_id = ?",
        (str(challenge),),
    ):
        found.setdefault(r["submission_id"], set()).add(r["reviewer_id"])
    return found


def test_assign_queue_conflict_and_release(app: OpenInno, cast: Scene, read_side: ReadSide, db: Db):
    challenge, terms = cast.open_challenge(independent_reviewers=True)
    solvers = [cast.account(f"solver{i}") for i in range(12)]
    entries = [
        cast.submit(challenge, terms, solver=s, title=f"Entry {i}") for i, s in enumerate(solvers)
    ]
    panel = [cast.reviewer, *(cast.account(f"judge{i}") for i in range(3))]
    insider = cast.account("insider")
    app.add_member(cast.sponsor, cast.organisation, insider, "manager")
    for person in [*panel, insider]:
        app.invite_reviewer(cast.sponsor, challenge, person)
        app.accept_reviewer_invitation(person, challenge)
    read_side.catch_up()
    with pytest.raises(InvalidInput):  # five accepted, but the insider may not review
        run(app, db, cast.sponsor, challenge, 5)
    done = run(app, db, cast.sponsor, challenge, 2)
    assert (done.pairs_added, done.short) == (24, 0)
    read_side.catch_up()
    found = holders(db, challenge)
    assert set(found) == {str(e) for e in entries}
    assert all(len(rs) == 2 and str(insider) not in rs for rs in found.values())
    loads = Counter(r for rs in found.values() for r in rs)
    assert sorted(loads.values()) == [6, 6, 6, 6]
    # A queue holds the reviewer's entries only; scoring another's is refused.
    queue = reviewers.my_review_queue(db, cast.reviewer)
    mine = {e["submission_id"] for e in queue}
    assert mine == {e for e, rs in found.items() if str(cast.reviewer) in rs}
    assert reviewers.my_review_queue(db, insider) == []
    cast.clock.advance(timedelta(days=28))  # review starts when submissions close
    other = next(e for e in entries if str(e) not in mine)
    with pytest.raises(NotFound):
        app.record_review(cast.reviewer, other, SCORES)
    first, second, *_ = sorted(mine)
    app.record_review(cast.reviewer, UUID(first), SCORES)
    # A conflict takes the entry out of the queue; the next run gives it to another.
    app.declare_conflict(cast.reviewer, UUID(second), "I know the team")
    read_side.catch_up()
    assert second not in {e["submission_id"] for e in reviewers.my_review_queue(db, cast.reviewer)}
    assert len(holders(db, challenge)[second]) == 1
    assert reviewers.entries_short_of_k(db, challenge, 2) == 1
    topped = run(app, db, cast.sponsor, challenge, 2, seed=8)
    assert (topped.pairs_added, topped.short) == (1, 0)
    read_side.catch_up()
    assert str(cast.reviewer) not in holders(db, challenge)[second]
    assert len(holders(db, challenge)[second]) == 2
    # The reviewer leaves: what they scored stays theirs, the rest goes to others.
    entries_now, conflicts, scored = reviewers.assignment_inputs(db, challenge)
    left = app.release_reviewer(
        cast.sponsor,
        challenge,
        cast.reviewer,
        "Fell ill",
        [UUID(e) for e in entries_now],
        scored=[UUID(e) for e in scored.get(str(cast.reviewer), ())],
        conflicts={UUID(e): {UUID(r) for r in rs} for e, rs in conflicts.items()},
        seed=9,
    )
    assert (left.pairs_added, left.short) == (4, 0)
    read_side.catch_up()
    found = holders(db, challenge)
    assert {e for e, rs in found.items() if str(cast.reviewer) in rs} == {first}
    assert all(len(rs) >= 2 for rs in found.values())
    progress = reviewers.review_progress(db, challenge)
    assert progress["k"] == 2
    mine_now = {r["reviewer_id"]: r for r in progress["reviewers"]}
    assert mine_now[str(cast.reviewer)]["released"] is True
    assert mine_now[str(cast.reviewer)]["assigned"] == 1
    assert mine_now[str(cast.reviewer)]["done"] == 1
    assert mine_now[str(insider)]["assigned"] == 0
    assert progress["assigned"] == 24  # 12 entries x 2: the leaver's scored one counts


def test_a_reviewer_declares_conflicts_for_several_entries_at_once(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge, terms = cast.open_challenge()
    entries = [
        cast.submit(challenge, terms, solver=cast.account(f"s{i}"), title=f"Entry {i}")
        for i in range(3)
    ]
    other, _ = cast.open_challenge(title="Elsewhere")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    app.declare_conflicts(cast.reviewer, challenge, entries[:2], "I know these teams")
    read_side.catch_up()
    states = {e["submission_id"]: e["state"] for e in reviewers.my_review_queue(db, cast.reviewer)}
    assert states == {
        str(entries[0]): "conflict",
        str(entries[1]): "conflict",
        str(entries[2]): "to_do",
    }
    with pytest.raises(NotFound):  # an entry of another challenge
        app.declare_conflicts(cast.reviewer, other, entries[2:], "Mixed up")
