"""Witnessed checkpoints (issue 22): checkpoints as C2SP signed notes, a witness that
cosigns (tlog-cosignature) only a checkpoint that extends the last one it cosigned
(tlog-witness add-checkpoint), and the verifier's N-of-M witness policy."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openinno.ledger import evidence_verifier as ev
from openinno.ledger import note
from openinno.ledger.merkle import MerkleTree
from openinno.ledger.witness import Witness, WitnessState

ORIGIN = "test.example/openinno"


def test_note_signatures_follow_signed_note_byte_for_byte() -> None:
    """A note signed by the Go reference implementation (golang.org/x/mod/sumdb/note's
    own example) verifies here: same text, key ID and signature encoding."""
    key = ev.parse_vkey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    signed = (
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n"
        "\n"
        "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
        "qfqdngotpRZb6KE6RyyBwJnAM=\n"
    )
    text, signatures = ev.split_note(signed)
    assert ev.signatures_by(key, text, signatures) == [0]
    assert ev.signatures_by(key, text.replace("you", "we", 1), signatures) == [None]
    with pytest.raises(ValueError, match="key ID does not match"):
        ev.parse_vkey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_a_checkpoint_note_is_origin_size_and_base64_root_signed_under_the_origin() -> None:
    key = Ed25519PrivateKey.generate()
    root = bytes(range(32))
    signed = note.sign_checkpoint(key, ORIGIN, 42, root)
    body, line = signed.split("\n\n")
    assert body == f"{ORIGIN}\n42\n{base64.b64encode(root).decode()}"
    name, encoded = line.removeprefix("\u2014 ").removesuffix("\n").split(" ")
    raw = key.public_key().public_bytes_raw()
    assert name == ORIGIN
    assert (
        base64.b64decode(encoded)[:4]
        == (hashlib.sha256(ORIGIN.encode() + b"\n\x01" + raw).digest()[:4])
    )
    text, signatures = ev.split_note(signed)
    assert ev.parse_checkpoint_body(text) == (ORIGIN, 42, root)
    assert ev.signatures_by(ev.parse_vkey(note.log_vkey(key, ORIGIN)), text, signatures) == [0]


class Log:
    """A log's tree and key, to feed a witness."""

    def __init__(
        self, leaves: int, key: Ed25519PrivateKey | None = None, salt: bytes = b""
    ) -> None:
        self.key = key or Ed25519PrivateKey.generate()
        self.tree = MerkleTree()
        self.salt = salt
        self.grow(leaves)

    def grow(self, leaves: int) -> None:
        for _ in range(leaves):
            self.tree.append(self.salt + str(self.tree.size).encode())

    def request(self, old: int, size: int | None = None, proof_from: Log | None = None) -> bytes:
        size = self.tree.size if size is None else size
        source = proof_from or self
        proof = source.tree.consistency_proof(old, size) if 0 < old < size else []
        lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
        signed = note.sign_checkpoint(self.key, ORIGIN, size, self.tree.root(size))
        return ("\n".join(lines) + "\n\n" + signed).encode()


