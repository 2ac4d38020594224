"""The verifier anyone can run (issue 22, finding 6): one file, the standard library
and `cryptography`; the bundle format it accepts is docs/evidence-bundle.schema.json,
versioned, with unknown fields refused; and its canonical JSON and signed messages
are the platform's byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from eventsourcing.persistence import Notification

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger import evidence_verifier
from openinno.ledger.canonical import canonical_json as ledger_canonical_json
from openinno.ledger.log import read_event
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from tests.persistence.test_mapper import stored_fixture

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "src" / "openinno" / "ledger" / "evidence_verifier.py"


@pytest.fixture
def bundle_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A real bundle of a transferred assignment, and the platform's public key."""
    from openinno.clock import ManualClock
    from tests.conftest import START
    from tests.ledger.test_cli import story_to_payment
    from web.cli import main

    monkeypatch.setenv("OPENINNO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENINNO_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENINNO_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("OPENINNO_ARGON2_MEMORY_KIB", "8")
    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    app, entry, _agreement, _scene = story_to_payment(ManualClock(START))
    app.close()
    bundle = tmp_path / "evidence.json"
    assert main(["evidence", str(entry), "--out", str(bundle)]) == 0
    key = checkpoints.load_private_key((tmp_path / "signing-key.pem").read_bytes())
    public = tmp_path / "platform.pem"
    public.write_bytes(checkpoints.public_key_pem(key))
    return bundle, public


@pytest.mark.slow
def test_the_verifier_runs_alone_in_a_bare_virtual_environment(
    bundle_file: tuple[Path, Path], tmp_path: Path
) -> None:
    """A fresh venv with only `cryptography` (and what it needs) installed, the one file
    copied out of the project, run in isolated mode: verified with the key,
    UNAUTHENTICATED without it, NOT VERIFIED after a change."""
    bundle, public = bundle_file
    venv, alone = tmp_path / "bare-venv", tmp_path / "elsewhere"
    alone.mkdir()
    shutil.copy(VERIFIER, alone / "evidence_verifier.py")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "cryptography"],
        check=True,
        capture_output=True,
    )
    installed = subprocess.run(
        [
            python,
            "-I",
            "-c",
            "import importlib.metadata as m; print(sorted(d.metadata['Name'].lower() for d in m.distributions()))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert set(json.loads(installed.replace("'", '"'))) <= {"cryptography", "cffi", "pycparser"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [python, "-I", "evidence_verifier.py", *args],
            cwd=alone,
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = run(str(bundle), "--public-key", str(public))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  bundle format: openinno-evidence/2" in done.stdout
    assert "RESULT: verified" in done.stdout
    done = run(str(bundle))
    assert done.returncode == 1 and "RESULT: UNAUTHENTICATED" in done.stdout
    bundle.write_text(bundle.read_text().replace("WIRE-1", "WIRE-2"))
    done = run(str(bundle), "--public-key", str(public))
    assert done.returncode == 1 and "FAIL  inclusion proofs" in done.stdout


def test_the_schema_in_docs_is_the_one_the_verifier_checks() -> None:
    documented = json.loads((ROOT / "docs" / "evidence-bundle.schema.json").read_text())
    assert documented == evidence_verifier.SCHEMA


def test_unknown_fields_and_other_versions_are_refused(bundle_file: tuple[Path, Path]) -> None:
    bundle_path, public_path = bundle_file
    public = evidence_verifier.load_public_key(public_path.read_bytes())
    genuine = json.loads(bundle_path.read_bytes())
    assert evidence_verifier.verify_bundle(genuine, public).ok

    def refused(change: dict) -> str:
        bundle = json.loads(bundle_path.read_bytes())
        change_in(bundle, change)
        result = evidence_verifier.verify_bundle(bundle, public)
        assert not result.ok and result.checks[0].name == "bundle format"
        return result.checks[0].detail

    def change_in(bundle: dict, change: dict) -> None:
        for path, value in change.items():
            target = bundle
            *parents, last = path
            for p in parents:
                target = target[p]
            target[last] = value

    assert (
        refused({("format",): "openinno-evidence/3"})
        == "$.format: must be one of 'openinno-evidence/1', 'openinno-evidence/2'"
    )
    assert refused({("stream_heads", 0, "leaf"): 1}) == "$.stream_heads[0]: unknown field 'leaf'"
    assert refused({("verdict",): "verified"}) == "$: unknown field 'verdict'"
    assert refused({("events", 0, "note"): "x"}) == "$.events[0]: unknown field 'note'"
    assert refused({("checkpoint", "witness"): "x"}) == "$.checkpoint: unknown field 'witness'"
    assert refused({("checkpoint", "tree_size"): "12"}) == "$.checkpoint.tree_size: must be integer"
    assert refused({("checkpoint", "tree_size"): True}) == "$.checkpoint.tree_size: must be integer"


def test_the_verifiers_canonical_json_is_the_ledgers_for_every_event_type() -> None:
    mapper = MsgspecMapper(MsgspecTranscoder())
    for i, stored in enumerate(stored_fixture(), start=1):
        n = Notification(
            id=i,
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=stored.state,
        )
        leaf = read_event(mapper, n).leaf
        assert evidence_verifier.parse_canonical_event(leaf)["position"] == i
        value = json.loads(leaf)
        assert evidence_verifier.canonical_json(value) == ledger_canonical_json(value) == leaf


@pytest.mark.parametrize(
    "at",
    [datetime(2026, 3, 1, 9, 0, tzinfo=UTC), datetime(2026, 3, 1, 9, 0, 0, 120, tzinfo=UTC)],
)
def test_signed_checkpoint_messages_are_the_ones_signed_before(at: datetime) -> None:
    """The message is now built by the verifier's code; checkpoints signed earlier (with
    the msgspec encoding) must still verify."""
    key = checkpoints.load_private_key(checkpoints.generate_private_key_pem())
    cp = checkpoints.sign(key, 7, bytes(32), at)
    earlier = checkpoints.SIGNED_PREFIX + ledger_canonical_json(
        {"tree_size": 7, "root_sha256": bytes(32).hex(), "signed_at": at, "key_id": cp.key_id}
    )
    assert cp.message() == earlier
    assert checkpoints.verify(
        key.public_key(), msgspec.json.decode(msgspec.json.encode(cp), type=checkpoints.Checkpoint)
    )
