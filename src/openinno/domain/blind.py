"""Blind review: who may know who wrote an entry.  The one rule every page, API
route, read-model query, export, evidence bundle and history view asks before it
shows an entry's author names or account ids.

An entry's authors are known to

1. the authors themselves;
2. active admins (they moderate and answer for the platform);
3. the sponsor's owners and legal members, once the entry is awarded: the award
   drafts an IP agreement that names its authors as assignors, and these roles
   countersign it, so they must know their counterparty.  Judging is over for an
   awarded entry; the other entries stay blind to them until the reveal;
4. everyone who may see the entry, once the sponsor revealed the challenge's
   identities (``Challenge.IdentitiesRevealed``, only after the award).

Everyone else (managers, who run the judging; reviewers; other solvers; visitors)
sees pseudonyms, never a name or an account id, until the reveal."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from uuid import UUID

# Organisation roles that are the counterparty of an award's IP agreement (rule 3).
COUNTERPARTY_ROLES = ("owner", "legal")


@dataclass(frozen=True)
class AuthorVisibility:
    """One viewer's standing towards one challenge's entries (``OpenInno.author_visibility``
    builds it from the write side); ``sees`` applies the rule to one entry."""

    viewer: UUID | None = None
    admin: bool = False
    counterparty: bool = False  # an owner or legal member of the sponsor (rule 3)
    revealed: bool = False

    def sees(self, author_ids: Collection[UUID | str], *, awarded: bool) -> bool:
        if self.revealed or self.admin:
            return True
        if awarded and self.counterparty:
            return True
        return self.viewer is not None and (
            self.viewer in author_ids or str(self.viewer) in author_ids
        )

    def with_revealed(self, revealed: bool) -> AuthorVisibility:
        """The same viewer towards another challenge (lists across challenges)."""
        return replace(self, revealed=revealed)


# No one's identity: what a read-model query shows when it is not told otherwise.
BLIND = AuthorVisibility()