@pytest.fixture
def witness_of(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(log: Log) -> Witness:
        logs = [ev.parse_vkey(note.log_vkey(log.key, ORIGIN))]
        return Witness(
            "w.example/one",
            Ed25519PrivateKey.generate(),
            logs,
            WitnessState(tmp_path / "state.json"),
            lambda: 1_767_000_000.0,
        )

    return make


def test_the_witness_cosigns_honest_growth_with_a_timestamped_cosignature(witness_of) -> None:  # type: ignore[no-untyped-def]
    log = Log(5)
    witness = witness_of(log)
    answer = witness.add_checkpoint(log.request(0))
    assert answer.status == 200
    body = note.sign_checkpoint(log.key, ORIGIN, 5, log.tree.root()).split("\n\n")[0] + "\n"
    key = ev.parse_vkey(note.witness_vkey(witness.private_key, witness.name))
    _, signatures = ev.split_note(body + "\n" + answer.body)
    assert ev.signatures_by(key, body, signatures) == [1_767_000_000]
    assert witness.state.latest(ORIGIN) == (5, log.tree.root())
    log.grow(6)
    assert witness.add_checkpoint(log.request(5)).status == 200
    assert witness.state.latest(ORIGIN)[0] == 11
    # The same checkpoint again is cosigned again (a log retrying after a lost answer).
    assert witness.add_checkpoint(log.request(11)).status == 200


def test_the_witness_refuses_a_fork_and_keeps_its_state(witness_of) -> None:  # type: ignore[no-untyped-def]
    honest = Log(8)
    witness = witness_of(honest)
    assert witness.add_checkpoint(honest.request(0)).status == 200
    forked = Log(8, key=honest.key, salt=b"rewritten ")  # same key, other history
    # Not told the size it last cosigned: 409 with that size.
    answer = witness.add_checkpoint(forked.request(0))
    assert (answer.status, answer.body, answer.content_type) == (409, "8\n", "text/x.tlog.size")
    # The same size with another root: 409.
    assert witness.add_checkpoint(forked.request(8)).status == 409
    # A larger forked tree, with a proof that cannot extend the cosigned one: 422.
    forked.grow(4)
    assert witness.add_checkpoint(forked.request(8)).status == 422
    # Nor with the honest log's proof attached.
    assert witness.add_checkpoint(forked.request(8, proof_from=Log(12, honest.key))).status == 422
    assert witness.state.latest(ORIGIN) == (8, honest.tree.root())


def test_the_witness_refuses_unknown_logs_keys_and_malformed_requests(witness_of) -> None:  # type: ignore[no-untyped-def]
    log = Log(3)
    witness = witness_of(log)
    stranger = Log(3)  # another key for the same origin
    assert witness.add_checkpoint(stranger.request(0)).status == 403
    other_origin = log.request(0).replace(ORIGIN.encode(), b"elsewhere.example/log")
    assert witness.add_checkpoint(other_origin).status == 404
    assert witness.add_checkpoint(b"old 01\n\n" + log.request(0).split(b"\n\n", 1)[1]).status == 400
    assert witness.add_checkpoint(log.request(0).replace(b"old 0", b"old 9")).status == 400
    assert witness.add_checkpoint(b"garbage").status == 400
    assert witness.state.latest(ORIGIN) == (0, None)


# --- two real witnesses, as separate processes on 127.0.0.1 --------------------------------

ROOT = Path(__file__).resolve().parents[2]


class WitnessProcess:
    def __init__(self, name: str, directory: Path, log_vkey: str) -> None:
        import os
        import subprocess
        import sys

        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
        self.name = name
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "web.cli",
                "witness",
                "--name",
                name,
                "--key",
                str(directory / f"{name.replace('/', '_')}.pem"),
                "--state",
                str(directory / f"{name.replace('/', '_')}.state"),
                "--log",
                log_vkey,
                "--listen",
                "127.0.0.1:0",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        lines = [self.process.stdout.readline() for _ in range(3)]
        self.vkey = next(line for line in lines if line.startswith("witness vkey: "))[14:].strip()
        self.url = next(line for line in lines if "listening on" in line).split()[-1]

    def config(self) -> dict[str, str]:
        return {"name": self.name, "url": self.url, "public_key": self.vkey}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def test_two_witness_processes_cosign_and_one_shown_a_fork_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import sqlite3
    import subprocess
    import sys

    from openinno.application import OpenInno
    from openinno.clock import ManualClock
    from openinno.ledger import checkpoint
    from openinno.ledger.bundle import decode_bundle
    from openinno.ledger.log import ledger_for
    from openinno.settings import Settings
    from tests.conftest import START
    from tests.ledger.test_cli import story_to_payment
    from web.cli import main

    monkeypatch.setenv("OPENINNO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENINNO_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENINNO_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("OPENINNO_ARGON2_MEMORY_KIB", "8")
    monkeypatch.setenv("OPENINNO_LOG_ORIGIN", ORIGIN)
    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    signing_key = checkpoint.load_private_key((tmp_path / "signing-key.pem").read_bytes())
    (tmp_path / "platform.pem").write_bytes(checkpoint.public_key_pem(signing_key))
    log_vkey = note.log_vkey(signing_key, ORIGIN)
    a = WitnessProcess("witness-a.example/w", tmp_path, log_vkey)
    b = WitnessProcess("witness-b.example/w", tmp_path, log_vkey)
    try:
        monkeypatch.setenv("OPENINNO_WITNESSES", json.dumps([a.config(), b.config()]))
        app, entry, _agreement, _scene = story_to_payment(ManualClock(START))
        app.close()
        honest = tmp_path / "honest.json"
        assert main(["evidence", str(entry), "--out", str(honest)]) == 0
        size = decode_bundle(honest.read_bytes()).checkpoint.tree_size
        capsys.readouterr()
        policy = ["--public-key", str(tmp_path / "platform.pem")]
        policy += ["--witness", a.vkey, "--witness", b.vkey]
        assert main(["verify", str(honest), *policy]) == 0
        out = capsys.readouterr().out
        assert "PASS  cosigned by at least 2 of 2 witnesses: " in out
        assert f"{ORIGIN}: 2 cosigned (witness-a.example/w at " in out
        # The one-file verifier, on its own, applies the same policy.
        verifier = ROOT / "src" / "openinno" / "ledger" / "evidence_verifier.py"
        alone = subprocess.run(
            [sys.executable, "-I", str(verifier), str(honest), *policy],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert alone.returncode == 0, alone.stdout + alone.stderr
        # A bundle made before witnessing (no note) still reads, and fails a policy.
        older = json.loads(honest.read_text())
        del older["checkpoint_note"]
        (tmp_path / "older.json").write_text(json.dumps(older))
        assert decode_bundle((tmp_path / "older.json").read_bytes()).checkpoint_note is None
        assert main(["verify", str(tmp_path / "older.json"), *policy]) == 1
        assert "carries no checkpoint note: export it again" in capsys.readouterr().out
        assert main(["ledger", "status"]) == 0
        out = capsys.readouterr().out
        assert f"log vkey: {log_vkey}" in out and f"witness {a.name}: {a.url}" in out
        # A witness the bundle was never cosigned by fails a policy that needs it.
        stranger = note.witness_vkey(Ed25519PrivateKey.generate(), "stranger.example/w")
        assert main(["verify", str(honest), *policy, "--witness", stranger]) == 1
        assert "FAIL  cosigned by at least 3 of 3 witnesses" in capsys.readouterr().out

        # Whoever holds the signing key removes the first event, rebuilds the ledger,
        # adds events (so the rewritten log is larger) and shows it to witness B only.
        db = sqlite3.connect(tmp_path / "openinno.db")
        db.execute("DELETE FROM stored_events WHERE rowid = 1")
        db.commit()
        db.close()
        (tmp_path / "ledger.db").unlink()
        monkeypatch.setenv("OPENINNO_WITNESSES", json.dumps([b.config()]))
        assert main(["migrate"]) == 0
        app = OpenInno(Settings.from_env())
        app.register_account("late@example.org", "correct horse battery", "Late")
        ledger = ledger_for(app)
        from openinno.ledger.log import catch_up

        catch_up(ledger)
        forked_size = ledger.checkpoint_now().tree_size  # type: ignore[union-attr]
        assert forked_size > size
        replies = ledger.cosign_latest()
        # B answered 409 with the size it cosigned, then refused the proof from it.
        assert replies[b.name].status == 422
        assert ledger.checkpoint_note(forked_size).count("\u2014 ") == 1  # type: ignore[union-attr]
        ledger.db.close()
        app.close()
        state = json.loads((tmp_path / "witness-b.example_w.state").read_text())
        assert state[ORIGIN]["size"] == size  # B still holds the honest tree

        forked = tmp_path / "forked.json"
        assert main(["evidence", str(entry), "--out", str(forked)]) == 0
        capsys.readouterr()
        assert main(["verify", str(forked), "--public-key", str(tmp_path / "platform.pem")]) == 0
        capsys.readouterr()  # on its own, signed by the platform's key, it looks fine
        assert main(["verify", str(forked), *policy, "--witness-quorum", "1"]) == 1
        out = capsys.readouterr().out
        assert "FAIL  cosigned by at least 1 of 2 witnesses: " + ORIGIN + ": 0 cosigned" in out
        assert "RESULT: NOT VERIFIED" in out
    finally:
        a.stop()
        b.stop()


def test_the_follower_has_checkpoints_cosigned_from_a_thread_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`openinno serve`'s follower never waits for a witness: a thread of its own
    submits each new checkpoint (only the newest, under load)."""
    import json
    import threading
    import time

    from openinno.application import OpenInno
    from openinno.ledger import checkpoint
    from openinno.ledger.log import ledger_for
    from openinno.ledger.witness import serve
    from openinno.settings import Settings
    from web.cli import main

    monkeypatch.setenv("OPENINNO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENINNO_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENINNO_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("OPENINNO_ARGON2_MEMORY_KIB", "8")
    monkeypatch.setenv("OPENINNO_LOG_ORIGIN", ORIGIN)
    monkeypatch.setenv("OPENINNO_CHECKPOINT_EVERY_EVENTS", "2")
    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    signing_key = checkpoint.load_private_key((tmp_path / "signing-key.pem").read_bytes())
    witness_key = Ed25519PrivateKey.generate()
    witness = Witness(
        "w.example/thread",
        witness_key,
        [ev.parse_vkey(note.log_vkey(signing_key, ORIGIN))],
        WitnessState(tmp_path / "w.state"),
        time.time,
    )
    server = serve(witness, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = {
        "name": witness.name,
        "url": f"http://127.0.0.1:{server.server_address[1]}",
        "public_key": note.witness_vkey(witness_key, witness.name),
    }
    monkeypatch.setenv("OPENINNO_WITNESSES", json.dumps([config]))
    app = OpenInno(Settings.from_env())
    ledger = ledger_for(app)
    stop = threading.Event()
    follower = threading.Thread(target=ledger.follow, args=(stop,))
    follower.start()
    try:
        for i in range(3):
            app.register_account(f"user{i}@example.org", "correct horse battery", f"User {i}")
        deadline = time.monotonic() + 20
        while witness.state.latest(ORIGIN)[0] < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        follower.join(timeout=10)
        server.shutdown()
    assert witness.state.latest(ORIGIN)[0] == 6
    assert ledger.checkpoint_note(6).count("\u2014 w.example/thread ") == 1  # type: ignore[union-attr]
    ledger.db.close()
    app.close()


def test_the_witnesses_setting_is_checked_with_clear_errors() -> None:
    from openinno.ledger.witnessing import parse_witnesses

    key = Ed25519PrivateKey.generate()
    good = {"name": "w.example/a", "url": "http://127.0.0.1:7380", "public_key": ""}
    good["public_key"] = note.witness_vkey(key, "w.example/a")
    import json

    assert parse_witnesses("") == []
    [parsed] = parse_witnesses(json.dumps([good]))
    assert (parsed.name, parsed.url) == ("w.example/a", "http://127.0.0.1:7380")
    for text, message in [
        ("not json", "is not JSON"),
        (json.dumps(good), "must be a JSON list"),
        (json.dumps([{**good, "extra": 1}]), '{"name": …, "url": …, "public_key": …}'),
        (json.dumps([{**good, "name": "w.example/b"}]), "under the same name"),
        (
            json.dumps([{**good, "public_key": note.log_vkey(key, "w.example/a")}]),
            "cosignature/v1 verifier key",
        ),
        (json.dumps([{**good, "url": "ftp://x"}]), "must be http(s)"),
        (json.dumps([good, good]), "share a name"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_witnesses(text)
