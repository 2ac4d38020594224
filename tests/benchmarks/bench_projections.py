"""Projection rebuild speed on PostgreSQL and SQLite (issue 4's benchmark).

A realistic log (accounts, organisations, challenges with questions, submissions,
revisions, votes, reviews, shortlists, awards and signed agreements) is written
through the application's batch save.  Each read model is then rebuilt from zero
as `openinno projections rebuild NAME` does, then all of them one after another, then
all of them in one pass (`openinno projections rebuild --workers 1`), then all of them
as `openinno projections rebuild` does by default (PostgreSQL: split into one group per
core, each a one-pass rebuild in its own worker process), beside two baselines measured
on the same log in the same run:

- ceiling: reading the notification log with the recorder's ``select_notifications``
  and decoding every event, no projection (the read side itself reads PostgreSQL
  through ``web.readside.PostgresLog`` and decodes only what its handlers need, so a
  rebuild can beat this "ceiling");
- library: ``eventsourcing.projection.ProjectionRunner`` applying a trivial
  projection (a counter in the library's own tracking recorder).

``--quick`` checks correctness (row counts after rebuild equal what the log
implies; the library baseline saw every event), never speed.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import InfrastructureFactory, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection as LibraryProjection
from eventsourcing.projection import ProjectionRunner
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment

from openinno.application import OpenInno
from openinno.domain import (
    Account,
    Challenge,
    EmailClaim,
    IpAgreement,
    Organisation,
    Review,
    SolverEntries,
    Submission,
    SupportTally,
    Vote,
    ids,
)
from openinno.domain.ip_templates import TEMPLATES, render_agreement
from openinno.domain.submission import content_sha256
from openinno.domain.values import (
    Award,
    ChallengeSpec,
    Criterion,
    Prize,
    Signature,
    SubmissionContent,
    Voting,
    sha256_hex,
)
from openinno.persistence.environment import eventsourcing_env
from openinno.persistence.migrate import migrate_event_store
from openinno.settings import Settings
from projections.db import Db, ReadStore, open_db
from projections.parallel import default_workers
from projections.projection import Projection
from projections.registry import ALL
from tests.benchmarks.report import Result
from tests.support import postgres
from tests.support.keys import give_write_key
from web.projections_cli import rebuild_read_models
from web.readside import read_side_for, read_store_for

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CHUNK = 500  # events per app.save() while writing the log


# --- the log ----------------------------------------------------------------------------


@dataclass
class Expected:
    """What the log implies for the read models' main tables."""

    events: int = 0
    accounts: int = 0
    organisations: int = 0
    challenges: int = 0
    questions: int = 0
    submissions: int = 0
    receipts: int = 0
    reviews: int = 0
    agreements: int = 0
    chain_steps: int = 0


