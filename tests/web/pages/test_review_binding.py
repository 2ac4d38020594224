"""Review that binds, on the pages (issue 20): the score form carries the version
read, the queue says "re-review: version N", the dashboard lists stale entries apart,
review closes early with an announcement, and an unscored version is awarded only
with a reason."""

from __future__ import annotations

import re
from datetime import timedelta

from openinno.domain.values import Voting
from tests.web.pages.conftest import Web

SCORES = {"score_0": "8", "score_1": "7", "score_2": "9", "comment": "Clever."}


def test_a_revised_entry_is_reviewed_again_or_awarded_with_a_recorded_reason(web: Web, cast, app):
    challenge, terms = cast.open_challenge(
        review_timing="rolling", visibility="private", voting=Voting("none")
    )
    entry = cast.submit(challenge, terms, title="Pendulum park")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    first = app.get_submission(cast.solver, entry).content_sha256

    web.login("reviewer")
    form = web.get(f"/reviews/{entry}")
    assert f'name="content_sha256" value="{first}"' in form.text
    saved = web.post(f"/reviews/{entry}", {**SCORES, "content_sha256": first})
    assert saved.status_code == 303, saved.text
    app.revise_submission(cast.solver, entry, "Pendulum park", "A completely different idea.")

    queue = web.get("/reviews")
    assert "Re-review: version 2" in queue.text
    form = web.get(f"/reviews/{entry}")
    assert "You scored version 1; the entry is now at version 2." in form.text
    # a form still showing version 1 cannot score version 2 unseen
    stale = web.post(f"/reviews/{entry}", {**SCORES, "content_sha256": first})
    assert stale.status_code == 409
    assert "revised since you opened it" in stale.text

    web.logout()
    web.login("sponsor")
    manage = web.get(f"/challenges/{challenge}/manage")
    assert "Awaiting review of their current version" in manage.text
    assert "Stale: re-review needed" in manage.text
    assert "Prizes are awarded once review ends" in manage.text
    web.clock.advance(timedelta(days=28))
    closed = web.post(f"/challenges/{challenge}/review/close", {"text": "The jury is done."})
    assert closed.status_code == 303, closed.text
    page = web.get(f"/challenges/{challenge}")
    assert "Review closed early" in page.text and "The jury is done." in page.text

    refused = web.post(f"/challenges/{challenge}/award", {"place_1": str(entry)})
    assert refused.status_code == 409
    assert "No reviewer scored version 2" in refused.text
    reason = "Seen at the final pitch."
    awarded = web.post(
        f"/challenges/{challenge}/award", {"place_1": str(entry), "reason_1": reason}
    )
    assert awarded.status_code == 303, awarded.text
    manage = web.get(f"/challenges/{challenge}/manage")
    assert re.search(r"version 2.*Seen at the final pitch\.", manage.text, re.S)
