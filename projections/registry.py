"""Every read model the process runs, by name."""

from __future__ import annotations

from projections.accounts import PROJECTION as ACCOUNTS
from projections.admin import PROJECTION as ADMIN
from projections.decisions import PROJECTION as DECISIONS
from projections.legal import PROJECTION as LEGAL
from projections.moderation import PROJECTION as MODERATION
from projections.notifications import PROJECTION as NOTIFICATIONS
from projections.participants import PROJECTION as PARTICIPANTS
from projections.projection import Projection
from projections.reviewers import PROJECTION as REVIEWERS
from projections.sifting import PROJECTION as SIFTING
from projections.votes import PROJECTION as VOTES
from projections.webhooks import PROJECTION as WEBHOOKS

ALL: tuple[Projection, ...] = (
    PARTICIPANTS,
    REVIEWERS,
    LEGAL,
    ADMIN,
    ACCOUNTS,
    DECISIONS,
    NOTIFICATIONS,
    VOTES,
    WEBHOOKS,
    MODERATION,
    SIFTING,
)


def by_name(name: str) -> Projection:
    for projection in ALL:
        if projection.name == name:
            return projection
    known = ", ".join(p.name for p in ALL)
    raise KeyError(f"no projection named {name!r} (known: {known})")