@dataclass
class Writer:
    """Saves aggregates in chunks of about CHUNK events, in the order given."""

    app: OpenInno
    expected: Expected
    pending: list[Aggregate] = field(default_factory=list)
    pending_events: int = 0

    def add(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            self.pending.append(aggregate)
            self.pending_events += len(aggregate.pending_events)
        if self.pending_events >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            # One aggregate may appear twice in a chunk: save each once, in order.
            unique = list({id(a): a for a in self.pending}.values())
            self.expected.events += sum(len(a.pending_events) for a in unique)
            self.app.save(*unique)
        self.pending.clear()
        self.pending_events = 0


class Clock:
    def __init__(self) -> None:
        self.at = START

    def tick(self, seconds: float = 1.0) -> datetime:
        self.at += timedelta(seconds=seconds)
        return self.at


PASSWORD_HASH = "$argon2id$v=19$m=8,t=1,p=1$bm90LWEtcmVhbC1oYXNo$bm90LWEtcmVhbC1oYXNo"
CRITERIA = (Criterion("originality", 40), Criterion("feasibility", 35), Criterion("fun", 25))


@dataclass
class Cohort:
    """One challenge's worth of people and activity."""

    solvers: int
    reviewers: int = 3
    questions: int = 8
    votes_per_submission: int = 4

    SUMMARY: ClassVar[str] = (
        "A building set with pendulums, levers and gears that lets children "
        "measure what they build, with a teacher's guide and printable worksheets."
    )


def _account(w: Writer, clock: Clock, name: str) -> Account:
    account_id = uuid4()
    at = clock.tick()
    email = f"{name}-{account_id.hex[:12]}@example.org"
    account = Account(
        id=account_id,
        actor_id=account_id,
        email=email,
        display_name=name.title(),
        locale="en",
        time_zone="Europe/Berlin",
        password_hash=PASSWORD_HASH,
        timestamp=at,
    )
    claim = EmailClaim(id=ids.email_claim_id(email), account_id=account_id, timestamp=at)
    w.add(account, claim)
    w.expected.accounts += 1
    return account


def _spec(clock: Clock, n: int) -> ChallengeSpec:
    now = clock.at
    return ChallengeSpec(
        title=f"Bricks that teach physics #{n}",
        brief="Propose a building set that teaches a physics principle to 10-year-olds. " * 3,
        eligibility="Adults in any country.",
        rules="One idea per entry. Original work only.",
        prizes=(Prize(1, Decimal("5000.00"), "EUR"), Prize(2, Decimal("1000.00"), "EUR")),
        criteria=CRITERIA,
        opens_at=now + timedelta(minutes=1),
        closes_at=now + timedelta(days=3650),
        review_ends_at=now + timedelta(days=3700),
        max_submissions_per_solver=3,
        visibility="public",
        voting=Voting("public", 3),
        ip_terms="assignment",
        category=("toys", "energy", "health")[n % 3],
        language="en",
    )


def write_cohort(w: Writer, clock: Clock, cohort: Cohort, n: int) -> None:
    ex = w.expected
    sponsor = _account(w, clock, "sponsor")
    legal = _account(w, clock, "legal")
    organisation = Organisation(actor_id=sponsor.id, name=f"Brickworks {n}", timestamp=clock.tick())
    organisation.add_member(sponsor.id, legal.id, "legal", clock.tick())
    w.add(organisation)
    ex.organisations += 1
    solvers = [_account(w, clock, "solver") for _ in range(cohort.solvers)]
    reviewers = [_account(w, clock, "reviewer") for _ in range(cohort.reviewers)]

    challenge = Challenge(
        actor_id=sponsor.id,
        organisation_id=organisation.id,
        spec=_spec(clock, n),
        timestamp=clock.tick(),
    )
    challenge.publish(sponsor.id, clock.tick())
    ex.challenges += 1
    assert challenge.terms_sha256 is not None
    terms = challenge.terms_sha256
    for q in range(cohort.questions):
        question_id = uuid4()
        asker = solvers[q % len(solvers)].id
        challenge.ask_question(asker, question_id, f"Question {q}: may teams enter?", clock.tick())
        ex.questions += 1
        if q % 2 == 0:
            challenge.answer_question(sponsor.id, question_id, "Yes, up to four.", clock.tick())
        elif q % 7 == 1:
            challenge.hide_question(sponsor.id, question_id, "Off topic", clock.tick())
    challenge.post_announcement(sponsor.id, uuid4(), "Welcome, builders.", clock.tick())
    for reviewer in reviewers:
        challenge.invite_reviewer(sponsor.id, reviewer.id, clock.tick())
        challenge.accept_reviewer_invitation(reviewer.id, clock.tick())
    w.add(challenge)

    submissions: list[Submission] = []
    for i, solver in enumerate(solvers):
        at = clock.tick()
        content = SubmissionContent(title=f"Pendulum park {n}.{i}", summary=Cohort.SUMMARY)
        entries = SolverEntries(
            id=ids.solver_entries_id(challenge.id, solver.id),
            challenge_id=challenge.id,
            solver_id=solver.id,
            timestamp=at,
        )
        submission_id = uuid4()
        entries.count_entry(submission_id, 3, at)
        submission = Submission(
            id=submission_id,
            actor_id=solver.id,
            challenge_id=challenge.id,
            team_ids=(),
            content=content,
            accepted_terms_sha256=terms,
            content_sha256=content_sha256(content),
            receipt_id=uuid4(),
            timestamp=at,
        )
        ex.submissions += 1
        ex.receipts += 1
        ex.chain_steps += 1
        if i % 4 == 0:
            revised = SubmissionContent(title=content.title, summary=Cohort.SUMMARY + " Revised.")
            submission.revise(solver.id, revised, uuid4(), clock.tick())
            ex.receipts += 1
            ex.chain_steps += 1
        if i % 10 == 9:
            submission.withdraw(solver.id, "Second thoughts", clock.tick())
            ex.chain_steps += 1
        submissions.append(submission)
        w.add(submission, entries)

    active = [s for s in submissions if s.status == "submitted"]
    for i, submission in enumerate(active):
        tally = SupportTally(
            id=ids.support_tally_id(submission.id),
            submission_id=submission.id,
            timestamp=clock.tick(),
        )
        voters = [solvers[(i + k + 1) % len(solvers)] for k in range(cohort.votes_per_submission)]
        for voter in voters:
            if voter.id == submission.solver_id:
                continue
            at = clock.tick()
            vote = Vote(
                id=ids.vote_id(submission.id, voter.id),
                actor_id=voter.id,
                submission_id=submission.id,
                challenge_id=challenge.id,
                timestamp=at,
            )
            tally.change(+1, at)
            if tally.crosses_threshold(3):
                tally.mark_threshold(3, at)
                submission.reach_support_threshold(voter.id, tally.count, 3, at)
            w.add(vote)
        w.add(tally, submission)

    for reviewer in reviewers:
        for i, submission in enumerate(active):
            at = clock.tick()
            review = Review(
                id=ids.review_id(submission.id, reviewer.id),
                actor_id=reviewer.id,
                challenge_id=challenge.id,
                submission_id=submission.id,
                timestamp=at,
            )
            ex.reviews += 1
            scores = {
                "originality": Decimal((i * 7 + len(reviewer.email)) % 11),
                "feasibility": Decimal((i * 3) % 11),
                "fun": Decimal((i * 5 + 1) % 11),
            }
            version = (submission.content_sha256, len(submission.versions))
            review.record_scores(reviewer.id, CRITERIA, scores, "Solid idea.", at, *version)
            if i % 5 == 0:
                review.record_scores(
                    reviewer.id, CRITERIA, scores, "On reflection.", clock.tick(), *version
                )
            w.add(review)

    clock.tick(3700 * 86400)  # past the closing date and the end of review
    shortlisted = active[:3]
    at = clock.tick()
    challenge.publish_shortlist(sponsor.id, tuple(s.id for s in shortlisted), at)
    for submission in shortlisted:
        submission.shortlist(sponsor.id, at)
    w.add(challenge, *shortlisted)

    at = clock.tick()
    awards = tuple(
        Award(s.id, place, uuid4(), s.content_sha256, len(s.versions))
        for place, s in enumerate(shortlisted[:2], 1)
    )
    # Every reviewer scored every active entry's current version above.
    challenge.award(sponsor.id, awards, at, {s.id: {s.content_sha256} for s in shortlisted})
    template = TEMPLATES[("assignment", 1)]
    agreements = []
    for award, submission in zip(awards, shortlisted, strict=False):
        submission.award(sponsor.id, award.place, award.agreement_id, at)
        ex.chain_steps += 1
        prize = challenge.spec.prizes[award.place - 1]
        solver = next(s for s in solvers if s.id == submission.solver_id)
        text = render_agreement(
            template,
            agreement_id=award.agreement_id,
            challenge_id=challenge.id,
            challenge_title=challenge.spec.title,
            terms_sha256=terms,
            submission_id=submission.id,
            submission_title=submission.content.title,
            content_sha256=submission.content_sha256,
            place=award.place,
            amount=prize.amount,
            currency=prize.currency,
            assignor_id=solver.id,
            assignor_name=solver.display_name,
            assignee_id=organisation.id,
            assignee_name=organisation.name,
        )
        agreement = IpAgreement(
            id=award.agreement_id,
            actor_id=sponsor.id,
            challenge_id=challenge.id,
            submission_id=submission.id,
            content_sha256=submission.content_sha256,
            terms_sha256=terms,
            template=template.kind,
            template_version=template.version,
            text=text,
            text_sha256=sha256_hex(text.encode()),
            assignor_id=solver.id,
            co_assignor_ids=(),
            assignee_organisation_id=organisation.id,
            place=award.place,
            amount=prize.amount,
            currency=prize.currency,
            payment_required=True,
            timestamp=at,
        )
        ex.agreements += 1
        ex.chain_steps += 1
        agreements.append(agreement)
    w.add(challenge, *shortlisted, *agreements)

    for agreement in agreements:
        digest = agreement.text_sha256

        def signature(signer: UUID, name: str, digest: str = digest) -> Signature:
            return Signature(signer, name, "I agree", "password", "203.0.113.7", "bench", digest)

        agreement.sign(agreement.assignor_id, signature(agreement.assignor_id, "Sol"), clock.tick())
        agreement.countersign(legal.id, signature(legal.id, "Lee Gal"), clock.tick())
        agreement.record_payment(sponsor.id, f"WIRE-{n}-{agreement.id.hex[:8]}", clock.tick())
        ex.chain_steps += 4  # signed, countersigned, paid, transferred
        w.add(agreement)
    challenge.reveal_identities(sponsor.id, clock.tick())
    w.add(challenge)


def write_log(app: OpenInno, events: int) -> Expected:
    """Write about ``events`` events; return what the read models should hold."""
    expected = Expected()
    writer = Writer(app, expected)
    clock = Clock()
    cohort = Cohort(solvers=40)
    n = 0
    while expected.events + writer.pending_events < events:
        write_cohort(writer, clock, cohort, n)
        n += 1
    writer.flush()
    assert app.recorder.max_notification_id() is not None
    return expected


# --- the stores -------------------------------------------------------------------------

REBUILD_BATCH = 5_000  # `openinno projections rebuild`'s default --batch-size
TARGET = ">= 50,000 events/s on PostgreSQL"


@dataclass
class Store:
    label: str
    settings: Settings
    read_store: ReadStore
    app: OpenInno


@contextmanager
def postgres_store(url: str, tmp: Path) -> Iterator[Store]:
    import psycopg
    from psycopg import sql

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    settings = Settings(database_url=f"{url}?schema={schema}", data_dir=tmp)
    give_write_key(tmp)
    try:
        migrate_event_store(settings)
        app = OpenInno(settings)
        try:
            yield Store("postgres", settings, read_store_for(settings), app)
        finally:
            app.close()
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in (schema, f"{schema}_read"):
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )


