"""The tamper-evident log, published: signed checkpoints for outsiders to keep,
RFC 9162 inclusion and consistency proofs, the public key, and a submission's
evidence bundle (see docs/ip-audit.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Response, Stream

from openinno.application import OpenInno
from openinno.domain.errors import InvalidInput, InvalidState, NotFound
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.bundle import Freshness, build_bundle, bundle_chunks, freshness
from openinno.ledger.log import Ledger, ledger_for
from web.api.auth import SECURITY, signed_in
from web.api.problems import problem_spec


class InclusionProof(msgspec.Struct, frozen=True):
    event_id: int
    leaf_index: int
    tree_size: int
    root_sha256: str
    proof: list[str]


class ConsistencyProof(msgspec.Struct, frozen=True):
    first: int
    second: int
    first_root_sha256: str
    second_root_sha256: str
    proof: list[str]


class PublicKey(msgspec.Struct, frozen=True):
    key_id: str
    public_key_pem: str


@contextmanager
def opened_ledger(openinno: OpenInno) -> Iterator[Ledger]:
    # One connection per request: the handlers run on a thread pool.
    ledger = ledger_for(openinno)
    try:
        yield ledger
    finally:
        ledger.db.close()


@get(
    "/log/checkpoints/latest",
    tags=["log"],
    summary="The latest signed checkpoint",
    responses=problem_spec(404),
    sync_to_thread=True,
)
def latest_checkpoint(openinno: NamedDependency[OpenInno]) -> checkpoints.Checkpoint:
    with opened_ledger(openinno) as ledger:
        latest = ledger.latest_checkpoint()
    if latest is None:
        raise NotFound("No checkpoint has been signed yet.")
    return latest


@get(
    "/log/checkpoints",
    tags=["log"],
    summary="Signed checkpoints, oldest first",
    sync_to_thread=True,
)
def list_checkpoints(
    openinno: NamedDependency[OpenInno],
    after: Annotated[int, QueryParameter(name="after", ge=0)] = 0,
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 100,
) -> list[checkpoints.Checkpoint]:
    with opened_ledger(openinno) as ledger:
        return ledger.signed_checkpoints(after, limit)


@get(
    "/log/public-key",
    tags=["log"],
    summary="The key that signs checkpoints",
    responses=problem_spec(409),
    sync_to_thread=True,
)
def public_key(openinno: NamedDependency[OpenInno]) -> PublicKey:
    with opened_ledger(openinno) as ledger:
        key = ledger.signing_key
    if key is None:
        raise InvalidState("No signing key is configured on this platform.")
    return PublicKey(checkpoints.key_id(key.public_key()), checkpoints.public_key_pem(key).decode())


@get(
    "/log/proof/inclusion",
    tags=["log"],
    summary="Proof that an event (by log position) is in the tree of a given size",
    responses=problem_spec(404, 422),
    sync_to_thread=True,
)
def inclusion_proof(
    openinno: NamedDependency[OpenInno],
    event_id: Annotated[
        int, QueryParameter(name="event_id", ge=1, description="the event's log position")
    ],
    tree_size: Annotated[int, QueryParameter(name="tree_size", ge=1)],
) -> InclusionProof:
    with opened_ledger(openinno) as ledger:
        size, _ = ledger.state()
        if tree_size > size:
            raise InvalidInput("The tree has %(size)s leaves so far.", field="tree_size", size=size)
        index = ledger.leaf_index_of(event_id)
        if index is None or index >= tree_size:
            raise NotFound(
                "Event %(event)s is not in the tree of size %(size)s.",
                event=str(event_id),
                size=tree_size,
            )
        tree = ledger.tree()
        proof = [h.hex() for h in tree.inclusion_proof(index, tree_size)]
        return InclusionProof(event_id, index, tree_size, tree.root(tree_size).hex(), proof)


@get(
    "/log/proof/consistency",
    tags=["log"],
    summary="Proof that the tree of size `second` extends the tree of size `first`",
    responses=problem_spec(422),
    sync_to_thread=True,
)
def consistency_proof(
    openinno: NamedDependency[OpenInno],
    first: Annotated[int, QueryParameter(name="first", ge=1)],
    second: Annotated[int, QueryParameter(name="second", ge=1)],
) -> ConsistencyProof:
    with opened_ledger(openinno) as ledger:
        size, _ = ledger.state()
        if not first <= second <= size:
            raise InvalidInput("Need first <= second <= %(size)s.", field="second", size=size)
        tree = ledger.tree()
        proof = [h.hex() for h in tree.consistency_proof(first, second)]
        return ConsistencyProof(
            first, second, tree.root(first).hex(), tree.root(second).hex(), proof
        )


@get(
    "/log/checkpoint-note",
    tags=["log"],
    summary="A checkpoint as a C2SP signed note with its witnesses' cosignatures"
    " (default: the latest), its stream heads line included",
    responses=problem_spec(404),
    sync_to_thread=True,
)
def checkpoint_note(
    openinno: NamedDependency[OpenInno],
    tree_size: Annotated[int | None, QueryParameter(name="tree_size", ge=1)] = None,
) -> Response[str]:
    with opened_ledger(openinno) as ledger:
        if tree_size is None:
            latest = ledger.latest_checkpoint()
            tree_size = latest.tree_size if latest is not None else None
        text = None if tree_size is None else ledger.checkpoint_note(tree_size)
    if text is None:
        raise NotFound("No checkpoint of that size has been signed.")
    return Response(text, media_type="text/plain; charset=utf-8")


class KeyHistory(msgspec.Struct, frozen=True):
    format: str
    announcements: list[dict[str, object]]
    revocations: list[dict[str, object]]


@get(
    "/log/key-history",
    tags=["log"],
    summary="The signing keys' history, as `openinno verify --key-history` reads it",
    sync_to_thread=True,
)
def key_history(openinno: NamedDependency[OpenInno]) -> KeyHistory:
    return msgspec.convert(openinno.signing_key_history(), KeyHistory)


@get(
    "/log/freshness",
    tags=["log"],
    summary="The latest checkpoint note, a consistency proof from `since` and the named"
    " streams' heads: `openinno verify --fresher` tells whether a bundle is stale",
    responses=problem_spec(409, 422),
    sync_to_thread=True,
)
def fresher_checkpoint(
    openinno: NamedDependency[OpenInno],
    since: Annotated[int, QueryParameter(name="since", ge=1, description="the bundle's tree size")],
    stream_id: Annotated[
        list[UUID],
        QueryParameter(name="stream_id", description="the bundle's streams (repeat, up to 50)"),
    ],
) -> Freshness:
    if len(stream_id) > 50:
        raise InvalidInput("At most %(count)s streams at once.", field="stream_id", count=50)
    with opened_ledger(openinno) as ledger:
        if ledger.signing_key is None:
            raise InvalidState("No signing key is configured on this platform.")
        size, _ = ledger.state()
        if since > size:
            raise InvalidInput("The tree has %(size)s leaves so far.", field="since", size=size)
        try:
            return freshness(ledger, since, [str(s) for s in stream_id])
        except LookupError as e:
            raise InvalidState("%(problem)s; try again in a moment.", problem=str(e)) from None


@get(
    "/submissions/{submission_id:uuid}/evidence",
    tags=["log"],
    summary="The submission's evidence bundle for offline verification (`openinno verify`)",
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
@signed_in
def evidence(
    submission_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    with_files: Annotated[bool, QueryParameter(name="with_files")] = False,
) -> Stream:
    # The bundle names the solver: the chain of title's audience (the pages' too).
    openinno.require_chain_of_title(actor, submission_id)
    with opened_ledger(openinno) as ledger:
        if ledger.signing_key is None:
            raise InvalidState("No signing key is configured on this platform.")
        try:
            bundle = build_bundle(ledger, submission_id)
        except LookupError as e:
            raise InvalidState("%(problem)s; try again in a moment.", problem=str(e)) from None
    # Streamed: with files, the bundle is as large as they are (each read in chunks).
    return Stream(
        bundle_chunks(bundle, openinno.files.chunks if with_files else None),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="evidence-{submission_id}.json"',
            "Cache-Control": "no-store",
        },
    )


HANDLERS = [
    latest_checkpoint,
    list_checkpoints,
    public_key,
    inclusion_proof,
    consistency_proof,
    checkpoint_note,
    key_history,
    fresher_checkpoint,
    evidence,
]
