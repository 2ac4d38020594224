"""What encrypting personal fields costs the mapper (decision 0032): votes with an IP
address and a user agent, encoded and decoded with per-person keys (one voter per 10
votes, keys cached as in a running process) against the same events stored plain."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from openinno.domain import Vote
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from openinno.privacy.keys import PersonalKeys
from openinno.settings import Settings
from tests.benchmarks.report import Result, rate


def sample_votes(n: int) -> list:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    voters = [uuid4() for _ in range(max(1, n // 10))]
    return [
        Vote.Cast(
            originator_id=uuid4(),
            originator_version=1,
            timestamp=now,
            originator_topic="openinno.domain.vote:Vote",
            actor_id=voters[i % len(voters)],
            submission_id=uuid4(),
            challenge_id=uuid4(),
            address=f"198.51.100.{i % 250}",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        )
        for i in range(n)
    ]


def run(quick: bool) -> list[Result]:
    n = 2_000 if quick else 50_000
    votes = sample_votes(n)
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            Settings(), data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/events.db"
        )
        keys = PersonalKeys(settings)
        plain, sealed = MsgspecMapper(MsgspecTranscoder()), MsgspecMapper(MsgspecTranscoder())
        sealed.personal = keys
        # Correctness first, and every key made (a running process has them cached).
        stored_sealed = [sealed.to_stored_event(v) for v in votes]
        assert all(b"198.51.100." not in s.state for s in stored_sealed)
        assert vars(sealed.to_domain_event(stored_sealed[0])) == vars(votes[0])
        stored_plain = [plain.to_stored_event(v) for v in votes]
        encode_sealed = rate(n, lambda: [sealed.to_stored_event(v) for v in votes])
        encode_plain = rate(n, lambda: [plain.to_stored_event(v) for v in votes])
        decode_sealed = rate(n, lambda: [sealed.to_domain_event(s) for s in stored_sealed])
        decode_plain = rate(n, lambda: [plain.to_domain_event(s) for s in stored_plain])
        keys.close()
    return [
        Result("vote encode, personal fields encrypted", encode_sealed, "plain (same run)", encode_plain, "events/s"),
        Result("vote decode, personal fields decrypted", decode_sealed, "plain (same run)", decode_plain, "events/s"),
    ]  # fmt: skip
