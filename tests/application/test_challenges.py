import sqlite3
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from eventsourcing.cryptography import AESCipher

from openinno.application import OpenInno
from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.values import Criterion, Prize, canonical_json, sha256_hex
from openinno.persistence.migrate import migrate_event_store
from tests.support.story import PASSWORD, scene, spec_for


@pytest.mark.parametrize(
    "changes",
    [
        {"prizes": (Prize(1, Decimal("99.999"), "EUR"),)},
        {"criteria": (Criterion("a", 70), Criterion("b", 20))},
        {"closes_at": "before opens"},
        {"review_ends_at": "before closes"},
    ],
)
def test_bad_challenge_specs_are_typed_errors_and_write_nothing(app, clock, changes):
    s = scene(app, clock)
    if changes.get("closes_at") == "before opens":
        changes = {"closes_at": clock.now()}
    if changes.get("review_ends_at") == "before closes":
        changes = {"review_ends_at": clock.now() + timedelta(days=2)}
    before = app.recorder.max_notification_id()
    with pytest.raises(InvalidInput):
        app.draft_challenge(s.sponsor, s.organisation, spec_for(clock, **changes))
    assert app.recorder.max_notification_id() == before


def test_published_terms_hash_is_the_hash_of_the_terms_document(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.published()
    challenge = app.get_challenge(challenge_id)
    assert sha256_hex(app.terms_document(challenge)) == terms
    assert canonical_json(challenge.terms) == app.terms_document(challenge)
    with pytest.raises(InvalidState):
        app.edit_challenge(s.sponsor, challenge_id, spec_for(clock, title="Sneaky change"))


def test_extending_a_deadline_reopens_submissions_and_keeps_the_accepted_terms(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    clock.advance(timedelta(days=29))
    app.extend_deadline(s.sponsor, challenge_id, clock.now() + timedelta(days=7), "One more week.")
    clock.advance(timedelta(days=3))
    s.submit(challenge_id, terms)  # the original terms hash is still the one to accept
    assert app.get_challenge(challenge_id).terms_sha256 == terms


def test_encryption_at_rest_hides_payloads_in_the_sqlite_file(tmp_path, clock):
    from openinno.settings import Settings

    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/secret.db",
        data_dir=tmp_path,
        cipher_key=AESCipher.create_key(32),
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )
    migrate_event_store(settings)
    app = OpenInno(settings, clock=clock)
    try:
        account = app.register_account("secret.person@example.org", PASSWORD, "Secret Person").id
        assert app.get_account(account).email == "secret.person@example.org"
    finally:
        app.close()
    raw = (
        sqlite3.connect(tmp_path / "secret.db")
        .execute("SELECT state FROM stored_events")
        .fetchall()
    )
    assert raw and all(b"secret.person" not in bytes(row[0]) for row in raw)
    wrong_key = OpenInno(replace(settings, cipher_key=AESCipher.create_key(32)), clock=clock)
    try:
        with pytest.raises(Exception, match=r"cipher|decrypt|tag|Failed"):
            wrong_key.get_account(account)
    finally:
        wrong_key.close()


def test_partial_edits_racing_on_one_draft_both_survive(app, clock):
    from msgspec.structs import replace as struct_replace

    s = scene(app, clock)
    challenge_id = s.draft()
    raced = []

    def retitle(spec):
        if not raced:
            # Another manager changes the brief between our read and our save.
            raced.append(True)
            app.edit_challenge(
                s.sponsor, challenge_id, lambda other: struct_replace(other, brief="A new brief.")
            )
        return struct_replace(spec, title="A new title")

    app.edit_challenge(s.sponsor, challenge_id, retitle)
    spec = app.get_challenge(challenge_id, s.sponsor).spec
    assert (spec.title, spec.brief) == ("A new title", "A new brief.")
