"""Which after-the-win forms (issue 29) a person sees on an agreement's page; the
application checks again when they post (commands/royalties.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from openinno.domain.agreement import IpAgreement


def after_the_win_actions(pages: Any, actor: UUID, agreement: IpAgreement) -> dict[str, bool]:
    organisation = pages.openinno.get_organisation(agreement.assignee_organisation_id)
    role = organisation.role_of(actor)
    live = agreement.transferred and agreement.state not in ("disputed", "rescinded")
    sponsor = live and role in ("owner", "manager")
    royalty = agreement.royalty is not None
    return {
        "report": sponsor and royalty,
        "state": live and royalty and role in ("owner", "manager", "legal"),
        "pay": sponsor and royalty and any(not s.settled for s in agreement.statements),
        "commit": sponsor and agreement.production is None,
        "start": sponsor and agreement.production == "committed",
        "drop": sponsor and agreement.production in ("committed", "in_production"),
    }
