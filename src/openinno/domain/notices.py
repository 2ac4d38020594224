"""What a person can be notified of (the kinds), and how they want to hear of each.

The kinds are a contract of the API (``kind`` of ``GET /api/v1/notifications``) and
of the preferences recorded on the Account stream: add kinds, never rename one."""

from __future__ import annotations

from openinno.domain.errors import InvalidInput

KINDS: tuple[str, ...] = (
    "reviewer_invited",
    "question_answered",
    "question_hidden",
    "announcement",
    "deadline_moved",
    "shortlisted",
    "awarded",
    "agreement_to_sign",
    "agreement_to_countersign",
    "payment_recorded",
    "transfer_done",
    "team_invitation",
    # Scheduled reminders (issue 23): made from the clock, not from an event.
    "closing_soon",
    "review_due",
    "signature_pending",
    # issue 23, review: a new entry for a reviewer; an entry a reviewer scored revised
    "review_assigned",
    "rereview_needed",
    # Appeals (issue 24): to the sponsor when filed; to both sides when answered;
    # to the appellant when decided.
    "appeal_filed",
    "appeal_answered",
    "appeal_decided",
    # Moderation (issue 24): to an entry's authors when a moderator hides it.
    "entry_hidden",
    # Remedies (issue 24): to an entry's authors when it is disqualified or its place
    # re-awarded; to a voter when their vote is voided.
    "entry_disqualified",
    "award_revoked",
    "vote_voided",
    # to a person removed from an organisation, with the owner's reason
    "member_removed",
)

# How a kind reaches a person by e-mail: at once, in one mail a day collecting the
# day's notifications of every such kind (issue 23), or not at all (in-app always).
MAIL_MODES: tuple[str, ...] = ("instant", "off", "daily")
DEFAULT_MAIL_MODE = "instant"
# Kinds that come in the daily digest unless the person chose otherwise: a reviewer
# of a large challenge would otherwise get a mail per entry (issue 23).
KIND_DEFAULTS: dict[str, str] = {"review_assigned": "daily"}


def default_mode(kind: str) -> str:
    return KIND_DEFAULTS.get(kind, DEFAULT_MAIL_MODE)


def check_preference(kind: str, mail: str) -> None:
    if kind not in KINDS:
        raise InvalidInput("Unknown notification kind %(kind)s.", field="kind", kind=repr(kind))
    if mail not in MAIL_MODES:
        raise InvalidInput(
            "E-mail must be one of %(modes)s.", field="mail", modes=", ".join(MAIL_MODES)
        )


# Mails about the account itself (issue 23), sent whatever the preferences and never
# shown in the notification centre: the e-mail verification link and the password
# reset link.
ACCOUNT_MAILS: tuple[str, ...] = ("verify_email", "password_reset")
