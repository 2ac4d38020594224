"""Reading the store back after a fault: what is in it, and is every stream whole."""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from openinno.application import OpenInno
from openinno.domain import SolverEntries, Submission, ids
from openinno.settings import Settings


def stored_submissions(app: OpenInno) -> dict[UUID, Submission]:
    """Every submission in the log (from its Submitted event), loaded from its stream."""
    topic = f"{Submission.Submitted.__module__}:{Submission.Submitted.__qualname__}"
    found: dict[UUID, Submission] = {}
    start = 1
    while True:
        page = app.recorder.select_notifications(start, 1000, topics=[topic])
        if not page:
            break
        for notification in page:
            aggregate: object = app.repository.get(UUID(str(notification.originator_id)))
            assert isinstance(aggregate, Submission)
            found[aggregate.id] = aggregate
        start = page[-1].id + 1
    return found


def check_store_whole(
    settings: Settings, challenge_id: UUID, acknowledged: set[UUID]
) -> dict[UUID, Submission]:
    """Every acknowledged submission is stored and loads; every solver's entry count
    (SolverEntries, written in the same transaction) equals their live submissions."""
    app = OpenInno(settings)
    try:
        stored = stored_submissions(app)
        missing = acknowledged - stored.keys()
        assert not missing, f"{len(missing)} acknowledged submissions are not in the store"
        live_by_solver = Counter(s.solver_id for s in stored.values() if s.status != "withdrawn")
        for solver_id, live in live_by_solver.items():
            entries: object = app.repository.get(ids.solver_entries_id(challenge_id, solver_id))
            assert isinstance(entries, SolverEntries)
            assert len(entries.live) == live, (solver_id, len(entries.live), live)
            assert set(entries.live) == {s.id for s in stored.values() if s.solver_id == solver_id}
        return stored
    finally:
        app.close()