@contextmanager
def sqlite_store(tmp: Path) -> Iterator[Store]:
    settings = Settings(database_url=f"sqlite:///{tmp}/events.db", data_dir=tmp)
    give_write_key(tmp)
    migrate_event_store(settings)
    app = OpenInno(settings)
    try:
        yield Store("sqlite", settings, ReadStore(sqlite_path=tmp / "readmodels.db"), app)
    finally:
        app.close()


# --- the measurements -------------------------------------------------------------------


def read_ceiling(app: OpenInno) -> tuple[int, float]:
    """Read the whole log in rebuild-sized pages and decode every event."""
    recorder, decode = app.recorder, app.mapper.to_domain_event
    started = time.perf_counter()
    position, count = 0, 0
    while True:
        page = recorder.select_notifications(position, REBUILD_BATCH, inclusive_of_start=False)
        if not page:
            break
        for notification in page:
            decode(notification)
        count += len(page)
        position = page[-1].id
    return count, time.perf_counter() - started


class LogReader(Application[UUID]):
    """The application's log as the library's ProjectionRunner constructs it."""

    name = "openinno"


class CountEvents(LibraryProjection[TrackingRecorder]):
    """The trivial projection: counts events, records each event's tracking."""

    name = "bench_count"
    seen = 0

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        type(self).seen += 1
        self.view.insert_tracking(tracking)


