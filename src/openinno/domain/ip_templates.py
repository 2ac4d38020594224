"""IP agreement templates.  A template's text never changes once published:
a change is a new version, so every drafted agreement names the exact text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from openinno.domain.values import IpTerms, RoyaltyTerms


@dataclass(frozen=True)
class IpTemplate:
    kind: IpTerms
    version: int
    title: str
    # Whether ownership/licence passes only once the consideration is paid.
    payment_required: bool
    body: str
    # The language the text is drafted in: the binding one (translations for
    # reading only are in ip_translations).
    language: str = "en"


_COMMON_HEAD = """{title}

Agreement id: {agreement_id}
Challenge: {challenge_title} ({challenge_id})
Challenge terms SHA-256: {terms_sha256}
Submission: {submission_title} ({submission_id})
Submission content SHA-256: {content_sha256}
Place awarded: {place}
Consideration: {amount} {currency}

Between {assignor_name} (account {assignor_id}) ("the Solver")
and {assignee_name} (organisation {assignee_id}) ("the Sponsor").
"""

TEMPLATES: dict[tuple[str, int], IpTemplate] = {
    ("assignment", 1): IpTemplate(
        kind="assignment",
        version=1,
        title="Intellectual Property Assignment Agreement",
        payment_required=True,
        body="""1. In consideration of the payment above, the Solver assigns to the Sponsor all
right, title and interest, including all intellectual property rights, in the
submission identified by the content hash above.
2. The assignment takes effect when both parties have signed and the
consideration has been paid.
3. The Solver confirms the submission is their original work, or that they
hold the rights needed to assign it.
""",
    ),
    ("exclusive_licence", 1): IpTemplate(
        kind="exclusive_licence",
        version=1,
        title="Exclusive Licence Agreement",
        payment_required=True,
        body="""1. In consideration of the payment above, the Solver grants the Sponsor an
exclusive, worldwide, perpetual licence to use, modify and commercialise the
submission identified by the content hash above.
2. The licence takes effect when both parties have signed and the
consideration has been paid. The Solver keeps ownership.
""",
    ),
    ("solver_retains", 1): IpTemplate(
        kind="solver_retains",
        version=1,
        title="Non-Exclusive Licence Agreement (Solver Retains Ownership)",
        payment_required=False,
        body="""1. The Solver keeps all rights in the submission identified by the content
hash above and grants the Sponsor a non-exclusive, worldwide, royalty-free
licence to use it for the purposes of the challenge and publicity about it.
2. The licence takes effect when both parties have signed.
""",
    ),
}

CURRENT_VERSION: dict[str, int] = {"assignment": 1, "exclusive_licence": 1, "solver_retains": 1}


def current_template(kind: str) -> IpTemplate:
    return TEMPLATES[(kind, CURRENT_VERSION[kind])]


def render_agreement(
    template: IpTemplate,
    *,
    agreement_id: UUID,
    challenge_id: UUID,
    challenge_title: str,
    terms_sha256: str,
    submission_id: UUID,
    submission_title: str,
    content_sha256: str,
    place: int,
    amount: Decimal,
    currency: str,
    assignor_id: UUID,
    assignor_name: str,
    assignee_id: UUID,
    assignee_name: str,
    co_assignors: tuple[tuple[UUID, str], ...] = (),
    royalty: RoyaltyTerms | None = None,
) -> str:
    head = _COMMON_HEAD.format(
        title=template.title,
        agreement_id=agreement_id,
        challenge_title=challenge_title,
        challenge_id=challenge_id,
        terms_sha256=terms_sha256,
        submission_title=submission_title,
        submission_id=submission_id,
        content_sha256=content_sha256,
        place=place,
        amount=amount,
        currency=currency,
        assignor_name=assignor_name,
        assignor_id=assignor_id,
        assignee_name=assignee_name,
        assignee_id=assignee_id,
    )
    if co_assignors:
        # Every author of a team entry is a party and signs; name each of them.
        team = "; ".join(f"{name} (account {account_id})" for account_id, name in co_assignors)
        head += f"Together with the Solver's team members, each also a Solver: {team}.\n"
    body = template.body
    if royalty is not None:
        # A clause only agreements with a royalty have (issue 29): every text drafted
        # before, or without one, reads exactly as it did.
        body += royalty_clause(royalty)
    return f"{head}\n{body}\nTemplate: {template.kind} v{template.version}\n"


_PERIOD_WORDS = {"month": "month", "quarter": "calendar quarter", "year": "calendar year"}


def royalty_clause(royalty: RoyaltyTerms) -> str:
    """The royalty the terms promised, as the agreement's text states it (signed)."""
    currency = (
        f"Sales are reported, and royalties paid, in {royalty.currency}."
        if royalty.currency
        else "Royalties are owed and paid in the currency of the sales, never converted."
    )
    return (
        f"R. In addition to the consideration above, the Sponsor pays the Solver a royalty of\n"
        f"{royalty.rate_percent}% of the net sales of products made from the submission. For each\n"
        f"{_PERIOD_WORDS.get(royalty.period, royalty.period)} the Sponsor reports those sales and "
        f"issues a statement of the royalty\n"
        f"owed, computed from its reports and rounded half up to the currency's minor unit.\n"
        f"{currency}\n"
    )
