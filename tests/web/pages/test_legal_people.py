"""Pages people trust (issue 25): agreements say what they are about (the challenge,
the place, the entry and its winner) and when each side signed; the legal pages name
people with their part in the record instead of account ids, and recorded text is
never shown as \\u escapes; the dashboard lists the invited reviewers and their state."""

from __future__ import annotations

import re
from datetime import timedelta

from openinno.domain.values import Voting

TITLE = "Mech łączy dachy"


def _awarded_and_signed(cast, app):
    challenge_id, terms = cast.open_challenge(visibility="private", voting=Voting("none"))
    submission_id = cast.submit(challenge_id, terms, title=TITLE)
    cast.clock.advance(timedelta(days=30))
    agreement_id = cast.award_unreviewed(challenge_id, [(submission_id, 1)]).agreement_ids[0]
    text_sha256 = app.get_agreement(cast.solver, agreement_id).text_sha256
    app.sign_agreement(cast.solver, agreement_id, "Solver", "I sign.", text_sha256)
    return challenge_id, submission_id, agreement_id


def test_an_agreement_names_its_challenge_place_entry_winner_and_signing_time(web, cast, app):
    challenge_id, _submission, agreement_id = _awarded_and_signed(cast, app)
    title = app.get_challenge(challenge_id).spec.title
    web.login("sponsor")
    page = web.get(f"/agreements/{agreement_id}").text
    assert f'<a href="/challenges/{challenge_id}">{title}</a>' in page
    facts = re.sub(r"\s*\n\s*", "", page)
    assert "<dt>Place</dt><dd>1</dd>" in facts
    assert f"<dt>Entry</dt><dd>{TITLE}</dd>" in facts
    assert "<dt>Winner</dt><dd>Solver</dd>" in facts
    signature = re.search(r"<li>Solver: <strong>Solver</strong>.*?</li>", page, re.S)
    assert signature and "<time datetime=" in signature.group(0), page

    listing = web.get(f"/organisations/{cast.organisation}/agreements").text
    assert f"<strong>{title}</strong> · Place 1 · {TITLE} (Solver)" in listing


def test_legal_pages_name_people_with_their_role_and_keep_letters(web, cast, app):
    _challenge, submission_id, agreement_id = _awarded_and_signed(cast, app)
    web.login("sponsor")
    history = web.get(f"/legal/streams/{submission_id}").text
    assert f"Solver (Solver) <code>{cast.solver}</code>" in history
    assert TITLE in history and "\\u0142" not in history
    agreement_history = web.get(f"/legal/streams/{agreement_id}").text
    assert f"Sponsor (Owner) <code>{cast.sponsor}</code>" in agreement_history
    chain = web.get(f"/legal/submissions/{submission_id}").text
    assert f"Solver (Solver) <code>{cast.solver}</code>" in chain
    assert f"Sponsor (Owner) <code>{cast.sponsor}</code>" in chain


def test_the_dashboard_lists_invited_reviewers_and_whether_they_accepted(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    app.invite_reviewer(cast.sponsor, challenge_id, cast.reviewer)
    app.invite_reviewer(cast.sponsor, challenge_id, cast.other_solver)
    app.accept_reviewer_invitation(cast.reviewer, challenge_id)
    web.login("sponsor")
    page = web.get(f"/challenges/{challenge_id}/manage").text
    section = page[page.index('id="reviewers"') : page.index('id="reviewer"')]
    assert "<li>Reviewer · accepted</li>" in section
    assert "<li>Other · invited, not accepted yet</li>" in section