LIBRARY_EVENTS = 20_000  # the library baseline is slow: timed over the log's first events


def library_runner(store: Store) -> tuple[int, float]:
    """The library's own way: ``ProjectionRunner`` on PostgreSQL.  The library has no
    subscription on SQLite, so there its ``Projection`` is fed by the same loop the
    runner runs (decode each event, ``process_event`` with its ``Tracking``).
    Timed over the first LIBRARY_EVENTS events of the log (all of it in --quick)."""
    first = store.app.recorder.select_notifications(0, LIBRARY_EVENTS, inclusive_of_start=False)
    stop = first[-1].id
    env = eventsourcing_env(store.settings)
    env["BENCH_COUNT_CREATE_TABLE"] = "y"
    CountEvents.seen = 0
    started = time.perf_counter()
    if store.settings.is_postgres:
        with ProjectionRunner(
            application_class=LogReader,
            projection_class=CountEvents,
            view_class=PostgresTrackingRecorder,
            env=env,
        ) as runner:
            runner.wait(stop, timeout=600)
            elapsed = time.perf_counter() - started
        return CountEvents.seen, elapsed
    factory = InfrastructureFactory[SQLiteTrackingRecorder].construct(
        env=Environment("bench_count", env)
    )
    projection = CountEvents(view=factory.tracking_recorder(SQLiteTrackingRecorder))
    app = store.app
    position = 0
    while position < stop:
        page = app.recorder.select_notifications(position, 500, stop, inclusive_of_start=False)
        if not page:
            break
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            projection.process_event(event, Tracking(app.name, notification.id))
        position = page[-1].id
    return CountEvents.seen, time.perf_counter() - started


