"""What a notification says and where it leads: one text per kind, in the reader's
language and time zone, for the notification centre, the API and the mails alike.

The texts name challenges, entries (by their title) and teams, never a person:
the read model gives them no one's name, so no notification can tell someone who
wrote an entry that blind review keeps from them (openinno.domain.blind)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from web.pages.base import N_
from web.pages.i18n import format_money, format_when, gettext_for

TEXTS = {
    "reviewer_invited": N_("You are invited to review the entries of “%(challenge)s”."),
    "question_answered": N_("Your question on “%(challenge)s” was answered."),
    "question_hidden": N_("Your question on “%(challenge)s” was hidden: %(reason)s"),
    "announcement": N_("New announcement on “%(challenge)s”: %(text)s"),
    "deadline_moved": N_("“%(challenge)s” now closes on %(closes_at)s."),
    "shortlisted": N_("Your entry “%(entry)s” was shortlisted."),
    "awarded": N_("Your entry “%(entry)s” won place %(place)s."),
    "agreement_to_sign": N_("The IP agreement for “%(entry)s” awaits your signature."),
    "agreement_to_countersign": N_(
        "The IP agreement for “%(entry)s” awaits your countersignature."
    ),
    "payment_recorded": N_("A payment of %(amount)s for “%(entry)s” was recorded."),
    "transfer_done": N_("The agreement for “%(entry)s” is complete: the rights have passed."),
    "team_invitation": N_("You are invited to join the team “%(team)s”."),
    "closing_soon": N_(
        "“%(challenge)s” closes on %(closes_at)s and your draft is not submitted yet."
    ),
    "review_due": N_(
        "Review of “%(challenge)s” ends on %(review_ends_at)s and entries still await your scores."
    ),
    "signature_pending": N_(
        "The IP agreement for “%(entry)s” has awaited your signature for three days."
    ),
    "review_assigned": N_("A new entry awaits your review in “%(challenge)s”."),
    "rereview_needed": N_("“%(entry)s” was revised to version %(version)s: score it again."),
    "appeal_filed": N_("An appeal was filed on “%(challenge)s”."),
    "appeal_answered": N_("An appeal on “%(challenge)s” has a new answer."),
    "appeal_decided": N_("Your appeal on “%(challenge)s” was decided (%(outcome)s): %(reason)s"),
    "entry_hidden": N_("Your entry “%(entry)s” was hidden by a moderator: %(reason)s"),
    "entry_disqualified": N_("Your entry “%(entry)s” was disqualified: %(reason)s"),
    "award_revoked": N_(
        "Place %(place)s no longer goes to your entry “%(entry)s”; its agreement is"
        " rescinded: %(reason)s"
    ),
    "vote_voided": N_("Your support for “%(entry)s” was voided: %(reason)s"),
    "member_removed": N_("You were removed from the organisation “%(organisation)s”: %(reason)s"),
}
OUTCOMES = {"upheld": N_("upheld"), "rejected": N_("rejected")}
SUBJECT = N_("openinno: %(what)s")
FALLBACK = N_("Something happened on openinno.")
# What a mail's footer and the centre say about preferences.
WHY = N_("You receive this because of your notification settings on openinno.")
OPEN = N_("Open")
UNSUBSCRIBE = N_("Stop e-mails of this kind")


def link(row: Mapping[str, Any]) -> str:
    """The page the notification is about (a path on this site)."""
    kind = row["kind"]
    if kind.startswith("appeal_"):
        appeal_id = json.loads(row.get("params") or "{}").get("appeal_id")
        if appeal_id:
            return f"/appeals/{appeal_id}"
    if row.get("agreement_id") and kind != "awarded":
        return f"/agreements/{row['agreement_id']}"
    if kind in ("shortlisted", "awarded", "entry_hidden", "entry_disqualified", "award_revoked"):
        return "/submissions/mine"
    if kind in ("reviewer_invited", "review_due", "review_assigned", "rereview_needed"):
        return "/reviews"
    if kind == "team_invitation" and row.get("team_id"):
        return f"/teams/{row['team_id']}"
    if row.get("challenge_id"):
        return f"/challenges/{row['challenge_id']}"
    return "/notifications"


def text(row: Mapping[str, Any], locale: str, time_zone: str) -> str:
    """The notification in ``locale``, times in ``time_zone``."""
    message = TEXTS.get(row["kind"])
    if message is None:
        return gettext_for(locale, FALLBACK)
    params: dict[str, Any] = json.loads(row.get("params") or "{}")
    values = {
        "challenge": row.get("challenge_title") or "…",
        "entry": row.get("entry_title") or "…",
        "team": row.get("team_name") or "…",
        "place": params.get("place", ""),
        "version": params.get("version", ""),
        "reason": params.get("reason", ""),
        "organisation": params.get("organisation", ""),
        "outcome": gettext_for(locale, OUTCOMES[params["outcome"]])
        if params.get("outcome") in OUTCOMES
        else "",
        "text": _shorten(params.get("text", "")),
        "closes_at": format_when(params["closes_at"], locale, time_zone)
        if params.get("closes_at")
        else "",
        "review_ends_at": format_when(params["review_ends_at"], locale, time_zone)
        if params.get("review_ends_at")
        else "",
        "amount": format_money(params["amount"], params["currency"], locale)
        if params.get("amount")
        else "",
    }
    return gettext_for(locale, message) % values


def subject(row: Mapping[str, Any], locale: str, time_zone: str) -> str:
    return gettext_for(locale, SUBJECT) % {"what": _shorten(text(row, locale, time_zone), 90)}


def _shorten(value: str, size: int = 140) -> str:
    value = " ".join(value.split())
    return value if len(value) <= size else value[: size - 1] + "…"
