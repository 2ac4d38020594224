"""The ledger from the command line: keys, evidence, offline verify, audit, and the
follower `openinno serve` starts (its linger from the settings)."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
import pytest

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.ledger.bundle import decode_bundle
from openinno.settings import Settings
from tests.conftest import START
from tests.support.story import scene
from web.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENINNO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENINNO_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENINNO_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("OPENINNO_ARGON2_MEMORY_KIB", "8")
    return tmp_path


def test_evidence_verify_and_audit_from_the_command_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    assert main(["keys", "generate"]) == 2  # never overwrites a key silently
    assert main(["keys", "generate", "--if-missing"]) == 0
    public_pem = capsys.readouterr().out.split("public key:\n")[1]
    (env / "public.pem").write_text(public_pem)

    clock = ManualClock(START)
    app = OpenInno(Settings.from_env(), clock=clock)
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    text_sha = app.get_agreement(s.solver, agreement_id).text_sha256
    app.sign_agreement(s.solver, agreement_id, "Sol Ver", "I agree", text_sha)
    app.countersign_agreement(s.sponsor, agreement_id, "Spon Sor", "I agree", text_sha)
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    app.close()

    bundle = env / "evidence.json"
    assert main(["evidence", str(entry), "--out", str(bundle)]) == 0
    capsys.readouterr()
    assert main(["verify", str(bundle), "--public-key", str(env / "public.pem")]) == 0
    assert "RESULT: verified" in capsys.readouterr().out
    # Without a key of one's own the bundle's signature proves nothing (issue 22, finding 2).
    assert main(["verify", str(bundle)]) == 1
    out = capsys.readouterr().out
    assert "RESULT: UNAUTHENTICATED" in out and "verified" not in out.split("RESULT:")[1]
    assert "only against the key the bundle itself carries" in out

    bundle.write_text(bundle.read_text().replace("assigns to the Sponsor", "lends to the Sponsor"))
    assert main(["verify", str(bundle), "--public-key", str(env / "public.pem")]) == 1
    out = capsys.readouterr().out
    assert "FAIL  inclusion proofs" in out and "NOT VERIFIED" in out

    assert main(["audit"]) == 0
    db = sqlite3.connect(env / "openinno.db")
    db.execute("DELETE FROM stored_events WHERE rowid = 3")
    db.commit()
    db.close()
    capsys.readouterr()
    assert main(["audit"]) == 1
    assert "deleted: the event at position 3 (leaf 2) is missing" in capsys.readouterr().out


def story_to_payment(clock: ManualClock) -> tuple[OpenInno, UUID, UUID, Any]:
    app = OpenInno(Settings.from_env(), clock=clock)
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    text_sha = app.get_agreement(s.solver, agreement_id).text_sha256
    app.sign_agreement(s.solver, agreement_id, "Sol Ver", "I agree", text_sha)
    app.countersign_agreement(s.sponsor, agreement_id, "Spon Sor", "I agree", text_sha)
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    return app, entry, agreement_id, s


def test_verify_since_an_old_checkpoint_tells_honest_growth_from_a_fork(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22, finding 4: a saved checkpoint, then a bundle of a grown log (consistent)
    and one of a log the key holder rebuilt without an early event (a fork)."""
    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    public_pem = capsys.readouterr().out.split("public key:\n")[1]
    (env / "public.pem").write_text(public_pem)
    clock = ManualClock(START)
    app, entry, _agreement_id, _s = story_to_payment(clock)
    first = env / "first.json"
    assert main(["evidence", str(entry), "--out", str(first)]) == 0
    saved = env / "saved-checkpoint.json"
    saved.write_bytes(msgspec.json.encode(decode_bundle(first.read_bytes()).checkpoint))
    old_size = decode_bundle(first.read_bytes()).checkpoint.tree_size

    app.register_account("late@example.org", "correct horse battery", "Late")  # growth
    app.close()
    grown = env / "grown.json"
    assert main(["evidence", str(entry), "--since", str(saved), "--out", str(grown)]) == 0
    new_size = decode_bundle(grown.read_bytes()).checkpoint.tree_size
    assert new_size == old_size + 2
    capsys.readouterr()
    key = ["--public-key", str(env / "public.pem")]
    assert main(["verify", str(grown), *key, "--since", str(saved)]) == 0
    out = capsys.readouterr().out
    assert f"consistent: the log grew from {old_size} to {new_size}" in out
    assert "RESULT: verified" in out
    # The bundle the checkpoint came from: the log is still at that size.
    assert main(["verify", str(first), *key, "--since", str(env / "saved-checkpoint.json")]) == 0
    capsys.readouterr()

    # The key holder removes the sponsor's first event and rebuilds the ledger.
    db = sqlite3.connect(env / "openinno.db")
    db.execute("DELETE FROM stored_events WHERE rowid = 1")
    db.commit()
    db.close()
    (env / "ledger.db").unlink()
    assert main(["migrate"]) == 0
    forked = env / "forked.json"
    assert main(["evidence", str(entry), "--since", str(saved), "--out", str(forked)]) == 0
    capsys.readouterr()
    assert main(["verify", str(forked), *key]) == 0  # on its own it looks fine
    capsys.readouterr()
    assert main(["verify", str(forked), *key, "--since", str(saved)]) == 1
    out = capsys.readouterr().out
    assert f"RESULT: INCONSISTENT: fork: the log signed at size {new_size - 1} does not " in out
    assert f"extend the one you saved at size {old_size}" in out


