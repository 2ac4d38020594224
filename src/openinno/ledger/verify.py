"""The offline verifier behind `openinno verify BUNDLE`: no database, no network.

It checks, and names the first thing that fails in each area:
  1. the checkpoint's Ed25519 signature (with the key given, else the bundle's own:
     then the answer is at best UNAUTHENTICATED, since anyone can make a key and
     sign a bundle of their own with it);
  2. an outsider's copy of a checkpoint, when given, agrees with the bundle's; an
     older saved checkpoint (``since``) is extended by the bundle's, by an RFC 9162
     consistency proof (honest growth), or the log was rewritten: a fork;
  3. every event's inclusion proof against the signed root;
  4. the chain of title: submitted under the published terms (hash recomputed
     from the terms themselves), content hashes recomputed from the content,
     awarded, agreement text hashing to what was drafted and signed, every
     author signed, the sponsor countersigned, paid where required, and
     ownership transferred (or licence granted) last, in log order;
  5. the files in the bundle hash to what the submission recorded.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.bundle import ConsistencyProof, EvidenceBundle
from openinno.ledger.canonical import canonical_json, parse_canonical_event
from openinno.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


UNAUTHENTICATED = (
    "UNAUTHENTICATED: every check passed, but the checkpoint signature was checked only "
    "against the key the bundle itself carries, and anyone can sign a bundle of their own; "
    "give the platform's published public key (--public-key)"
)


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    # True only when the checkpoint was checked with a key the verifier trusts (given
    # from outside the bundle); the bundle's own key proves nothing about who signed.
    authenticated: bool = False
    # Set when the log the bundle proves against does not extend a saved checkpoint.
    fork: str = ""

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    @property
    def checks_pass(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def ok(self) -> bool:
        return self.checks_pass and self.authenticated and not self.fork

    def report(self) -> str:
        lines = [
            f"{'PASS' if c.ok else 'FAIL'}  {c.name}{': ' + c.detail if c.detail else ''}"
            for c in self.checks
        ]
        if self.fork:
            lines.append("RESULT: INCONSISTENT: fork: " + self.fork)
        elif not self.checks_pass:
            lines.append("RESULT: NOT VERIFIED")
        elif not self.authenticated:
            lines.append("RESULT: " + UNAUTHENTICATED)
        else:
            lines.append("RESULT: verified")
        return "\n".join(lines)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _kind(event: dict[str, Any]) -> str:
    return str(event["topic"]).rsplit(":", 1)[-1]


def verify_bundle(
    bundle: EvidenceBundle,
    public_key: Ed25519PublicKey | None = None,
    outside_checkpoint: checkpoints.Checkpoint | None = None,
    since: checkpoints.Checkpoint | None = None,
    consistency: ConsistencyProof | None = None,
) -> Verification:
    """``since``: a checkpoint saved earlier; ``consistency``: a proof from its size to
    the bundle's (else the bundle's own ``consistency_proofs`` are searched)."""
    v = Verification(authenticated=public_key is not None)
    cp = bundle.checkpoint
    key = public_key or checkpoints.load_public_key(bundle.public_key_pem.encode())
    source = (
        "the key given"
        if public_key
        else "only the bundle's own key (compare it with the published one)"
    )
    if not v.add(
        "checkpoint signature",
        checkpoints.verify(key, cp),
        f"tree size {cp.tree_size}, checked with {source}",
    ):
        return v
    if outside_checkpoint is not None:
        same = (
            checkpoints.verify(key, outside_checkpoint)
            and outside_checkpoint.tree_size == cp.tree_size
            and outside_checkpoint.root_sha256 == cp.root_sha256
        )
        v.add(
            "outside checkpoint agrees",
            same,
            ""
            if same
            else f"yours: size {outside_checkpoint.tree_size}, bundle: size {cp.tree_size}; "
            "ask the platform for a consistency proof between the two sizes",
        )
    if since is not None:
        proofs = [consistency] if consistency is not None else bundle.consistency_proofs
        if not _consistent(v, key, cp, since, proofs):
            return v
    root = bytes.fromhex(cp.root_sha256)
    events: list[dict[str, Any]] = []
    for item in bundle.events:
        data = item.event.encode()
        proof = [bytes.fromhex(h) for h in item.inclusion_proof]
        if not verify_inclusion(leaf_hash(data), item.leaf_index, cp.tree_size, proof, root):
            v.add("inclusion proofs", False, f"leaf {item.leaf_index} is not in the signed tree")
            return v
        try:
            events.append(parse_canonical_event(data))
        except ValueError as e:
            v.add("canonical form", False, f"leaf {item.leaf_index}: {e}")
            return v
    v.add("inclusion proofs", True, f"{len(events)} events in the signed tree")
    _chain_of_title(v, bundle, sorted(events, key=lambda e: e["position"]))
    return v


def _consistent(
    v: Verification,
    key: Ed25519PublicKey,
    cp: checkpoints.Checkpoint,
    old: checkpoints.Checkpoint,
    proofs: list[ConsistencyProof],
) -> bool:
    """Whether the bundle's signed tree extends the saved one (else a named failure,
    and for two validly signed trees that do not extend each other, a fork)."""
    name = f"consistent with your checkpoint of size {old.tree_size}"
    if not checkpoints.verify(key, old):
        return v.add(name, False, "your checkpoint's signature does not check with this key")
    first, second = old.tree_size, cp.tree_size
    old_root, new_root = bytes.fromhex(old.root_sha256), bytes.fromhex(cp.root_sha256)
    if first > second:
        return v.add(
            name, False, f"the bundle's log (size {second}) is older than yours: get a fresh one"
        )
    if first == second:
        if old_root == new_root:
            return v.add(name, True, f"the log is still at size {second}")
        v.fork = f"two different logs were signed at size {second}"
        return v.add(name, False, v.fork)
    proof = next((p for p in proofs if p.first == first and p.second == second), None)
    if proof is None:
        return v.add(
            name,
            False,
            f"no consistency proof from size {first} to {second} in the bundle "
            "(`openinno evidence --since`, or GET /api/v1/log/proof/consistency)",
        )
    path = [bytes.fromhex(h) for h in proof.proof]
    if verify_consistency(first, second, path, old_root, new_root):
        return v.add(name, True, f"consistent: the log grew from {first} to {second}")
    v.fork = (
        f"the log signed at size {second} does not extend the one you saved at size {first}: "
        "history was rewritten"
    )
    return v.add(name, False, v.fork)


def _chain_of_title(v: Verification, bundle: EvidenceBundle, events: list[dict[str, Any]]) -> None:
    def first(kind: str, **match: Any) -> dict[str, Any] | None:
        for e in events:
            if _kind(e) == kind and all(e["payload"].get(k) == val for k, val in match.items()):
                return e
        return None

    submitted = first("Submission.Submitted")
    if not v.add(
        "submission recorded",
        submitted is not None and submitted["stream_id"] == bundle.submission_id,
    ):
        return
    assert submitted is not None
    published = first("Challenge.Published")
    if not v.add(
        "challenge terms published",
        published is not None and published["stream_id"] == submitted["payload"]["challenge_id"],
    ):
        return
    assert published is not None
    terms_hash = published["payload"]["terms_sha256"]
    v.add(
        "terms hash matches the published terms",
        _sha(canonical_json(published["payload"]["terms"])) == terms_hash,
        terms_hash,
    )
    v.add(
        "submitted under the published terms",
        submitted["payload"]["accepted_terms_sha256"] == terms_hash
        and published["position"] < submitted["position"],
    )
    versions = [
        e
        for e in events
        if e["stream_id"] == bundle.submission_id
        and _kind(e) in ("Submission.Submitted", "Submission.Revised")
    ]
    for e in versions:
        content = e["payload"]["content"]
        if not v.add(
            f"content hash of version {e['version']}",
            _sha(canonical_json(content)) == e["payload"]["content_sha256"],
            e["payload"]["content_sha256"],
        ):
            return
    awarded = first("Submission.Awarded")
    if not v.add("awarded", awarded is not None):
        return
    assert awarded is not None
    content_at_award = [e for e in versions if e["position"] < awarded["position"]][-1]["payload"]
    agreement_id = awarded["payload"]["agreement_id"]
    drafted = next(
        (e for e in events if e["stream_id"] == agreement_id and _kind(e) == "IpAgreement.Drafted"),
        None,
    )
    if not v.add("agreement drafted with the award", drafted is not None):
        return
    assert drafted is not None
    d = drafted["payload"]
    v.add(
        "agreement names the awarded content",
        d["content_sha256"] == content_at_award["content_sha256"]
        and d["submission_id"] == bundle.submission_id,
    )
    v.add("agreement names the published terms", d["terms_sha256"] == terms_hash)
    text = bundle.agreement_texts.get(agreement_id, "")
    v.add(
        "agreement text hashes to what was drafted",
        _sha(text.encode()) == d["text_sha256"] and text == d["text"],
        d["text_sha256"],
    )
    stream = [e for e in events if e["stream_id"] == agreement_id]
    authors = [d["assignor_id"], *d["co_assignor_ids"]]
    signed = {
        e["payload"]["actor_id"]: e for e in stream if _kind(e) == "IpAgreement.SignedByAssignor"
    }
    v.add(
        "every author signed the drafted text",
        all(
            a in signed and signed[a]["payload"]["signature"]["text_sha256"] == d["text_sha256"]
            for a in authors
        ),
        ", ".join(authors),
    )
    counter = next((e for e in stream if _kind(e) == "IpAgreement.CountersignedByAssignee"), None)
    v.add(
        "sponsor countersigned the drafted text after the authors",
        counter is not None
        and counter["payload"]["signature"]["text_sha256"] == d["text_sha256"]
        and all(s["position"] < counter["position"] for s in signed.values()),
    )
    paid = next((e for e in stream if _kind(e) == "IpAgreement.ConsiderationPaid"), None)
    if d["payment_required"]:
        v.add(
            "consideration paid",
            paid is not None,
            paid["payload"]["reference"] if paid else "no payment recorded",
        )
    transfer = next(
        (
            e
            for e in stream
            if _kind(e) in ("IpAgreement.OwnershipTransferred", "IpAgreement.LicenceGranted")
        ),
        None,
    )
    conditions = [e for e in (counter, paid) if e is not None] + list(signed.values())
    v.add(
        "ownership transferred (or licence granted) after every condition",
        transfer is not None and all(c["position"] < transfer["position"] for c in conditions),
        _kind(transfer) if transfer else "no transfer recorded",
    )
    undone = [e for e in stream if _kind(e) in ("IpAgreement.Disputed", "IpAgreement.Rescinded")]
    v.add("not disputed or rescinded", not undone, ", ".join(_kind(e) for e in undone))
    recorded_files = {f["sha256"]: f for f in content_at_award.get("content", {}).get("files", [])}
    for f in bundle.files:
        if f.content_base64 is None:
            continue
        data = base64.b64decode(f.content_base64)
        v.add(f"file {f.name}", _sha(data) == f.sha256 and len(data) == f.size, f.sha256)
    named = {f.sha256 for f in bundle.files}
    v.add("bundle lists every awarded file", set(recorded_files) <= named)
