"""The domain: aggregates, their events, value objects and errors.  Pure: no I/O."""

from openinno.domain.account import Account, EmailClaim
from openinno.domain.agreement import IpAgreement
from openinno.domain.appeal import Appeal
from openinno.domain.assignment import ReviewAssignment
from openinno.domain.challenge import Challenge
from openinno.domain.comment import Comment
from openinno.domain.duplicates import Duplicates
from openinno.domain.entry_draft import EntryDraft
from openinno.domain.entry_tags import EntryTags
from openinno.domain.idempotency import IdempotencyRecord
from openinno.domain.organisation import Organisation
from openinno.domain.report import Report
from openinno.domain.review import Review
from openinno.domain.signing_keys import SigningKeys
from openinno.domain.submission import SolverEntries, Submission
from openinno.domain.team import Team
from openinno.domain.token import ApiKeyring, ApiToken
from openinno.domain.vote import SupportTally, Vote

AGGREGATES = (
    Account,
    EmailClaim,
    Organisation,
    Challenge,
    Submission,
    SolverEntries,
    EntryDraft,
    Team,
    Review,
    ReviewAssignment,
    Vote,
    SupportTally,
    IpAgreement,
    ApiToken,
    ApiKeyring,
    IdempotencyRecord,
    SigningKeys,
    Appeal,
    Report,
    Comment,
    EntryTags,
    Duplicates,
)

__all__ = [
    "AGGREGATES",
    "Account",
    "ApiKeyring",
    "ApiToken",
    "Appeal",
    "Challenge",
    "Comment",
    "Duplicates",
    "EmailClaim",
    "EntryDraft",
    "EntryTags",
    "IdempotencyRecord",
    "IpAgreement",
    "Organisation",
    "Report",
    "Review",
    "ReviewAssignment",
    "SigningKeys",
    "SolverEntries",
    "Submission",
    "SupportTally",
    "Team",
    "Vote",
]
