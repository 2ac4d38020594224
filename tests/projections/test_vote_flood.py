"""The done-when test of issue 24's votes: 200 fresh accounts from one address
flood one entry past its threshold; the votes read model flags every one of them
(and none of the honest votes); voided, the tally and the threshold are re-derived,
the withdrawal is announced, and every read model equals a rebuild."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from openinno.application import OpenInno
from openinno.domain import SupportTally, ids
from openinno.domain.values import Voting
from projections.db import Db
from projections.decisions.queries import decisions_page
from projections.service import ReadSide
from projections.votes.queries import SIGNALS, entry_votes
from tests.projections.tables import dump
from tests.support.story import Scene

FLOOD = 200
THRESHOLD = 100
BOT_AGENT = "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0"


def honest_votes(app: OpenInno, cast: Scene, entry: UUID, voters: list[UUID]) -> None:
    for i, voter in enumerate(voters):
        agent = f"Mozilla/5.0 (Windows NT 10.0) Firefox/{120 + i}"
        app.support(voter, entry, address=f"192.0.{i}.{10 + i}", user_agent=agent)
        cast.clock.advance(timedelta(minutes=7))


def test_a_flood_from_one_address_is_flagged_and_voiding_rederives_the_threshold(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    # Given a challenge whose entries need 100 supporters, and five long-standing
    # accounts that support an entry from their own networks,
    honest = [cast.account(f"neighbour{i}") for i in range(5)]
    challenge_id, terms = cast.open_challenge(voting=Voting("public", THRESHOLD))
    entry = cast.submit(challenge_id, terms)
    cast.clock.advance(timedelta(days=3))
    honest_votes(app, cast, entry, honest)
    # when 200 accounts made minutes before vote for it from one address,
    bots = []
    for i in range(FLOOD):
        bot = cast.account(f"fresh{i}")
        cast.clock.advance(timedelta(seconds=5))
        app.support(bot, entry, address="198.51.100.23", user_agent=BOT_AGENT)
        bots.append(bot)
    assert app.get_submission(cast.sponsor, entry).support_threshold_reached
    read_side.catch_up()

    # then every one of their votes is flagged, with every signal, and no honest one;
    seen = entry_votes(db, str(entry))
    assert (seen.votes, seen.counting, seen.voided) == (FLOOD + 5, FLOOD + 5, 0)
    bot_votes = {str(ids.vote_id(entry, b)) for b in bots}
    assert {v.vote_id for v in seen.flagged} == bot_votes
    assert all(set(v.signals) == set(SIGNALS) for v in seen.flagged)
    assert {v.same_address for v in seen.flagged} == {FLOOD}
    assert {v.network for v in seen.flagged} == {"198.51.100.0/24"}

    # when the sponsor voids the flagged votes,
    done = app.void_votes(
        cast.sponsor,
        entry,
        [UUID(v.vote_id) for v in seen.flagged],
        "One address, 200 new accounts.",
    )
    # then the count is the honest one, and the threshold those votes alone carried is
    # un-crossed (the tally's own history, re-derived) and announced on the challenge;
    assert (done.support_count, done.voided, done.threshold_withdrawn) == (5, FLOOD, True)
    tally = app.repository.get(ids.support_tally_id(entry))
    assert isinstance(tally, SupportTally)
    assert tally.count == 5 and tally.crossed_threshold is None
    assert not app.get_submission(cast.sponsor, entry).support_threshold_reached
    read_side.catch_up()
    row = db.rows(
        "SELECT support_count, threshold_reached FROM pt_submissions WHERE submission_id = ?",
        (str(entry),),
    )[0]
    assert (row["support_count"], row["threshold_reached"]) == (5, 0)
    announced = db.rows(
        "SELECT kind, text FROM pt_announcements WHERE challenge_id = ?", (str(challenge_id),)
    )
    assert [a["kind"] for a in announced] == ["support_threshold_withdrawn"]
    after = entry_votes(db, str(entry))
    assert (after.counting, after.voided) == (5, FLOOD)
    assert all(v.voided and v.void_reason for v in after.flagged)
    assert entry_votes(db, str(entry), include_voided=False).flagged == ()

    # and every read model equals a rebuild from the log.
    followed = dump(db)
    read_side.rebuild()
    assert dump(db) == followed


def test_each_void_is_in_the_admins_decisions_log(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms)
    app.support(cast.public, entry)
    vote_id = ids.vote_id(entry, cast.public)
    app.void_vote(cast.sponsor, vote_id, "Bought.")
    read_side.catch_up()
    rows = decisions_page(db, kind="vote_voided")
    assert [(r["subject_id"], r["reason"], r["actor_name"]) for r in rows] == [
        (str(vote_id), "Bought.", "Sponsor")
    ]
