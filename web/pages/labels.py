"""Names people read for the codes the domain and the read models store: challenge
and submission statuses, agreement states, chain-of-title steps.  Each is a msgid
(N_), translated in the viewer's language by the ``label`` template filter; a code
without a name here is shown as it is (never an error page for a new code)."""

from __future__ import annotations

from web.pages.base import N_

CHALLENGE_STATUS = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "awarded": N_("Awarded"),
    "cancelled": N_("Cancelled"),
}
SUBMISSION_STATUS = {
    "submitted": N_("Submitted"),
    "withdrawn": N_("Withdrawn"),
    "disqualified": N_("Disqualified"),
    "awarded": N_("Awarded"),
}
AGREEMENT_STATE = {
    "awaiting_signature": N_("Awaiting the solver's signature"),
    "awaiting_countersignature": N_("Awaiting the sponsor's countersignature"),
    "awaiting_payment": N_("Awaiting payment"),
    "transferred": N_("Complete: rights transferred"),
    "disputed": N_("Disputed"),
    "rescinded": N_("Rescinded"),
}
CHAIN_STEP = {
    "submitted": N_("Submitted"),
    "revised": N_("Revised"),
    "withdrawn": N_("Withdrawn"),
    "disqualified": N_("Disqualified"),
    "awarded": N_("Awarded"),
    "agreement_drafted": N_("Agreement drafted"),
    "signed_by_assignor": N_("Signed by the solver"),
    "countersigned_by_assignee": N_("Countersigned by the sponsor"),
    "consideration_paid": N_("Prize paid"),
    "ownership_transferred": N_("Ownership transferred"),
    "licence_granted": N_("Licence granted"),
    "disputed": N_("Disputed"),
    "rescinded": N_("Rescinded"),
    "appeal_lodged": N_("Appeal lodged"),
    "appeal_answered": N_("Appeal answered"),
    "appeal_decided": N_("Appeal decided"),
    "reinstated": N_("Reinstated"),
    # After the win (issue 29).
    "sales_reported": N_("Sales reported"),
    "royalty_stated": N_("Royalty statement issued"),
    "royalty_paid": N_("Royalty paid"),
    "production_committed": N_("Committed to produce"),
    "production_started": N_("Production started"),
    "production_dropped": N_("Production dropped"),
}
PRODUCTION = {
    "committed": N_("Committed to produce"),
    "in_production": N_("In production"),
    "dropped": N_("Production dropped"),
}
ROYALTY_PERIOD = {
    "month": N_("each month"),
    "quarter": N_("each quarter"),
    "year": N_("each year"),
}
VOTING = {
    "none": N_("No public voting"),
    "public": N_("Public support with a threshold"),
    "shortlist_then_public": N_("Jury shortlist, then a public vote"),
}
IP_TERMS = {
    "assignment": N_("Assignment of IP to the sponsor"),
    "exclusive_licence": N_("Exclusive licence to the sponsor"),
    "solver_retains": N_("Solver keeps the IP"),
}
VISIBILITY = {
    "public": N_("Public: anyone sees entries"),
    "private": N_("Private: only the sponsor and reviewers see entries"),
}
REVIEW_TIMING = {
    "after_close": N_("Review starts when submissions close"),
    "rolling": N_("Rolling review: reviewers score while submissions are open"),
}
# Who decides the winners (issue 20, the terms' award_rule).
AWARD_RULE = {
    "jury": N_("The jury decides: the final round's scores"),
    "public": N_("The public decides: votes on the jury's shortlist"),
    "weighted": N_("Jury and public together, weighted"),
}
ROLE = {
    "owner": N_("Owner"),
    "manager": N_("Manager"),
    "legal": N_("Legal"),
    "admin": N_("Administrator"),
}
# An entry's name while its authors are hidden (projections.reviewers.queries.pseudonym
# is the same in English, for the API and CSV).
ENTRANT = N_("Entrant %(number)s")
# The entries' search's flags (issue 27).
ENTRY_FLAG = {
    "shortlisted": N_("Shortlisted"),
    "threshold_reached": N_("Support threshold reached"),
    "awarded": N_("Awarded"),
    "reviewed": N_("Reviewed"),
    "unreviewed": N_("Not reviewed yet"),
}
# The time-zone list's groups (the tz database's first part), named in the viewer's
# language (issue 25); the zones within are cities by CLDR's names.
TIME_ZONE_REGION = {
    "Africa": N_("Africa"),
    "America": N_("America"),
    "Antarctica": N_("Antarctica"),
    "Arctic": N_("Arctic"),
    "Asia": N_("Asia"),
    "Atlantic": N_("Atlantic"),
    "Australia": N_("Australia"),
    "Brazil": N_("Brazil"),
    "Canada": N_("Canada"),
    "Chile": N_("Chile"),
    "Etc": N_("Other (offsets from UTC)"),
    "Europe": N_("Europe"),
    "Indian": N_("Indian Ocean"),
    "Mexico": N_("Mexico"),
    "Pacific": N_("Pacific"),
    "US": N_("United States"),
}
KINDS: dict[str, dict[str, str]] = {
    "challenge": CHALLENGE_STATUS,
    "submission": SUBMISSION_STATUS,
    "agreement": AGREEMENT_STATE,
    "step": CHAIN_STEP,
    "voting": VOTING,
    "ip_terms": IP_TERMS,
    "visibility": VISIBILITY,
    "review_timing": REVIEW_TIMING,
    "award_rule": AWARD_RULE,
    "role": ROLE,
    "entry_flag": ENTRY_FLAG,
    "production": PRODUCTION,
    "royalty_period": ROYALTY_PERIOD,
    "time_zone_region": TIME_ZONE_REGION,
}


def msgid(kind: str, code: str) -> str | None:
    """The msgid naming ``code`` of ``kind``; None for a code nobody named yet."""
    return KINDS[kind].get(code)
