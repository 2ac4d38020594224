"""Reads ahead (openinno.persistence.repository): a command reads the streams it knows
it will need in one query, and still sees everything recorded before it, its own
writes after it, and fresh state when it retries after a conflict.  Both stores."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from openinno.application import OpenInno, retry_on_conflict
from openinno.domain import Account, ids
from openinno.domain.errors import AccessDenied, InvalidCredentials
from openinno.domain.values import Voting
from openinno.persistence.repository import CopyOnWriteRepository
from tests.support.story import PASSWORD, scene


@dataclass
class Reads:
    """Queries to the event store: batches (``read_many``) and single-stream reads
    outside a batch (``select_events``)."""

    batches: int = 0
    single: int = 0
    _in_batch: bool = field(default=False, repr=False)


@contextmanager
def counted(app: OpenInno) -> Iterator[Reads]:
    reads = Reads()
    repository: Any = app.repository
    recorder: Any = app.events.recorder
    read_many, select_events = repository.read_many, recorder.select_events

    def counting_read_many(versions: Any) -> Any:
        reads.batches += 1
        reads._in_batch = True
        try:
            return read_many(versions)
        finally:
            reads._in_batch = False

    def counting_select(*args: Any, **kwargs: Any) -> Any:
        if not reads._in_batch:
            reads.single += 1
        return select_events(*args, **kwargs)

    repository.read_many, recorder.select_events = counting_read_many, counting_select
    try:
        yield reads
    finally:
        repository.read_many, recorder.select_events = read_many, select_events


def voting_scene(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(voting=Voting("public", 1000))
    submission_id = s.submit(challenge_id, terms)
    return s, submission_id


def test_a_vote_reads_its_streams_and_the_tally_in_one_query(app, clock):
    s, submission_id = voting_scene(app, clock)
    app.support(s.public, submission_id)  # the submission, challenge and org now cached
    fan = s.account("fan")
    with counted(app) as reads:
        recorded = app.support(fan, submission_id)
    assert recorded.support_count == 2
    # Before: eight reads (account, submission, challenge, organisation, vote, tally...).
    assert (reads.batches, reads.single) == (1, 0)


def test_a_vote_on_an_entry_not_cached_reads_its_challenge_and_organisation_together(
    app, settings, clock
):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(voting=Voting("public", 1000))
    first, submission_id = s.submit(challenge_id, terms), s.submit(challenge_id, terms)
    fan = s.account("fan")
    other = OpenInno(settings, clock=clock)  # another process
    try:
        other.support(s.public, first)  # its challenge and organisation now cached there
        with counted(other) as reads:
            assert other.support(fan, submission_id).support_count == 1
    finally:
        other.close()
    # The vote's streams and the tally; then the entry's challenge and organisation
    # (unknown until the entry was read) in one query, not one each.
    assert (reads.batches, reads.single) == (2, 0)


def test_a_token_and_its_account_are_read_in_one_query(app, clock):
    s = scene(app, clock)
    token, _ = app.issue_token("solver@example.org", PASSWORD)
    assert app.account_for_token(token) == s.solver  # cached from here
    with counted(app) as reads:
        assert app.account_for_token(token) == s.solver
    assert (reads.batches, reads.single) == (1, 0)


def test_a_token_and_what_its_command_reads_come_in_one_query(app, clock):
    """The API's submit and vote: the token's query also brings the command's streams
    (``account_for_token(also=...)`` within ``one_snapshot``); the command reads none."""
    s, submission_id = voting_scene(app, clock)
    challenge_id, terms = s.open_challenge()
    token, _ = app.issue_token("public@example.org", PASSWORD)
    assert app.account_for_token(token) == s.public  # the token's account now known
    app.support(s.public, submission_id)  # the entry's challenge and organisation cached
    app.retract_support(s.public, submission_id)

    with counted(app) as reads, app.one_snapshot():
        actor = app.account_for_token(token, also=lambda a: app.reads_of_support(a, submission_id))
        assert app.support(actor, submission_id).support_count == 1
    assert (reads.batches, reads.single) == (1, 0)  # the token + the vote's, the tally too

    with counted(app) as reads, app.one_snapshot():
        actor = app.account_for_token(token, also=lambda a: app.reads_of_submit(a, challenge_id))
        app.submit(actor, challenge_id, "Brick tower", "Tall and thin.", terms)
    assert (reads.batches, reads.single) == (1, 0)

    # Without the hint: the command's own query besides the token's.
    with counted(app) as reads, app.one_snapshot():
        actor = app.account_for_token(token)
        app.submit(actor, challenge_id, "Brick bridge", "Long and low.", terms)
    assert (reads.batches, reads.single) == (2, 0)


def test_a_token_revoked_elsewhere_is_refused_with_the_command_read_ahead(app, settings, clock):
    s, submission_id = voting_scene(app, clock)
    token, _ = app.issue_token("public@example.org", PASSWORD)
    assert app.account_for_token(token) == s.public
    app.support(s.public, submission_id)
    app.retract_support(s.public, submission_id)
    other = OpenInno(settings, clock=clock)
    try:
        other.revoke_token(s.public, token)  # another process
    finally:
        other.close()
    with app.one_snapshot(), pytest.raises(InvalidCredentials):
        app.account_for_token(token, also=lambda a: app.reads_of_support(a, submission_id))
    assert app.support_count(submission_id) == 0


def test_what_is_read_with_the_token_is_what_another_process_recorded(app, settings, clock):
    s, submission_id = voting_scene(app, clock)
    token, _ = app.issue_token("public@example.org", PASSWORD)
    assert app.account_for_token(token) == s.public
    app.support(s.public, submission_id)  # the vote's streams cached, the vote recorded
    other = OpenInno(settings, clock=clock)
    try:
        other.retract_support(s.public, submission_id)  # another process
    finally:
        other.close()
    with app.one_snapshot():
        actor = app.account_for_token(token, also=lambda a: app.reads_of_support(a, submission_id))
        # Not AlreadySupported: the vote stream was read fresh with the token.
        assert app.support(actor, submission_id).support_count == 1


def test_reads_ahead_see_what_another_process_recorded(app, settings, clock):
    s, submission_id = voting_scene(app, clock)
    token, _ = app.issue_token("public@example.org", PASSWORD)
    assert app.account_for_token(token) == s.public
    fan = s.account("fan")
    app.support(fan, submission_id)  # everything the vote reads is in app's cache
    other = OpenInno(settings, clock=clock)
    try:
        other.deactivate_account(s.public, s.public, "leaving")
    finally:
        other.close()
    with pytest.raises(InvalidCredentials):
        app.account_for_token(token)
    with pytest.raises(AccessDenied):
        app.support(s.public, submission_id)


def test_a_command_reads_its_own_write_afresh(app, clock):
    s = scene(app, clock)
    repository: CopyOnWriteRepository = app.repository  # type: ignore[assignment]
    with repository.fresh_reads():
        repository.read_ahead([s.solver])
        before = app._load(s.solver, Account, "account")
        before.update_profile(s.solver, "Renamed", "en", "UTC", clock.now())
        app._commit(before)
        after = app._load(s.solver, Account, "account", readonly=True)
    assert after.version == before.version
    assert after.display_name == "Renamed"


def test_a_retry_after_a_conflict_reads_afresh(app, settings, clock):
    """Not only the stream whose write conflicted: every stream the command read."""
    s = scene(app, clock)
    seen: list[str] = []
    other = OpenInno(settings, clock=clock)

    @retry_on_conflict
    def rename_after(application: OpenInno, name: str) -> int:
        application._streams.read_ahead([s.solver, s.other_solver])
        model = application._load(s.other_solver, Account, "account", readonly=True)
        account = application._load(s.solver, Account, "account")
        seen.append(model.display_name)
        if len(seen) == 1:  # another process records both first
            other.update_profile(s.other_solver, "Model", "en", "UTC")
            other.update_profile(s.solver, "Elsewhere", "en", "UTC")
        account.update_profile(
            s.solver, f"{name} after {model.display_name}", "en", "UTC", clock.now()
        )
        return application._commit(account)

    try:
        rename_after(app, "Here")
    finally:
        other.close()
    assert seen == ["Other", "Model"]
    assert app.get_account(s.solver).display_name == "Here after Model"


def test_outside_a_command_nothing_is_read_ahead(app, clock):
    s = scene(app, clock)
    with counted(app) as reads:
        app._streams.read_ahead([s.solver])
        app.get_account(s.solver)
    assert (reads.batches, reads.single) == (0, 1)


def test_a_stream_only_written_is_not_replayed_from_far_back(app, clock):
    """Every vote changes the entry's tally; the vote before kept the tally it recorded
    in the cache, so the next vote replays nothing of it, not every vote since the
    first (nor since a reader last cached it)."""
    s, submission_id = voting_scene(app, clock)
    app.support_count(submission_id)  # a reader caches the tally once
    fans = [s.account(f"fan{i}") for i in range(6)]
    for fan in fans:
        app.support(fan, submission_id)
    tally_id = ids.support_tally_id(submission_id)
    replayed: list[int] = []
    recorder: Any = app.events.recorder
    repository: Any = app.repository
    select_events, read_many = recorder.select_events, repository.read_many

    def counting(originator_id: Any, **kwargs: Any) -> Any:
        events = select_events(originator_id, **kwargs)
        if originator_id == tally_id:
            replayed.append(len(events))
        return events

    def counting_many(versions: Any) -> Any:
        events = read_many(versions)
        replayed.append(sum(e.originator_id == tally_id for e in events))
        return events

    recorder.select_events, repository.read_many = counting, counting_many
    try:
        app.support(s.public, submission_id)
    finally:
        recorder.select_events, repository.read_many = select_events, read_many
    assert app.support_count(submission_id) == 7
    assert sum(replayed) == 0


def test_a_vote_changes_the_tally_a_vote_after_its_reads_recorded(app, clock):
    """Read ahead, then another vote of this process records the tally (it held the
    entry's turn first): the vote changes that later tally, it does not lose a race
    with it (kept in the cache, ``keep``), and both count."""
    s, submission_id = voting_scene(app, clock)
    app.support(s.account("first"), submission_id)
    fan, latecomer = s.account("fan"), s.account("latecomer")
    repository: CopyOnWriteRepository = app.repository  # type: ignore[assignment]
    with repository.fresh_reads():
        repository.read_ahead(app.reads_of_support(fan, submission_id))
        # Another command (its own scope, as another thread's) records first.
        token = repository._fresh.set(None)
        try:
            app.support(latecomer, submission_id)
        finally:
            repository._fresh.reset(token)
        with counted(app) as reads:
            assert app.support(fan, submission_id).support_count == 3
    assert app.support_count(submission_id) == 3
    assert (reads.batches, reads.single) == (0, 0)  # all read ahead: no retry


@pytest.mark.postgres
def test_reads_ahead_survive_connections_the_server_closed(
    postgres_url, tmp_path, request, monkeypatch, clock
):
    """A pooled connection the server terminated (a restart, an outage) is retried on a
    fresh one, as the library's single-stream reads are; not a failed command."""
    from openinno.persistence.migrate import migrate_event_store
    from tests.conftest import make_settings
    from tests.support.server import terminate_backends

    name = f"read-ahead-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", name)
    settings = make_settings("postgres", tmp_path, request)
    migrate_event_store(settings)
    application = OpenInno(settings, clock=clock)
    try:
        s = scene(application, clock)
        with application._streams.fresh_reads():
            application._streams.read_ahead([s.solver, s.sponsor])  # connections pooled
        assert terminate_backends(postgres_url, name) > 0
        with application._streams.fresh_reads():
            application._streams.read_ahead([s.solver, s.sponsor])
            assert application._load(s.solver, Account, "account", readonly=True).id == s.solver
    finally:
        application.close()


def test_a_writers_copy_shares_ids_and_times_but_not_what_can_change(app, clock):
    """UUIDs and datetimes are shared by a deepcopy (persistence/repository.py: the
    stdlib rebuilt each one); the containers holding them are still copied."""
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    s.submit(challenge_id, terms)
    cached = app.repository.get(ids.solver_entries_id(challenge_id, s.solver))
    mine = copy.deepcopy(cached)
    assert mine.live == cached.live and mine.live is not cached.live
    assert mine.live[0] is cached.live[0]  # the same immutable UUID
    assert mine.modified_on is cached.modified_on
    mine.live.append(uuid.uuid4())
    assert len(cached.live) == 1
