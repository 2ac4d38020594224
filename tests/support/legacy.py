"""Streams as earlier versions of openinno recorded them, for tests of how they still
behave: stored events are forever, so what they meant then they mean now."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

from openinno.application import OpenInno
from openinno.domain import Challenge, SolverEntries, Submission, ids
from openinno.domain.submission import content_sha256
from openinno.domain.values import SubmissionContent


def entry_naming_coauthors(
    app: OpenInno,
    solver: UUID,
    challenge_id: UUID,
    terms: str,
    named: Sequence[UUID],
    title: str = "Team entry",
) -> UUID:
    """An entry as ``submit`` with ``team_ids`` recorded it between issues 19 and 21:
    ``Submission.Submitted`` (the solver's slot counted) and ``Submission.CoauthorsNamed``.
    The named co-authors are authors only once they confirm (``confirm_coauthorship``)."""
    at = app.clock.now()
    challenge = app.repository.get(challenge_id)
    assert isinstance(challenge, Challenge)
    entries_id = ids.solver_entries_id(challenge_id, solver)
    try:
        entries = app.repository.get(entries_id)
    except Exception:
        entries = SolverEntries(
            id=entries_id, challenge_id=challenge_id, solver_id=solver, timestamp=at
        )
    assert isinstance(entries, SolverEntries)
    submission_id = uuid4()
    entries.count_entry(submission_id, challenge.spec.max_submissions_per_solver, at)
    content = SubmissionContent(title=title, summary="Together.")
    submission = Submission(
        id=submission_id,
        actor_id=solver,
        challenge_id=challenge_id,
        team_ids=(),
        content=content,
        accepted_terms_sha256=terms,
        content_sha256=content_sha256(content),
        receipt_id=uuid4(),
        timestamp=at,
    )
    submission.name_coauthors(solver, tuple(named), at)
    app.save(submission, entries)
    return submission_id
