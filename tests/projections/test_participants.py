"""Participants' read model, fed by events written through the application."""

from __future__ import annotations

from datetime import timedelta

from openinno.application import OpenInno
from openinno.domain.blind import AuthorVisibility
from openinno.domain.values import Voting
from projections.db import Db
from projections.participants import queries
from projections.service import ReadSide
from tests.projections.story import run_story
from tests.support.legacy import entry_naming_coauthors
from tests.support.story import Scene, spec_for

HOSTILE_SEARCHES = (
    '"',
    '"unclosed phrase',
    "AND OR NOT",
    "*",
    "title:kites",
    "NEAR(solar kites)",
    "(",
    ")",
    "-",
    "--",
    "'; DROP TABLE pt_challenges; --",
    "\\",
    "a & b | !c <-> d",
    ":*",
    "^kites",
    "x" * 200,
)


def test_catalogue_full_text_search(app: OpenInno, cast: Scene, read_side: ReadSide, db: Db):
    """Full text over title and brief, on both stores: every word required (in
    any order, either field, any case), phrases, ``or``, ``-word``; Polish and
    Russian text; and no visitor's input can make the query fail."""
    kites, _ = cast.published(title="Solar kites", brief="Kites that charge a phone.")
    drums, _ = cast.published(
        title="Ciche bębny", brief="Zażółć gęślą jaźń: bęben, który nie budzi sąsiadów."
    )
    tea, _ = cast.published(title="Самовар будущего", brief="Чай для МИРА, без угля.")
    cast.draft(title="Secret solar kites draft")
    read_side.catch_up()
    now = cast.clock.now()

    def found(search: str) -> set[str]:
        return {
            c["challenge_id"] for c in queries.open_challenges(db, now=now, search=search).items
        }

    assert found("") == {str(kites), str(drums), str(tea)}
    assert found("phone solar") == {str(kites)}  # title and brief, any order
    assert found("KITES charge") == {str(kites)}
    assert found("solar drums") == set()  # every word required
    assert found('"charge a phone"') == {str(kites)}
    assert found('"phone a charge"') == set()
    assert found("phone or bębny") == {str(kites), str(drums)}
    assert found("kites -phone") == set()
    assert found("gęślą") == {str(drums)}
    assert found("ZAŻÓŁĆ bęben") == {str(drums)}
    assert found("самовар") == {str(tea)}
    assert found("мира угля") == {str(tea)}
    assert found("kit") == set()  # whole words, not substrings (LIKE matched these)
    for search in HOSTILE_SEARCHES:
        queries.open_challenges(db, now=now, search=search)  # never raises
    assert found('"') == set()
    if db.dialect == "postgres":  # the GIN index answers it (were a scan not cheaper)
        db.execute("SET enable_seqscan = off")
        plan = db.rows(
            "EXPLAIN SELECT challenge_id FROM pt_challenges"
            " WHERE search_vector @@ websearch_to_tsquery('simple', 'kites')"
        )
        db.execute("RESET enable_seqscan")
        assert "pt_challenges_search" in str(plan)


