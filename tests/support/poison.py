"""Events a read model cannot apply, put into a real store for the quarantine tests."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from openinno.application import OpenInno, Recorded
from openinno.domain import Account
from openinno.domain import challenge as challenge_module
from openinno.domain.values import Prize
from tests.support.story import Scene, spec_for


def insert_undecodable_event(app: OpenInno) -> int:
    """An `Account.Registered` whose stored payload no longer decodes (a damaged row,
    or a payload written by code that no longer exists), inserted beside the
    application's own events: every read model that handles the topic fails on it,
    however often it tries.  Returns its position in the log."""
    stored = StoredEvent(
        originator_id=uuid4(),
        originator_version=1,
        topic=get_topic(Account.Registered),
        state=b"\x00 not a payload any version of the mapper wrote",
    )
    app.recorder.insert_events([stored])
    return app.recorder.max_notification_id() or 0


def record_unbounded_draft(app: OpenInno, cast: Scene) -> Recorded:
    """A draft with a prize that today's bounds refuse and no Decimal context can add,
    recorded through the real write path with its validation switched off: what an
    older version of the code left in the store forever."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(challenge_module, "validate_spec", lambda spec: None)
        spec = spec_for(cast.clock, prizes=(Prize(1, Decimal("1E+999999999"), "EUR"),))
        return app.draft_challenge(cast.sponsor, cast.organisation, spec)
