"""An appeal's thread as a viewer may read it (issue 24), for the API and the pages
alike: blind review's rule decides whether the appellant is named (their id, the
``actor_id`` of their messages, their files' names)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from openinno.application import OpenInno, neutral_file_name
from openinno.domain import Appeal


class EvidenceFile(msgspec.Struct, frozen=True):
    name: str
    size: int
    media_type: str
    sha256: str


class MessageView(msgspec.Struct, frozen=True):
    by: str  # "appellant" or "respondent"
    actor_id: UUID | None
    text: str
    files: list[EvidenceFile]
    at: datetime


class DecisionView(msgspec.Struct, frozen=True):
    outcome: str
    reason: str
    decided_by: UUID
    at: datetime


class AppealView(msgspec.Struct, frozen=True):
    id: UUID
    ground: str
    status: str
    challenge_id: UUID
    subject_id: UUID
    submission_id: UUID | None
    appellant_id: UUID | None
    filed_at: datetime
    messages: list[MessageView]
    decision: DecisionView | None
    may_answer: bool
    may_decide: bool


def appeal_view(openinno: OpenInno, viewer: UUID, appeal: Appeal) -> AppealView:
    named = openinno.appellant_named(viewer, appeal)
    staff = openinno.may_decide_appeal(viewer, appeal)
    appellant_side = viewer == appeal.appellant_id
    answering = openinno.may_answer_appeal(viewer, appeal)
    messages = []
    for m in appeal.thread:
        mine = m.actor_id == appeal.appellant_id
        messages.append(
            MessageView(
                by="appellant" if mine else "respondent",
                actor_id=m.actor_id if named or not mine else None,
                text=m.text,
                files=[
                    EvidenceFile(
                        f.name if named or not mine else neutral_file_name(n, f),
                        f.size,
                        f.media_type,
                        f.sha256,
                    )
                    for n, f in enumerate(m.files, start=1)
                ],
                at=m.at,
            )
        )
    decision = None
    if appeal.closed and appeal.decided_by is not None and appeal.decided_at is not None:
        decision = DecisionView(appeal.status, appeal.reason, appeal.decided_by, appeal.decided_at)
    return AppealView(
        id=appeal.id,
        ground=appeal.ground,
        status=appeal.status,
        challenge_id=appeal.challenge_id,
        subject_id=appeal.subject_id,
        submission_id=appeal.submission_id,
        appellant_id=appeal.appellant_id if named else None,
        filed_at=appeal.filed_at,
        messages=messages,
        decision=decision,
        may_answer=not appeal.closed and (answering or appellant_side),
        may_decide=not appeal.closed and staff,
    )
