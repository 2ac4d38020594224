"""The signing keys' lifecycle (issue 22, finding 7): each new key is announced in the
log signed by the previous one; `openinno keys rotate` and `revoke`; audit and verify
follow the history, and a key announced without the previous key's signature is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain.errors import InvalidInput
from openinno.ledger import checkpoint
from openinno.ledger.bundle import decode_bundle
from openinno.ledger.evidence_verifier import key_announcement_message, key_chain, key_id
from openinno.ledger.key_history import announcement
from openinno.settings import Settings
from tests.conftest import START
from tests.ledger.test_cli import story_to_payment
from web.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENINNO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENINNO_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENINNO_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("OPENINNO_ARGON2_MEMORY_KIB", "8")
    return tmp_path


def public_file(env: Path, name: str) -> str:
    key = checkpoint.load_private_key((env / "signing-key.pem").read_bytes())
    (env / name).write_bytes(checkpoint.public_key_pem(key))
    return str(env / name)


def test_bundles_verify_through_the_key_history_after_a_rotation(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    first_key = public_file(env, "first.pem")
    app, entry, _agreement, _scene = story_to_payment(ManualClock(START))
    app.close()
    before = env / "before.json"
    assert main(["evidence", str(entry), "--out", str(before)]) == 0

    # Replacing the key in use silently is refused (issue 22, finding 7).
    assert main(["keys", "generate", "--force"]) == 2
    assert "openinno keys rotate" in capsys.readouterr().err
    assert main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "signs the checkpoints after it" in out and "new log vkey" in out
    second_key = public_file(env, "second.pem")
    assert Path(first_key).read_bytes() != Path(second_key).read_bytes()
    app = OpenInno(Settings.from_env())
    app.register_account("late@example.org", "correct horse battery", "Late")
    app.close()
    after = env / "after.json"
    assert main(["evidence", str(entry), "--out", str(after)]) == 0
    assert decode_bundle(after.read_bytes()).checkpoint.key_id != (
        decode_bundle(before.read_bytes()).checkpoint.key_id
    )
    assert main(["keys", "history", "--out", str(env / "history.json")]) == 0
    capsys.readouterr()

    # The new bundle carries the history: the key published before verifies it.
    assert main(["verify", str(after), "--public-key", first_key]) == 0
    out = capsys.readouterr().out
    assert "PASS  signing key history: 2 keys, each signed by the one before" in out
    assert "through the key history from the key given" in out
    assert main(["verify", str(after), "--public-key", second_key]) == 0
    # The old bundle, with the key published now: through the history exported.
    assert main(["verify", str(before), "--public-key", second_key]) == 1
    capsys.readouterr()
    history = ["--key-history", str(env / "history.json")]
    assert main(["verify", str(before), "--public-key", second_key, *history]) == 0
    assert "RESULT: verified" in capsys.readouterr().out
    # Audit holds every checkpoint, the old key's and the new key's, through the history.
    assert main(["audit"]) == 0
    assert "RESULT: intact" in capsys.readouterr().out

    # The first key leaked: revoked for the trees above the one before the old bundle's.
    old_size = decode_bundle(before.read_bytes()).checkpoint.tree_size
    first_id = key_id(checkpoint.load_public_key(Path(first_key).read_bytes()))
    revoke = ["keys", "revoke", first_id, "--valid-until", str(old_size - 1), "--reason", "leak"]
    assert main(revoke) == 0
    assert main(["keys", "history", "--out", str(env / "history.json")]) == 0
    capsys.readouterr()
    assert main(["verify", str(before), "--public-key", second_key, *history]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  signing key not revoked: key {first_id} is revoked for trees above size" in out
    assert main(["audit"]) == 1
    out = capsys.readouterr().out
    assert f"checkpoint at tree size {old_size}: signed by key {first_id}, revoked" in out


def test_a_key_announced_without_the_previous_keys_signature_is_refused(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    current = checkpoint.load_private_key((env / "signing-key.pem").read_bytes())
    app = OpenInno(Settings.from_env())
    app.announce_signing_key(announcement(current, 0, None))
    mallory, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    forged = announcement(mallory, 1, stranger)  # endorsed by a key not in the history
    forged["previous_key_id"] = key_id(current.public_key())
    message = key_announcement_message(forged)
    import base64

    forged["endorsement"] = base64.b64encode(stranger.sign(message)).decode()
    forged["acceptance"] = base64.b64encode(mallory.sign(message)).decode()
    with pytest.raises(InvalidInput, match="is not signed by the previous key"):
        app.announce_signing_key(forged)
    unendorsed = {**forged, "endorsement": ""}
    with pytest.raises(InvalidInput, match="is not signed by the previous key"):
        app.announce_signing_key(unendorsed)
    history = app.signing_key_history()
    assert len(history["announcements"]) == 1  # nothing recorded
    app.close()
    _, problem = key_chain([*history["announcements"], forged], [])
    assert "is not signed by the previous key" in problem

    # A verifier given such a history refuses it, whatever else the bundle shows.
    app, entry, _agreement, _scene = story_to_payment(ManualClock(START))
    app.close()
    bundle = env / "evidence.json"
    assert main(["evidence", str(entry), "--out", str(bundle)]) == 0
    history["announcements"].append(forged)
    (env / "forged-history.json").write_text(json.dumps(history))
    mallory_pem = env / "mallory.pem"
    mallory_pem.write_bytes(checkpoint.public_key_pem(mallory))
    capsys.readouterr()
    verify = ["verify", str(bundle), "--key-history", str(env / "forged-history.json")]
    assert main([*verify, "--public-key", str(mallory_pem)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  signing key history: the key" in out
    assert "is not signed by the previous key" in out


def test_a_signing_hook_keeps_the_key_out_of_the_data_directory_and_rotates(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """OPENINNO_SIGNER: checkpoints, notes and bundles signed through an operator's hook
    (PKCS#11, KMS), no key file anywhere; `keys rotate --new-signer` moves to another."""
    from tests.support import fake_token

    monkeypatch.setenv("OPENINNO_SIGNER", "tests.support.fake_token:first_key")
    assert main(["migrate"]) == 0
    assert main(["keys", "generate", "--if-missing", "--out", str(env / "unused.pem")]) == 0
    (env / "unused.pem").unlink()  # only the write key is wanted here
    settings = Settings.from_env()
    first = env / "first.pem"
    first.write_bytes(checkpoint.public_key_pem(fake_token.first_key(settings)))
    app, entry, _agreement, _scene = story_to_payment(ManualClock(START))
    app.close()
    bundle = env / "evidence.json"
    assert main(["evidence", str(entry), "--out", str(bundle)]) == 0
    assert not (env / "signing-key.pem").exists()
    capsys.readouterr()
    assert main(["verify", str(bundle), "--public-key", str(first)]) == 0

    assert main(["keys", "rotate"]) == 2  # a hook's key is not replaced by a file
    assert "--new-signer" in capsys.readouterr().err
    assert main(["keys", "rotate", "--new-signer", "tests.support.fake_token:second_key"]) == 0
    assert "now set OPENINNO_SIGNER=tests.support.fake_token:second_key" in (
        capsys.readouterr().out
    )
    monkeypatch.setenv("OPENINNO_SIGNER", "tests.support.fake_token:second_key")
    app = OpenInno(Settings.from_env())
    app.register_account("late@example.org", "correct horse battery", "Late")
    app.close()
    assert main(["evidence", str(entry), "--out", str(bundle)]) == 0
    capsys.readouterr()
    assert main(["verify", str(bundle), "--public-key", str(first)]) == 0
    assert "through the key history from the key given" in capsys.readouterr().out
    assert main(["audit", "--public-key", str(first)]) == 0
