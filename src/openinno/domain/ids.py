"""Deterministic stream ids.  Where a rule says "one per X", the stream id is
derived from X, so a second attempt is a version conflict in the store, never a
duplicate."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f0c3f0e-7c2a-4f57-9a43-1d8e5b2f4a10")


def email_claim_id(normalised_email: str) -> UUID:
    return uuid5(NAMESPACE, f"email:{normalised_email}")


def solver_entries_id(challenge_id: UUID, solver_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"entries:{challenge_id}:{solver_id}")


def vote_id(submission_id: UUID, voter_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"vote:{submission_id}:{voter_id}")


def support_tally_id(submission_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"support:{submission_id}")


def review_id(submission_id: UUID, reviewer_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"review:{submission_id}:{reviewer_id}")


def assignment_id(challenge_id: UUID, reviewer_id: UUID) -> UUID:
    """The entries assigned to one reviewer of a challenge (decision 0023)."""
    return uuid5(NAMESPACE, f"assignment:{challenge_id}:{reviewer_id}")


def moderation_appeal_id(question_id: UUID, hidden_at: str) -> UUID:
    """One appeal per hiding of a question (issue 24)."""
    return uuid5(NAMESPACE, f"appeal:moderation:{question_id}:{hidden_at}")


def report_id(target_id: UUID, reporter_id: UUID) -> UUID:
    """One report per person per thing reported (issue 24)."""
    return uuid5(NAMESPACE, f"report:{target_id}:{reporter_id}")


def entry_tags_id(challenge_id: UUID) -> UUID:
    """The tags judges put on one challenge's entries (issue 27)."""
    return uuid5(NAMESPACE, f"entry-tags:{challenge_id}")


def duplicates_id(challenge_id: UUID) -> UUID:
    """The sponsor's rulings on one challenge's near-duplicate entries (issue 27)."""
    return uuid5(NAMESPACE, f"duplicates:{challenge_id}")
