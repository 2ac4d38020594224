"""The award guard end to end (issue 20): an award and its IP agreement name the
version awarded; a version no reviewer scored is awarded only with the sponsor's
reason, recorded with the award and shown in the chain of title."""

from __future__ import annotations

import pytest

from openinno.application import OpenInno
from openinno.domain.errors import InvalidState, UnreviewedVersion
from projections.db import Db
from projections.legal import queries as legal
from projections.service import ReadSide
from tests.support.story import Scene

SCORES = {"originality": 8, "feasibility": 7, "fun": 9}


def test_an_award_of_a_revised_entry_needs_a_new_review_or_a_recorded_reason(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    # given a rolling review: version 2 scored, then version 3, "a completely different
    # idea", submitted
    challenge, terms = cast.open_challenge(review_timing="rolling")
    entry = cast.submit(challenge, terms, title="Pendulum park")
    runner_up = cast.submit(challenge, terms, solver=cast.other_solver, title="Lever lab")
    app.revise_submission(cast.solver, entry, "Pendulum park", "Version two.")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    version_2 = app.get_submission(cast.solver, entry).content_sha256
    app.record_review(cast.reviewer, entry, SCORES, content_sha256=version_2)
    app.record_review(cast.reviewer, runner_up, SCORES)
    app.revise_submission(cast.solver, entry, "Pendulum park", "A completely different idea.")
    version_3 = app.get_submission(cast.solver, entry).content_sha256
    # a score form opened on version 2 cannot score version 3 unseen
    with pytest.raises(InvalidState, match="read version 3"):
        app.record_review(cast.reviewer, entry, SCORES, content_sha256=version_2)
    cast.clock.advance(cast.app.get_challenge(challenge).spec.closes_at - cast.clock.now())
    app.close_review_early(cast.sponsor, challenge, "The jury has finished.")

    # when the sponsor awards version 3, nobody scored it: refused without a reason
    with pytest.raises(UnreviewedVersion, match="version 3"):
        app.award(cast.sponsor, challenge, [(entry, 1), (runner_up, 2)])
    with pytest.raises(UnreviewedVersion):
        app.award(cast.sponsor, challenge, [(entry, 1)], override_reasons={entry: "   "})
    reason = "The jury watched the new prototype at the final pitch."
    awarded = app.award(
        cast.sponsor, challenge, [(entry, 1), (runner_up, 2)], override_reasons={entry: reason}
    )

    # then the award and its agreement name version 3 and the reason
    awards = {a.submission_id: a for a in app.get_challenge(challenge).awards}
    assert (awards[entry].content_sha256, awards[entry].version) == (version_3, 3)
    assert awards[entry].override_reason == reason
    assert awards[runner_up].override_reason is None  # scored: no reason needed
    agreement = app.get_agreement(cast.solver, awarded.agreement_ids[0])
    assert agreement.content_sha256 == version_3
    assert (agreement.content_version, agreement.override_reason) == (3, reason)
    assert version_3 in agreement.text
    read_side.catch_up()
    steps = {s["step"]: s["details"] for s in legal.chain_of_title(db, entry)}
    assert steps["awarded"]["override_reason"] == reason
    assert steps["awarded"]["content_sha256"] == version_3
    assert steps["agreement_drafted"]["override_reason"] == reason
    assert steps["agreement_drafted"]["content_version"] == 3
    assert "override_reason" not in {
        k for s in legal.chain_of_title(db, runner_up) for k in s["details"]
    }