def rebuild(store: Store, projections: tuple[Projection, ...]) -> tuple[int, float]:
    """What `openinno projections rebuild NAME...` does: drop the read models and replay
    the log from zero in one pass (``MultiRunner.rebuild``, wired as the CLI wires it:
    dropping, replaying and indexing); return how far the positions moved and the
    seconds it took."""
    side = read_side_for(
        store.settings, store.app, projections, batch_size=REBUILD_BATCH, store=store.read_store
    )
    runner = side.multi_runner()
    try:
        started = time.perf_counter()
        moved = runner.rebuild()
        return moved, time.perf_counter() - started
    finally:
        runner.db.close()


def with_workers(store: Store) -> tuple[int, float, int]:
    """What `openinno projections rebuild` does by default: every read model, split into
    one group per core (PostgreSQL; one on SQLite), each group a one-pass rebuild in its
    own forked worker process; return the positions moved, the seconds and the workers."""
    names = [p.name for p in ALL]
    workers = default_workers(len(names)) if store.settings.is_postgres else 1
    started = time.perf_counter()
    moved = rebuild_read_models(
        store.settings, names, batch_size=REBUILD_BATCH, workers=workers, store=store.read_store
    )
    return moved, time.perf_counter() - started, workers


def one_after_another(store: Store) -> tuple[int, float]:
    """Each read model rebuilt on its own, in turn: the sum of their times."""
    moved, elapsed = 0, 0.0
    for projection in ALL:
        moved, seconds = rebuild(store, (projection,))
        elapsed += seconds
    return moved, elapsed


def count_rows(db: Db, table: str) -> int:
    return int(db.rows(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])


