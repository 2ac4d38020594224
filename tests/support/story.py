"""A small cast and a published challenge, for tests that need the usual scene."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from msgspec.structs import replace

from openinno.application import AwardsRecorded, OpenInno
from openinno.clock import ManualClock
from openinno.domain.values import ChallengeSpec, Criterion, Prize, Voting

PASSWORD = "correct horse battery"


def spec_for(clock: ManualClock, **changes: Any) -> ChallengeSpec:
    now = clock.now()
    spec = ChallengeSpec(
        title="Bricks that teach physics",
        brief="Propose a building set that teaches a physics principle to 10-year-olds.",
        eligibility="Adults in any country.",
        rules="One idea per entry. Original work only.",
        prizes=(Prize(1, Decimal("5000.00"), "EUR"), Prize(2, Decimal("1000.00"), "EUR")),
        criteria=(Criterion("originality", 40), Criterion("feasibility", 35), Criterion("fun", 25)),
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=30),
        review_ends_at=now + timedelta(days=45),
        max_submissions_per_solver=3,
        visibility="public",
        voting=Voting("public", 3),
        ip_terms="assignment",
        category="toys",
        language="en",
    )
    return replace(spec, **changes)


@dataclass
class Scene:
    app: OpenInno
    clock: ManualClock
    sponsor: UUID
    organisation: UUID
    solver: UUID
    other_solver: UUID
    reviewer: UUID
    public: UUID

    def account(self, name: str) -> UUID:
        return self.app.register_account(f"{name}@example.org", PASSWORD, name.title()).id

    def draft(self, **changes: Any) -> UUID:
        return self.app.draft_challenge(
            self.sponsor, self.organisation, spec_for(self.clock, **changes)
        ).id

    def published(self, **changes: Any) -> tuple[UUID, str]:
        challenge_id = self.draft(**changes)
        published = self.app.publish_challenge(self.sponsor, challenge_id)
        return challenge_id, published.terms_sha256

    def open_challenge(self, **changes: Any) -> tuple[UUID, str]:
        challenge_id, terms = self.published(**changes)
        self.clock.advance(timedelta(days=2))
        return challenge_id, terms

    def award_unreviewed(
        self, challenge_id: UUID, places: list[tuple[UUID, int]]
    ) -> AwardsRecorded:
        """Awards for tests that are not about review (after submissions close): review
        is closed early, announced, and each award records why it is given though no
        reviewer may have scored the entry (issue 20: the rule stays, the test says)."""
        challenge = self.app.get_challenge(challenge_id, self.sponsor)
        if not challenge.review_ended(self.clock.now()):
            self.app.close_review_early(self.sponsor, challenge_id, "Review is closed.")
        reasons = {entry: "Awarded in a test that is not about review." for entry, _ in places}
        return self.app.award(self.sponsor, challenge_id, places, override_reasons=reasons)

    def submit(
        self,
        challenge_id: UUID,
        terms: str,
        solver: UUID | None = None,
        title: str = "Pendulum park",
    ) -> UUID:
        return self.app.submit(
            solver or self.solver, challenge_id, title, "A set with swings and weights.", terms
        ).id


def scene(app: OpenInno, clock: ManualClock) -> Scene:
    def register(name: str) -> UUID:
        return app.register_account(f"{name}@example.org", PASSWORD, name.title()).id

    sponsor = register("sponsor")
    organisation = app.create_organisation(sponsor, "Brickworks").id
    return Scene(
        app=app,
        clock=clock,
        sponsor=sponsor,
        organisation=organisation,
        solver=register("solver"),
        other_solver=register("other"),
        reviewer=register("reviewer"),
        public=register("public"),
    )