def test_audit_names_an_event_appended_by_sql_without_the_write_key(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openinno.ledger.log import catch_up, ledger_for

    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    app = OpenInno(Settings.from_env())
    app.register_account("ada@example.org", "correct horse battery", "Ada")
    ledger = ledger_for(app)
    catch_up(ledger)
    ledger.db.close()
    app.close()
    capsys.readouterr()
    assert main(["audit"]) == 0
    assert "write proofs required from position 1; 0 legacy events" in capsys.readouterr().out
    db = sqlite3.connect(env / "openinno.db")
    db.execute(
        "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
        " SELECT originator_id, 2, topic, CAST(? AS BLOB) FROM stored_events WHERE rowid = 1",
        ('{"display_name":"Mallory"}',),
    )
    db.commit()
    db.close()
    assert main(["audit"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  unproven: the event at position 3 (Account.Registered of stream" in out
    assert "has no write proof; not in the signed log" in out
    assert "RESULT: TAMPERED OR INCOMPLETE" in out
    app = OpenInno(Settings.from_env())
    ledger = ledger_for(app)
    catch_up(ledger)  # the follower refuses it too, and status says so
    ledger.db.close()
    app.close()
    assert main(["ledger", "status"]) == 0
    out = capsys.readouterr().out
    assert "REFUSED 1 events without a valid write proof" in out and "write key: loaded" in out
    Path(Settings.from_env().write_key_path).unlink()
    assert main(["audit"]) == 2


def test_serve_follows_the_ledger_in_a_background_thread(env: Path) -> None:
    from openinno.ledger.log import ledger_for
    from web.ledger_cli import start_ledger

    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0
    settings = Settings.from_env()
    app = OpenInno(settings)
    app.register_account("ada@example.org", "correct horse battery", "Ada")
    stop = start_ledger(settings)
    try:
        ledger = ledger_for(app)
        deadline = time.monotonic() + 10
        while ledger.state()[0] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ledger.state()[0] == 2
        ledger.db.close()
    finally:
        stop()
        app.close()


class WatchedStop(threading.Event):
    """The served follower's stop event, passed through, noting each wait of its loop."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self.stop = stop
        self.waits: list[float | None] = []

    def is_set(self) -> bool:
        return self.stop.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return self.stop.wait(timeout)


@pytest.mark.parametrize(
    ("linger_ms", "first_waits"),
    [
        ("25", [0.025, 0.25]),  # the batch caught up: linger, then the idle wait
        ("0", [0.25, 0.25]),  # switched off: read again at once, found nothing, idle
        (None, [0.01, 0.25]),  # the default, 10 ms
    ],
)
def test_serve_lingers_as_configured(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    linger_ms: str | None,
    first_waits: list[float],
) -> None:
    """The ledger `openinno serve` starts waits OPENINNO_READ_SIDE_LINGER_MS after a batch
    that caught up with the log.  Its real loop runs; only its waits are noted (timing
    them would flake on a loaded machine)."""
    from openinno.ledger.log import Ledger
    from web.ledger_cli import start_ledger

    if linger_ms is None:
        monkeypatch.delenv("OPENINNO_READ_SIDE_LINGER_MS", raising=False)
    else:
        monkeypatch.setenv("OPENINNO_READ_SIDE_LINGER_MS", linger_ms)
    watched: list[WatchedStop] = []
    follow = Ledger.follow

    def watched_follow(self: Ledger, stop: threading.Event, *args: Any, **kwargs: Any) -> None:
        watched.append(WatchedStop(stop))
        follow(self, watched[0], *args, **kwargs)

    monkeypatch.setattr(Ledger, "follow", watched_follow)
    assert main(["migrate"]) == 0
    assert main(["keys", "generate"]) == 0  # without the write key the follower waits
    settings = Settings.from_env()
    app = OpenInno(settings)
    app.register_account("ada@example.org", "correct horse battery", "Ada")  # two events
    stop = start_ledger(settings)
    try:
        deadline = time.monotonic() + 10
        while (not watched or len(watched[0].waits) < 2) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop()
        app.close()
    assert watched, "the ledger never started following"
    assert watched[0].waits[:2] == first_waits
