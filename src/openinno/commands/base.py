"""What the command mixins use of ``OpenInno`` (application.py), which defines it
all: declared here for the type checker only, so each area's module reads alone."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from openinno.clock import Clock
    from openinno.commands.results import Recorded
    from openinno.derivatives import DerivedFiles
    from openinno.domain import Account, Challenge, IpAgreement, Organisation, Submission
    from openinno.files import FileStore
    from openinno.passwords import Passwords
    from openinno.persistence.repository import CopyOnWriteRepository
    from openinno.settings import Settings

A = TypeVar("A", bound=Aggregate)


class CommandBase:
    if TYPE_CHECKING:
        settings: Settings
        clock: Clock
        passwords: Passwords
        files: FileStore
        derived: DerivedFiles

        @property
        def _streams(self) -> CopyOnWriteRepository: ...
        def one_snapshot(self) -> AbstractContextManager[object]: ...
        def _now(self) -> datetime: ...
        def _commit(self, *aggregates: Aggregate | None) -> int: ...
        def _load(
            self, aggregate_id: UUID, kind: type[A], what: str, *, readonly: bool = False
        ) -> A: ...
        def _maybe_load(
            self, aggregate_id: UUID, kind: type[A], *, readonly: bool = False
        ) -> A | None: ...
        def _actor(self, actor_id: UUID, *, readonly: bool = True) -> Account: ...
        def _sponsor(self, actor_id: UUID, challenge: Challenge, *roles: str) -> Organisation: ...
        def _sponsor_agreement(
            self, actor_id: UUID, agreement_id: UUID, *roles: str
        ) -> IpAgreement: ...
        def _visible_challenge(
            self, actor_id: UUID | None, challenge_id: UUID, *, readonly: bool = False
        ) -> Challenge: ...
        # across areas
        def get_submission(self, actor_id: UUID | None, submission_id: UUID) -> Submission: ...
        def authenticate(self, email: str, password: str) -> UUID: ...
        def comment_challenge(self, actor_id: UUID, comment_id: UUID) -> UUID: ...
        def hide_comment(self, actor_id: UUID, comment_id: UUID, reason: str) -> Recorded: ...
        def hide_question(
            self, actor_id: UUID, challenge_id: UUID, question_id: UUID, reason: str
        ) -> Recorded: ...
        def on_team_of(self, actor_id: UUID, submission: Submission) -> bool: ...
        def assigned_to(
            self, challenge: Challenge, reviewer_id: UUID, submission_id: UUID
        ) -> bool: ...
        def may_see_authors(
            self,
            actor_id: UUID | None,
            submission: Submission,
            challenge: Challenge | None = None,
        ) -> bool: ...
        def may_view_submission(
            self,
            actor_id: UUID | None,
            submission: Submission,
            challenge: Challenge | None = None,
        ) -> bool: ...