def test_catalogue_search_follows_edits_and_rebuilds(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    """The full-text index follows a draft's edits and publication, and a rebuild
    gives the same answers."""
    challenge = cast.draft(title="Windmill classroom", brief="Teach wind power.")
    read_side.catch_up()
    app.edit_challenge(cast.sponsor, challenge, spec_for(cast.clock, title="Tidal classroom"))
    app.publish_challenge(cast.sponsor, challenge)
    read_side.catch_up()
    now = cast.clock.now()

    def titles(search: str) -> list[str]:
        return [c["title"] for c in queries.open_challenges(db, now=now, search=search).items]

    assert titles("tidal") == ["Tidal classroom"]
    assert titles("windmill") == []
    read_side.rebuild()
    assert titles("tidal classroom") == ["Tidal classroom"]
    assert titles("windmill") == []
    # A read model from before full-text search: setup adds what is missing.
    if db.dialect == "sqlite":
        db.execute("DROP TABLE pt_challenges_fts")
    else:
        db.execute("ALTER TABLE pt_challenges DROP COLUMN search_vector")  # and its index
    read_side.setup()
    assert titles("tidal") == ["Tidal classroom"]


def test_catalogue_search_filters_and_cursor_pages(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    first, _ = cast.open_challenge(title="Bricks that teach physics")
    cast.draft(title="A secret draft")
    cast.clock.advance(timedelta(hours=1))
    second, _ = cast.published(title="Solar kites", brief="Kites that charge a phone.")
    cast.clock.advance(timedelta(hours=1))
    third, _ = cast.published(title="Quiet drums", language="pl", category="music")
    read_side.catch_up()
    now = cast.clock.now()

    everything = queries.open_challenges(db, now=now)
    assert {c["challenge_id"] for c in everything.items} == {str(first), str(second), str(third)}
    assert [c["title"] for c in queries.open_challenges(db, now=now, search="KITES").items] == [
        "Solar kites"
    ]
    assert queries.open_challenges(db, now=now, search="phone solar").items[0]["title"] == (
        "Solar kites"
    )
    assert [c["title"] for c in queries.open_challenges(db, now=now, language="pl").items] == [
        "Quiet drums"
    ]
    assert [c["title"] for c in queries.open_challenges(db, now=now, category="music").items] == [
        "Quiet drums"
    ]
    open_now = queries.open_challenges(db, now=now, phases=("open",))
    assert [c["challenge_id"] for c in open_now.items] == [str(first)]
    soon = queries.open_challenges(db, now=now, closing_within=timedelta(days=28))
    assert [c["challenge_id"] for c in soon.items] == [str(first)]
    assert queries.open_challenges(db, now=now, closing_within=timedelta(days=1)).items == []

    page = queries.open_challenges(db, now=now, limit=2)
    assert len(page.items) == 2 and page.next_cursor
    rest = queries.open_challenges(db, now=now, limit=2, cursor=page.next_cursor)
    assert rest.next_cursor is None
    seen = [c["challenge_id"] for c in page.items + rest.items]
    assert sorted(seen) == sorted({str(first), str(second), str(third)})
    closes = [c["closes_at"] for c in page.items + rest.items]
    assert closes == sorted(closes)
    newest = queries.open_challenges(db, now=now, sort="newest", limit=1)
    more = queries.open_challenges(db, now=now, sort="newest", limit=5, cursor=newest.next_cursor)
    assert [c["challenge_id"] for c in newest.items + more.items] == [
        str(third),
        str(second),
        str(first),
    ]


def test_challenge_page_my_submissions_gallery_and_results(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    story = run_story(cast)
    read_side.catch_up()

    # Blind review: no winner's name unless the viewer may know it.
    blind = queries.challenge_page(db, story.challenge)
    assert blind is not None
    assert [r["solver_name"] for r in blind["results"]] == [None, None]
    page = queries.challenge_page(db, story.challenge, AuthorVisibility(revealed=True))
    assert page is not None
    assert page["title"] == "Bricks that teach physics"
    assert page["organisation_name"] == "Brickworks"
    assert page["status"] == "awarded"
    answered, hidden = page["questions"]
    assert answered["text"] == "May teams enter?" and answered["answer"] == "Yes."
    assert hidden["hidden"] is True and hidden["text"] is None
    assert hidden["hidden_reason"] == "Spam"
    assert [a["text"] for a in page["announcements"]] == ["Welcome, builders."]
    assert page["counts"] == {"submissions": 3, "questions": 1, "answered": 1, "announcements": 1}
    assert [(r["place"], r["title"], r["solver_name"]) for r in page["results"]] == [
        (1, "Pendulum park", "Solver"),
        (2, "Lever lab", "Other"),
    ]

    mine = queries.my_submissions(db, cast.solver)
    assert {m["submission_id"] for m in mine} == {str(story.winner), str(story.withdrawn)}
    winner = next(m for m in mine if m["submission_id"] == str(story.winner))
    assert winner["version"] == 2 and winner["status"] == "awarded"
    assert [r["version"] for r in winner["receipts"]] == [1, 2]
    assert winner["receipts"][-1]["content_sha256"] == winner["content_sha256"]
    assert queries.my_submissions(db, cast.public) == []

    gallery = queries.public_gallery(db, story.challenge)
    assert gallery is not None
    assert [(g["submission_id"], g["support_count"]) for g in gallery] == [
        (str(story.winner), 3),
        (str(story.runner_up), 1),
    ]
    assert gallery[0]["threshold_reached"] == 1
    assert all("solver_id" not in g for g in gallery)


def test_drafts_and_private_galleries_stay_hidden(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    draft = cast.draft()
    private, _ = cast.published(visibility="private", voting=Voting("none"))
    read_side.catch_up()
    assert queries.challenge_page(db, draft) is None
    assert queries.public_gallery(db, private) is None


def test_an_entry_lists_among_a_coauthors_submissions_once_they_confirm(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    # Given an entry naming two co-authors (as recorded before issue 21),
    challenge_id, terms = cast.open_challenge()
    entry = entry_naming_coauthors(
        app, cast.solver, challenge_id, terms, [cast.other_solver, cast.public]
    )
    # when one confirms and the other does not,
    app.confirm_coauthorship(cast.other_solver, entry)
    read_side.catch_up()
    # then the entry is among the confirmed co-author's submissions only (issue 19).
    assert [m["submission_id"] for m in queries.my_submissions(db, cast.other_solver)] == [
        str(entry)
    ]
    assert queries.my_submissions(db, cast.public) == []


def test_a_team_entry_lists_among_its_accepted_members_submissions_only(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    # Given a team with one member who accepted and one invitee who did not,
    challenge_id, terms = cast.open_challenge()
    team_id = app.form_team(
        cast.solver, challenge_id, "Lever lab", [str(cast.other_solver), str(cast.public)]
    ).id
    app.accept_team_invitation(cast.other_solver, team_id, terms)
    # when the team enters,
    entry = app.submit(cast.solver, challenge_id, "Levers", "Together.", terms, team_id=team_id).id
    read_side.catch_up()
    # then the entry is the member's too, and not the invitee's (issue 21).
    assert [m["submission_id"] for m in queries.my_submissions(db, cast.other_solver)] == [
        str(entry)
    ]
    assert queries.my_submissions(db, cast.public) == []
