"""Entry drafts (issue 21) through the application: saved and edited privately,
counted against nobody until submitted, then an ordinary entry."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from openinno.application import OpenInno
from openinno.domain import SolverEntries, ids
from openinno.domain.errors import (
    InvalidInput,
    InvalidState,
    NotFound,
    SubmissionLimitReached,
    WindowClosed,
)
from openinno.files import Upload
from tests.support.story import scene

PDF = b"%PDF-1.4\n% a draft's plan\n"


def live(app: OpenInno, challenge_id: UUID, person: UUID) -> list[UUID]:
    entries = app._maybe_load(ids.solver_entries_id(challenge_id, person), SolverEntries)
    return list(entries.live) if entries is not None else []


def test_a_draft_is_private_uncounted_and_submitted_later(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    draft_id = app.save_draft(
        s.solver, challenge_id, "Kites", "", files=[Upload.of_bytes("plan.pdf", PDF)]
    ).id
    # Nobody else finds it; nothing is counted.
    for other in (s.other_solver, s.sponsor, s.reviewer):
        with pytest.raises(NotFound):
            app.get_draft(other, draft_id)
        with pytest.raises(NotFound):
            app.submit_draft(other, draft_id, terms)
    assert live(app, challenge_id, s.solver) == []
    # Edited: new text keeps the files.
    app.edit_entry_draft(s.solver, draft_id, "Solar kites", "Kites that carry panels.")
    draft = app.get_draft(s.solver, draft_id)
    assert draft.content.title == "Solar kites" and [f.name for f in draft.content.files] == [
        "plan.pdf"
    ]
    # Submitting it is an ordinary entry: counted, receipted, with the draft's files.
    recorded = app.submit_draft(s.solver, draft_id, terms)
    entry = app.get_submission(s.solver, recorded.id)
    assert entry.content == draft.content and entry.receipt.version == 1
    assert live(app, challenge_id, s.solver) == [recorded.id]
    assert app.get_draft(s.solver, draft_id).status == "submitted"
    with pytest.raises(InvalidState):
        app.submit_draft(s.solver, draft_id, terms)


def test_submitting_a_draft_applies_every_rule_of_an_entry(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    rough = app.save_draft(s.solver, challenge_id, "Kites", "").id
    with pytest.raises(InvalidInput):  # an entry needs a summary
        app.submit_draft(s.solver, rough, terms)
    app.edit_entry_draft(s.solver, rough, "Kites", "Up.")
    second = app.save_draft(s.solver, challenge_id, "Balloons", "Up too.").id
    app.submit_draft(s.solver, rough, terms)
    # At the limit: refused, nothing recorded, the draft still open.
    with pytest.raises(SubmissionLimitReached):
        app.submit_draft(s.solver, second, terms)
    assert app.get_draft(s.solver, second).status == "draft"
    # After the deadline drafts neither change nor enter.
    clock.advance(timedelta(days=60))
    with pytest.raises(WindowClosed):
        app.save_draft(s.solver, challenge_id, "Late", "")


def test_a_teams_draft_is_its_members(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team = app.form_team(s.solver, challenge_id, "Levers", [str(s.other_solver)]).id
    with pytest.raises(InvalidInput):  # only a member saves for the team
        app.save_draft(s.other_solver, challenge_id, "Levers", "", team_id=team)
    app.accept_team_invitation(s.other_solver, team, terms)
    draft_id = app.save_draft(s.solver, challenge_id, "Levers", "Together.", team_id=team).id
    app.edit_entry_draft(s.other_solver, draft_id, "Levers", "Together, better.")
    recorded = app.submit_draft(s.other_solver, draft_id, terms)
    entry = app.get_submission(s.solver, recorded.id)
    # (the lead has not accepted the terms yet: the member who submitted is its author)
    assert entry.team_id == team and entry.author_ids == (s.other_solver,)
    with pytest.raises(NotFound):
        app.get_draft(s.public, draft_id)


def test_a_discarded_draft_is_gone_for_good(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    draft_id = app.save_draft(s.solver, challenge_id, "Kites", "").id
    app.discard_draft(s.solver, draft_id)
    with pytest.raises(InvalidState):
        app.submit_draft(s.solver, draft_id, terms)
