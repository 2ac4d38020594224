"""Which stored event fields are personal data, whose, and under which of their keys.

Declared here, beside nothing else, so that the mapper (which encrypts them) and the
erasure (which finds them in events stored before encryption) agree.  A field path is
dotted into the payload (``signature.typed_name``); ``subject`` is the path of the UUID of
the person the data is about; ``scope`` names which of that person's keys: ``person``
(shredded by an erasure), ``hold:<agreement id>`` (a signature, kept while the legal hold
on that agreement lasts), ``vote:<vote id>`` (a vote's network signals, shredded by an
erasure or by retention).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from openinno.domain.account import Account
from openinno.domain.agreement import IpAgreement
from openinno.domain.comment import Comment
from openinno.domain.vote import Vote

PERSON = "person"
HOLD = "hold:{stream}"
VOTE = "vote:{stream}"


@dataclass(frozen=True)
class PersonalFields:
    subject: str
    fields: tuple[str, ...]
    # A scope name; ``{stream}`` stands for the event's stream id (one key per stream).
    scope: str = PERSON

    def subject_of(self, payload: dict[str, Any], originator_id: str) -> str | None:
        value = (
            originator_id if self.subject == "originator_id" else get_path(payload, self.subject)
        )
        return None if value is None else str(value)

    def scope_of(self, originator_id: str) -> str:
        return self.scope.replace("{stream}", originator_id)


_ACCOUNT = "originator_id"
PERSONAL: dict[str, PersonalFields] = {
    get_topic(cls): spec
    for cls, spec in (
        (Account.Registered, PersonalFields(_ACCOUNT, ("email", "display_name", "password_hash"))),
        (Account.ProfileUpdated, PersonalFields(_ACCOUNT, ("display_name",))),
        (Account.PasswordChanged, PersonalFields(_ACCOUNT, ("password_hash",))),
        (Account.EmailVerificationRequested, PersonalFields(_ACCOUNT, ("email",))),
        (Account.EmailVerified, PersonalFields(_ACCOUNT, ("email",))),
        (Vote.Cast, PersonalFields("actor_id", ("address", "user_agent"), VOTE)),
        (Vote.Recast, PersonalFields("actor_id", ("address", "user_agent"), VOTE)),
        (Comment.Posted, PersonalFields("actor_id", ("text",))),
        (Comment.Edited, PersonalFields("actor_id", ("text",))),
        (
            IpAgreement.SignedByAssignor,
            PersonalFields(
                "signature.signer_id",
                ("signature.typed_name", "signature.ip_address", "signature.user_agent"),
                HOLD,
            ),
        ),
        (
            IpAgreement.CountersignedByAssignee,
            PersonalFields(
                "signature.signer_id",
                ("signature.typed_name", "signature.ip_address", "signature.user_agent"),
                HOLD,
            ),
        ),
    )
}


def get_path(payload: dict[str, Any], path: str) -> Any:
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def set_path(payload: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target: Any = payload
    for part in parents:
        target = target.get(part) if isinstance(target, dict) else None
        if target is None:
            return
    if isinstance(target, dict) and last in target:
        target[last] = value


def without_personal(topic: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` without its personal fields (nor the markers): what a copy of it that
    must stay the same after an erasure may keep (the history's rows).  ``payload``
    itself when the class has none; otherwise a copy, never changed in place."""
    spec = PERSONAL.get(topic)
    if spec is None:
        return payload
    copied = {k: v for k, v in payload.items() if k not in ("_pd", "_redacted")}
    for path in spec.fields:
        *parents, last = path.split(".")
        target = copied
        for part in parents:
            inner = target.get(part)
            if not isinstance(inner, dict):
                break
            target[part] = inner = dict(inner)
            target = inner
        else:
            target.pop(last, None)
    return copied
