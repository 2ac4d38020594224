"""Legal, sponsors' and admin read models."""

from __future__ import annotations

import csv
import io
import json

from openinno.application import OpenInno
from projections.admin.projection import event_counts
from projections.db import Db
from projections.legal import queries as legal
from projections.service import ReadSide
from projections.sponsors import queries as sponsors
from projections.values import parse_iso
from tests.projections.story import run_story
from tests.support.story import Scene


def test_chain_of_title_from_submission_to_transfer(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    story = run_story(cast)
    read_side.catch_up()
    chain = legal.chain_of_title(db, story.winner)
    assert [step["step"] for step in chain] == [
        "submitted",
        "revised",
        "awarded",
        "agreement_drafted",
        "signed_by_assignor",
        "countersigned_by_assignee",
        "consideration_paid",
        "ownership_transferred",
    ]
    submission = app.get_submission(cast.solver, story.winner)
    agreement = app.get_agreement(cast.solver, story.agreement)
    assert chain[0]["details"]["accepted_terms_sha256"] == story.terms
    assert chain[1]["details"]["content_sha256"] == submission.content_sha256
    assert chain[3]["details"]["text_sha256"] == agreement.text_sha256
    signed = chain[4]
    assert signed["actor_id"] == str(cast.solver)
    assert signed["details"]["ip_address"] == "203.0.113.7"
    assert signed["event_id"] == f"{story.agreement}@2"
    assert chain[-1]["details"]["content_sha256"] == submission.content_sha256
    positions = [step["position"] for step in chain]
    assert positions == sorted(positions)

    exported = json.loads(legal.chain_of_title_json(db, story.winner))
    assert len(exported["steps"]) == len(chain)
    rows = list(csv.DictReader(io.StringIO(legal.chain_of_title_csv(db, story.winner))))
    assert [r["step"] for r in rows] == [s["step"] for s in chain]

    history = legal.stream_history(db, cast.solver)
    assert history[0]["event_type"] == "Account.Registered"
    assert "password_hash" not in history[0]["data"]
    # Personal fields stay out of the history (decision 0032): it would outlive an erasure.
    assert "email" not in history[0]["data"] and "display_name" not in history[0]["data"]

    by_state = legal.agreements_by_state(db, cast.organisation)
    assert {k: len(v) for k, v in by_state.items()} == {
        "transferred": 1,
        "awaiting_signature": 1,
    }


def test_sponsor_dashboard_ranking_and_export(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    story = run_story(cast)
    read_side.catch_up()
    dashboard = sponsors.challenge_dashboard(db, story.challenge)
    assert dashboard is not None
    assert dashboard["funnel"] == {
        "submissions": 3,
        "eligible": 2,
        "reviewed": 2,
        "shortlisted": 2,
        "awarded": 2,
    }
    assert dashboard["threshold_crossings"] == 1
    assert [a["state"] for a in dashboard["agreements"]] == ["transferred", "awaiting_signature"]
    ranked = list(sponsors.ranked_entries(db, story.challenge))
    assert [r["submission_id"] for r in ranked] == [str(story.winner), str(story.runner_up)]
    rows = list(csv.DictReader(io.StringIO(sponsors.submissions_csv(db, story.challenge))))
    assert [r["rank"] for r in rows] == ["1", "2"]
    assert rows[0]["pseudonym"] == "Entrant 1"
    # streamed a page of rows per chunk, the header first
    chunks = list(sponsors.submissions_csv_chunks(db, story.challenge, page=1))
    assert len(chunks) == 2 and "".join(chunks) == sponsors.submissions_csv(db, story.challenge)
    assert [line.split(",")[0] for line in chunks[1].splitlines()] == ["2"]


def test_admin_counts_events_by_type(app: OpenInno, cast: Scene, read_side: ReadSide, db: Db):
    run_story(cast)
    read_side.catch_up()
    counts = {r["event_type"]: r["count"] for r in event_counts(db)}
    assert counts["Account.Registered"] == 7
    assert counts["Submission.Submitted"] == 3
    assert sum(counts.values()) == app.recorder.max_notification_id()


def test_chain_of_title_and_history_as_of_a_past_position_or_time(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    story = run_story(cast)
    read_side.catch_up()
    chain = legal.chain_of_title(db, story.winner)
    signed = next(s for s in chain if s["step"] == "signed_by_assignor")
    before_signing = legal.AsOf(position=signed["position"] - 1)
    assert [s["step"] for s in legal.chain_of_title(db, story.winner, before_signing)] == [
        "submitted",
        "revised",
        "awarded",
        "agreement_drafted",
    ]
    # awards come 30 days after the entry: as of the entry's time, nothing was awarded
    at_entry = legal.AsOf(time=parse_iso(chain[0]["at"]))
    steps = [s["step"] for s in legal.chain_of_title(db, story.winner, at_entry)]
    assert steps[0] == "submitted" and "awarded" not in steps
    exported = json.loads(legal.chain_of_title_json(db, story.winner, before_signing))
    assert exported["as_of"]["position"] == signed["position"] - 1
    history = legal.stream_history(db, story.agreement, before_signing)
    assert [h["event_type"] for h in history] == ["IpAgreement.Drafted"]


def test_as_of_a_position_never_cuts_one_command_apart(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    """Issue 22: the award records the submission's award and the agreement's draft in
    one transaction; as of the award's position, both are there (never one alone)."""
    story = run_story(cast)
    read_side.catch_up()
    chain = legal.chain_of_title(db, story.winner)
    awarded = next(s for s in chain if s["step"] == "awarded")
    drafted = next(s for s in chain if s["step"] == "agreement_drafted")
    assert drafted["position"] > awarded["position"]  # one command, several events
    at_award = legal.AsOf(position=awarded["position"])
    steps = [s["step"] for s in legal.chain_of_title(db, story.winner, at_award)]
    assert steps[-2:] == ["awarded", "agreement_drafted"]
    page = legal.chain_of_title_page(db, story.winner, at_award, after=None, limit=100)
    assert [s["step"] for s in page] == steps
    history = legal.stream_history(db, story.agreement, at_award)
    assert [h["event_type"] for h in history] == ["IpAgreement.Drafted"]
    # Any position inside the command (the challenge's event comes first): all of it.
    inside = legal.AsOf(position=awarded["position"] - 1)
    steps = [s["step"] for s in legal.chain_of_title(db, story.winner, inside)]
    assert steps[-2:] == ["awarded", "agreement_drafted"]
