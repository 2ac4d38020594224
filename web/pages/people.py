"""Who did it, in words: the legal pages (chain of title, a stream's history, the
certificate) show people by name with their part in the record (the entry's
solver, the sponsor's owner, manager or legal member, an administrator) rather
than account ids, which stay beside them for the record."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from openinno.application import OpenInno
from openinno.domain import Challenge, IpAgreement, Organisation, Submission
from openinno.domain.errors import DomainError
from web.pages import labels
from web.pages.base import N_

SOLVER = N_("Solver")


class People:
    """Names and roles of the accounts a record names, looked up once each.
    ``authors``: the record's solvers; ``organisation``: the sponsor's."""

    def __init__(
        self,
        app: OpenInno,
        *,
        authors: tuple[UUID, ...] = (),
        organisation: Organisation | None = None,
    ) -> None:
        self.app = app
        self.authors = frozenset(str(a) for a in authors)
        self.organisation = organisation
        self._known: dict[str, tuple[str, str | None]] = {}

    @classmethod
    def of_stream(cls, app: OpenInno, stream: Aggregate) -> People:
        """The people of a submission's, an agreement's or a challenge's record."""
        if isinstance(stream, Submission):
            return cls(app, authors=stream.author_ids, organisation=_org(app, stream.challenge_id))
        if isinstance(stream, IpAgreement):
            organisation = app.get_organisation(stream.assignee_organisation_id)
            return cls(app, authors=stream.authors, organisation=organisation)
        if isinstance(stream, Challenge):
            return cls(app, organisation=_org(app, stream.id))
        return cls(app)

    def _look_up(self, account_id: Any) -> tuple[str, str | None]:
        key = str(account_id)
        if key not in self._known:
            try:
                account = self.app.get_account(UUID(key))
            except (DomainError, ValueError):
                self._known[key] = ("", None)
                return self._known[key]
            role = None
            member = self.organisation.role_of(account.id) if self.organisation else None
            if key in self.authors:
                role = SOLVER
            elif member is not None:
                role = labels.ROLE.get(member)
            elif account.is_admin:
                role = labels.ROLE["admin"]
            self._known[key] = (account.display_name, role)
        return self._known[key]

    def name(self, account_id: Any) -> str:
        return self._look_up(account_id)[0]

    def role(self, account_id: Any) -> str | None:
        """The msgid of their part in this record (None: none the record shows)."""
        return self._look_up(account_id)[1]


def _org(app: OpenInno, challenge_id: UUID) -> Organisation | None:
    """The challenge's sponsor (read without a viewer: whoever reads this record was
    already let in by the record's own rule)."""
    challenge = app._maybe_load(challenge_id, Challenge, readonly=True)
    if challenge is None:
        return None
    try:
        return app.get_organisation(challenge.organisation_id)
    except DomainError:
        return None
