"""`openinno witness`: a transparency-log witness (c2sp.org/tlog-witness), run as a
separate service with its own Ed25519 key and its own small state file.

For each log it is configured with (origin and verifier key), the state records
the size and root hash of the latest checkpoint it cosigned.  It cosigns a new
checkpoint (c2sp.org/tlog-cosignature, timestamped) only after checking the log's
signature and an RFC 6962 consistency proof from that size; so it never cosigns
two checkpoints of one log that do not extend each other, and a log rewritten by
whoever holds its key is refused (409 or 422) instead of cosigned.

The check and the write of the new state happen under one lock, and the state is
replaced atomically (written beside, fsynced, renamed) before the answer: a crash
never rolls the witness back.  A witness whose state file is lost must get a new
key, or it could cosign a fork.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openinno.ledger.evidence_verifier import (
    NOTE_ED25519,
    NoteKey,
    parse_checkpoint_body,
    signatures_by,
    split_note,
    verify_consistency,
)
from openinno.ledger.note import cosign

log = logging.getLogger("openinno.witness")
MAX_REQUEST_BYTES = 64 * 1024
MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class WitnessState:
    """{origin: {"size": n, "root": base64}} in one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, dict[str, object]]:
        if not self.path.exists():
            return {}
        value = json.loads(self.path.read_text())
        if not isinstance(value, dict):
            raise ValueError(f"{self.path}: not a witness state")
        return value

    def latest(self, origin: str) -> tuple[int, bytes | None]:
        entry = self.load().get(origin)
        if entry is None:
            return 0, None
        return int(str(entry["size"])), base64.b64decode(str(entry["root"]))

    def latest_text(self, origin: str) -> str | None:
        """The SHA-256 of the note text last cosigned (None: not recorded, older state)."""
        entry = self.load().get(origin)
        return None if entry is None or "text" not in entry else str(entry["text"])

    def record(self, origin: str, size: int, root: bytes, text: str | None = None) -> None:
        state = self.load()
        state[origin] = {"size": size, "root": base64.b64encode(root).decode()}
        if text is not None:
            # Extension lines (the stream heads, decision 0024) are cosigned with the tree:
            # one text per size, so a log cannot have two commitments cosigned for one tree.
            state[origin]["text"] = hashlib.sha256(text.encode()).hexdigest()
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w") as f:
            json.dump(state, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        temporary.replace(self.path)


class Witness:
    def __init__(
        self,
        name: str,
        private_key: Ed25519PrivateKey,
        logs: Sequence[NoteKey],
        state: WitnessState,
        now: Callable[[], float],
    ) -> None:
        self.name = name
        self.private_key = private_key
        self.logs: dict[str, list[NoteKey]] = {}
        for key in logs:
            if key.signature_type != NOTE_ED25519:
                raise ValueError(f"log key {key.name}: not an Ed25519 note key")
            self.logs.setdefault(key.name, []).append(key)
        self.state = state
        self.now = now
        self._lock = threading.Lock()

    def add_checkpoint(self, request: bytes) -> Answer:
        """POST add-checkpoint: the request body in, the answer out."""
        try:
            old, proof, note = _parse_request(request)
            text, signatures = split_note(note)
            origin, size, root = parse_checkpoint_body(text)
        except (ValueError, UnicodeDecodeError) as e:
            return Answer(400, f"malformed request: {e}\n")
        keys = self.logs.get(origin)
        if keys is None:
            return Answer(404, f"unknown log {origin}\n")
        if not any(0 in signatures_by(key, text, signatures) for key in keys):
            return Answer(403, "no signature of a key this witness trusts for the log\n")
        if old > size:
            return Answer(400, f"old size {old} is above the checkpoint's size {size}\n")
        with self._lock:
            latest, latest_root = self.state.latest(origin)
            if old != latest:
                return Answer(409, f"{latest}\n", SIZE_CONTENT_TYPE)
            if old == size and latest_root is not None and root != latest_root:
                log.error("witness: %s signed two different trees of size %s", origin, size)
                return Answer(409, f"{latest}\n", SIZE_CONTENT_TYPE)
            known = self.state.latest_text(origin)
            if (
                old == size
                and known is not None
                and known != hashlib.sha256(text.encode()).hexdigest()
            ):
                log.error("witness: %s signed two different notes of size %s", origin, size)
                return Answer(409, f"{latest}\n", SIZE_CONTENT_TYPE)
            if old == 0 and proof:
                return Answer(422, "a proof from size 0 must be empty\n")
            if 0 < old < size and (
                latest_root is None or not verify_consistency(old, size, proof, latest_root, root)
            ):
                # Kept in the log: the log signed a tree that does not extend one it
                # signed before, evidence of its misbehaviour.
                log.error(
                    "witness: %s size %s does not extend size %s it cosigned; request: %r",
                    origin,
                    size,
                    old,
                    request.decode(errors="replace"),
                )
                return Answer(422, f"the consistency proof from {old} to {size} does not verify\n")
            self.state.record(origin, size, root, text)
        return Answer(200, cosign(self.private_key, self.name, text, int(self.now())))


def _parse_request(request: bytes) -> tuple[int, list[bytes], str]:
    text = request.decode()
    head, blank, note = text.partition("\n\n")
    if not blank:
        raise ValueError("no blank line before the checkpoint")
    lines = head.split("\n")
    if not lines[0].startswith("old "):
        raise ValueError("the first line is not the old size")
    size = lines[0][4:]
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise ValueError("the old size is not a decimal without leading zeroes")
    proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    if len(proof) > MAX_PROOF_LINES or any(len(h) != 32 for h in proof):
        raise ValueError("the consistency proof is not up to 63 hashes of 32 bytes")
    return int(size), proof, note


def serve(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server answering POST /add-checkpoint (call serve_forever on it)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/add-checkpoint":
                self._answer(Answer(404, "not found\n"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_REQUEST_BYTES:
                self._answer(Answer(400, "the request needs a body of at most 64 KiB\n"))
                return
            self._answer(witness.add_checkpoint(self.rfile.read(length)))

        def _answer(self, answer: Answer) -> None:
            data = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            log.info("%s %s", self.address_string(), format % args)

    return ThreadingHTTPServer((host, port), Handler)
