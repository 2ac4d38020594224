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


# --- the assigned entries per reviewer: a counter the projection keeps ---------------------


def assigned_kept(db: Db) -> list[tuple[str, str, int]]:
    return [
        (r["challenge_id"], r["reviewer_id"], int(r["assigned"]))
        for r in db.rows(
            "SELECT challenge_id, reviewer_id, assigned FROM rv_assigned_counts"
            " ORDER BY challenge_id, reviewer_id"
        )
    ]


def assigned_counted(db: Db) -> list[tuple[str, str, int]]:
    return [
        (r["challenge_id"], r["reviewer_id"], int(r["assigned"]))
        for r in db.rows(reviewers.ASSIGNED_COUNTED)
    ]


def test_assigned_counts_are_kept_as_counting_gives_and_a_rebuild_gives_them_again(
    app: OpenInno,
    cast: Scene,
    read_side: ReadSide,
    db: Db,
    settings,
    read_store,
):
    """Progress per reviewer reads a counter (rv_assigned_counts), not a count over the
    challenge's assignment per request: after each step it is what counting the rows
    gives (runs, a conflict, a release, entries withdrawn and disqualified), and a
    rebuild (on PostgreSQL: without triggers, then recounted) gives the same rows."""
    from tests.projections.conftest import drop_read_schema
    from tests.projections.test_kill_and_rebuild import other_store
    from web.readside import read_side_for

    challenge, terms = cast.open_challenge()
    solvers = [cast.account(f"counted{i}") for i in range(8)]
    entries = [
        cast.submit(challenge, terms, solver=s, title=f"Entry {i}") for i, s in enumerate(solvers)
    ]
    panel = [cast.reviewer, *(cast.account(f"cjudge{i}") for i in range(3))]
    for person in panel:
        app.invite_reviewer(cast.sponsor, challenge, person)
        app.accept_reviewer_invitation(person, challenge)
    steps = 0

    def step() -> None:
        nonlocal steps
        read_side.catch_up()
        assert assigned_kept(db) == assigned_counted(db)
        progress = {
            r["reviewer_id"]: r["assigned"]
            for r in reviewers.review_progress(db, challenge)["reviewers"]
        }
        counted = {r: n for c, r, n in assigned_counted(db) if c == str(challenge)}
        assert progress == {str(p): counted.get(str(p), 0) for p in panel}
        steps += 1

    read_side.catch_up()
    run(app, db, cast.sponsor, challenge, 2)
    step()
    assert sum(n for _, _, n in assigned_kept(db)) == 16
    mine = sorted(holders_of(db, challenge, cast.reviewer))
    app.declare_conflict(cast.reviewer, UUID(mine[0]), "A friend")
    step()
    app.withdraw_submission(solvers[entries.index(UUID(mine[1]))], UUID(mine[1]), "Gone")
    app.disqualify_submission(cast.sponsor, entries[-1], "Late files")
    step()
    run(app, db, cast.sponsor, challenge, 2, seed=3)
    step()
    entries_now, conflicts, scored = reviewers.assignment_inputs(db, challenge)
    app.release_reviewer(
        cast.sponsor,
        challenge,
        cast.reviewer,
        "Fell ill",
        [UUID(e) for e in entries_now],
        scored=[UUID(e) for e in scored.get(str(cast.reviewer), ())],
        conflicts={UUID(e): {UUID(r) for r in rs} for e, rs in conflicts.items()},
        seed=4,
    )
    step()
    # The leaver holds nothing now: no row at all (as counting gives), not a zero.
    assert str(cast.reviewer) not in {r for _, r, _ in assigned_kept(db)}
    followed = assigned_kept(db)
    store = other_store(read_store, settings.data_dir)
    side = read_side_for(settings, app, store=store, batch_size=5)
    runner = side.multi_runner()
    try:
        runner.drop(indexes=False)
        runner.rebuild()
        assert assigned_kept(runner.db) == followed
    finally:
        runner.db.close()
        drop_read_schema(store)
    assert steps == 5


def holders_of(db: Db, challenge: UUID, reviewer: UUID) -> list[str]:
    return [e for e, rs in holders(db, challenge).items() if str(reviewer) in rs]


def test_assigned_counts_follow_row_changes_many_a_statement(read_side: ReadSide, db: Db):
    """Straight to the tables, several rows a statement (PostgreSQL's triggers take a
    statement's rows at once): rows assigned and taken away, entries dying, coming
    back (a reinstatement) and deleted; the counter checked after each."""
    import random

    rng = random.Random(20)
    challenges = [f"c{i}" for i in range(2)]
    judges = [f"r{i}" for i in range(4)]
    entries = [(c, f"{c}-s{i}") for c in challenges for i in range(6)]
    for c, s in entries:
        db.execute(
            "INSERT INTO rv_entries (submission_id, challenge_id, entry_key, title, summary,"
            " version, content_sha256, status, shortlisted, submitted_at)"
            " VALUES (?, ?, ?, 't', 's', 1, 'h', 'submitted', 0, '2026-01-01')",
            (s, c, s),
        )
    held: set[tuple[str, str, str]] = set()
    reached = {"dead": False, "back": False, "deleted": False}
    for _ in range(60):
        roll = rng.random()
        if roll < 0.45:
            new = {
                (c, rng.choice(judges), s) for c, s in rng.sample(entries, min(4, len(entries)))
            } - held
            for row in new:
                db.execute(
                    "INSERT INTO rv_assigned (challenge_id, reviewer_id, submission_id)"
                    " VALUES (?, ?, ?)",
                    row,
                )
            held |= new
        elif roll < 0.7 and held:
            gone = set(rng.sample(sorted(held), min(3, len(held))))
            for c, r, s in gone:
                db.execute(
                    "DELETE FROM rv_assigned WHERE challenge_id = ? AND reviewer_id = ?"
                    " AND submission_id = ?",
                    (c, r, s),
                )
            held -= gone
        elif roll < 0.88:
            chosen = [s for _, s in rng.sample(entries, min(3, len(entries)))]
            status = rng.choice(["submitted", "awarded", "withdrawn", "disqualified"])
            marks = ", ".join("?" for _ in chosen)
            before = {
                r["status"]
                for r in db.rows(
                    f"SELECT status FROM rv_entries WHERE submission_id IN ({marks})", chosen
                )
            }
            db.execute(
                f"UPDATE rv_entries SET status = ? WHERE submission_id IN ({marks})",
                [status, *chosen],
            )
            reached["dead"] |= status in ("withdrawn", "disqualified")
            reached["back"] |= status in ("submitted", "awarded") and bool(
                before & {"withdrawn", "disqualified"}
            )
        elif len(entries) > 4:
            c, s = rng.choice(entries)
            db.execute("DELETE FROM rv_entries WHERE submission_id = ?", (s,))
            entries.remove((c, s))
            reached["deleted"] = True
        assert assigned_kept(db) == assigned_counted(db)
    assert all(reached.values()), reached