def check_read_models(store: Store, expected: Expected, head: int) -> None:
    db = open_db(store.read_store)
    try:
        want = {
            "pt_people": expected.accounts,
            "pt_organisations": expected.organisations,
            "pt_challenges": expected.challenges,
            "pt_questions": expected.questions,
            "pt_submissions": expected.submissions,
            "pt_receipts": expected.receipts,
            "rv_challenges": expected.challenges,
            "rv_entries": expected.submissions,
            "rv_reviews": expected.reviews,
            "lg_events": expected.events,
            "lg_agreements": expected.agreements,
            "lg_chain": expected.chain_steps,
        }
        got = {table: count_rows(db, table) for table in want}
        assert got == want, (store.label, got, want)
        counted = db.rows("SELECT SUM(count) AS n FROM ad_event_counts")[0]["n"]
        assert int(counted) == expected.events, (store.label, counted)
        entered = db.rows("SELECT SUM(submission_count) AS n FROM pt_challenges")[0]["n"]
        assert int(entered) == expected.submissions, (store.label, entered)
        signed = db.rows("SELECT SUM(signatures) AS n FROM lg_agreements")[0]["n"]
        assert int(signed) == expected.agreements, (store.label, signed)
        positions = db.rows("SELECT name, position FROM projection_tracking")
        assert {r["name"]: r["position"] for r in positions} == {p.name: head for p in ALL}
    finally:
        db.close()


def measure(store: Store, events: int, quick: bool) -> list[Result]:
    expected = write_log(store.app, events)
    head = store.app.recorder.max_notification_id() or 0
    n, seconds = read_ceiling(store.app)
    assert n == expected.events, (n, expected.events)
    ceiling = n / seconds
    seen, seconds = library_runner(store)
    # It may run a little past the stop before the wait returns: the rate counts all.
    assert seen >= min(expected.events, LIBRARY_EVENTS), (seen, expected.events)
    library = seen / seconds
    results: list[Result] = []
    target = TARGET if store.label == "postgres" else ""
    for projection in ALL:
        moved, seconds = rebuild(store, (projection,))
        assert moved == head, (projection.name, moved, head)
        figure = expected.events / seconds
        name = f"rebuild {projection.name} [{store.label}]"
        results.append(Result(name, figure, "ceiling: read+decode", ceiling, "events/s", target))
        results.append(Result(name, figure, "library ProjectionRunner", library, "events/s"))
    *in_workers, workers = with_workers(store)
    for name, (moved, seconds) in (
        (f"rebuild all 4, one after another [{store.label}]", one_after_another(store)),
        (f"rebuild all, one pass [{store.label}]", rebuild(store, ALL)),
        (f"rebuild all, {workers} worker(s) (the CLI) [{store.label}]", tuple(in_workers)),
    ):
        assert moved == head, (name, moved, head)
        figure = expected.events / seconds
        results.append(Result(name, figure, "ceiling: read+decode", ceiling, "events/s", target))
        results.append(Result(name, figure, "library ProjectionRunner", library, "events/s"))
    check_read_models(store, expected, head)
    print(
        f"bench_projections [{store.label}]: {expected.events:,} events"
        f" (quick={quick}), ceiling {ceiling:,.0f}/s, library {library:,.0f}/s",
        file=sys.stderr,
    )
    return results


def run(quick: bool) -> list[Result]:
    events = 2_000 if quick else 200_000
    results: list[Result] = []
    url, cluster = postgres.find_or_start()
    try:
        if url is None:
            print("bench_projections: no PostgreSQL server; skipped there", file=sys.stderr)
        else:
            with tempfile.TemporaryDirectory() as tmp, postgres_store(url, Path(tmp)) as store:
                results.extend(measure(store, events, quick))
    finally:
        if cluster is not None:
            cluster.stop()
    with tempfile.TemporaryDirectory() as tmp, sqlite_store(Path(tmp)) as store:
        results.extend(measure(store, events, quick))
    return results
