"""An aggregate repository whose cache entries are never changed in place.

Why: the library's cached ``Repository.get`` fast-forwards the cached object in place
under a per-aggregate lock, holding that lock across a database query, and then
deep-copies it for the caller.  Every submission reads the same challenge,
organisation and the caller's account, so under load the web worker's threads queue
on one lock per hot aggregate, and the deep copies of a challenge (its spec, its
terms) were about a seventh of a worker's CPU.

Here a cached aggregate is a frozen recorded state: a fast-forward projects the new
events onto a copy and puts the copy in the cache, so no thread ever sees an object
change under it.  That lets a caller that only *reads* (access checks, the challenge
a submission enters) take the cached object itself (``deepcopy_from_cache=False``):
no lock, no copy.  A command that changes an aggregate still gets its own copy, which
never enters the cache (the command could change it again, or fail to record it); the
next read-only load fast-forwards the cached entry instead.

Freshness is unchanged: every ``get`` still asks the store for events after the
cached version (the fast-forward), so a read sees everything committed before it.

Reads ahead, within one command (``fresh_reads``): a vote read eight streams one
query at a time (the token and the account, the account again, the submission, its
challenge, the organisation, the vote, the tally), and those round trips were about
three quarters of the command.  A command that knows which streams it will read asks
for all of them at once (``read_ahead``: one query for the events after each cached
version); until the command ends, ``get`` of those ids answers from what that query
read.  The reads are no less fresh: they are taken together, a moment earlier, as one
snapshot.  What the command records is forgotten at once (``forget``), so it never
reads its own stale state, and a conflict clears the whole set before the retry.

Kept after recording (``keep``), hot commands only: the states a vote or a submission
has just recorded go into the cache as they are, and a state read ahead gives way to a
later one in the cache.  So a vote reads its entry's tally in the same query as its
other streams, although the votes ahead of it in this process (on the same entry,
taking turns) record the tally meanwhile: the tally it changes is the later of the two,
and one written by another process since is a conflict, then a retry, as before.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from copy import deepcopy
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    ProjectorFunction,
    Repository,
    project_aggregate,
)
from eventsourcing.persistence import EventStore, StoredEvent

__all__ = ["CopyOnWriteRepository", "ReadMany"]

# A writer's copy of an aggregate is a deepcopy, and the stdlib copies a UUID or a
# datetime (immutable values) by pickling it apart and rebuilding it (__reduce_ex__):
# a solver's entry count with 60 entries took 0.5 ms to copy, 0.02 ms with these values
# shared, as the stdlib already shares str, int and tuples of them.  Sharing is safe:
# neither type can be changed in place (UUID.__setattr__ raises; datetime has no
# setters).  Registered once, for the process.
_deepcopy_dispatch = cast(dict[type, Any], copy._deepcopy_dispatch)  # type: ignore[attr-defined]
for _immutable in (UUID, datetime):
    _deepcopy_dispatch.setdefault(_immutable, copy._deepcopy_atomic)  # type: ignore[attr-defined]

# The stored events after each given version, for many streams in one query, each
# stream's in version order.  (Stream id -> version already held; 0 for none.)
# PostgreSQL's: openinno.persistence.statements.streams_reader.
ReadMany = Callable[[dict[UUID, int]], Sequence[StoredEvent]]


class CopyOnWriteRepository(Repository[Any]):
    def __init__(
        self,
        event_store: EventStore[Any],
        *,
        cache_maxsize: int | None,
        read_many: ReadMany | None = None,
    ) -> None:
        super().__init__(event_store, cache_maxsize=cache_maxsize, fastforward=True)
        self.read_many = read_many or self._read_each
        # One command's fresh reads: stream id -> its state as read ahead (None: no such
        # stream).  A context variable, so each thread (each command) has its own; one
        # per repository, so two applications in one thread never share theirs.
        self._fresh: ContextVar[dict[UUID, Any] | None] = ContextVar(
            f"openinno_fresh_reads_{id(self)}", default=None
        )

    def _read_each(self, versions: dict[UUID, int]) -> list[StoredEvent]:
        """Without a store-specific query (SQLite, in process: no round trip to save)."""
        recorder = self.event_store.recorder
        return [e for i, v in versions.items() for e in recorder.select_events(i, gt=v or None)]

    @contextmanager
    def fresh_reads(self) -> Iterator[dict[UUID, Any]]:
        """The scope of one command's reads ahead; nested scopes share the outer one."""
        current = self._fresh.get()
        if current is not None:
            yield current
            return
        token = self._fresh.set({})
        try:
            yield cast(dict[UUID, Any], self._fresh.get())
        finally:
            self._fresh.reset(token)

    def read_ahead(self, ids: Iterable[UUID | None]) -> None:
        """Bring these streams up to date in one query; within the current
        ``fresh_reads`` scope, ``get`` then answers from it.  Outside one, nothing."""
        scope = self._fresh.get()
        if scope is None or self.cache is None:
            return
        cache = self.cache
        held: dict[UUID, Any] = {}
        for aggregate_id in dict.fromkeys(ids):
            if aggregate_id is None or aggregate_id in scope:
                continue
            try:
                held[aggregate_id] = cache.get(aggregate_id)
            except KeyError:
                held[aggregate_id] = None
        if not held:
            return
        versions = {i: (a.version if a is not None else 0) for i, a in held.items()}
        new_events: dict[UUID, list[Any]] = {}
        to_domain_event = self.event_store.mapper.to_domain_event
        for stored in self.read_many(versions):
            key = cast(UUID, stored.originator_id)
            new_events.setdefault(key, []).append(to_domain_event(stored))
        for aggregate_id, cached in held.items():
            events = new_events.get(aggregate_id)
            if not events:
                scope[aggregate_id] = cached
                continue
            advanced = project_aggregate(deepcopy(cached) if cached is not None else None, events)
            if advanced is not None:
                self.put_if_newer(advanced)
            scope[aggregate_id] = advanced

    def cached_link(self, aggregate_id: UUID, attribute: str) -> UUID | None:
        """An attribute that never changes once recorded (a submission's challenge, a
        challenge's organisation, a token's account), from the cache if the stream is
        there, so a command can read both streams in one ``read_ahead``."""
        if self.cache is None:
            return None
        try:
            cached = self.cache.get(aggregate_id)
        except KeyError:
            return None
        link = getattr(cached, attribute, None)
        return link if isinstance(link, UUID) else None

    def forget(self, ids: Iterable[UUID]) -> None:
        """Streams the command has just recorded (or failed to): read afresh from now on."""
        scope = self._fresh.get()
        if scope is not None:
            for aggregate_id in ids:
                scope.pop(aggregate_id, None)

    def forget_all(self) -> None:
        """Before a command's retry after a conflict: every read ahead is stale."""
        scope = self._fresh.get()
        if scope is not None:
            scope.clear()

    def get(
        self,
        aggregate_id: Any,
        *,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = project_aggregate,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        if self.cache is None or version is not None:
            return super().get(aggregate_id, version=version, projector_func=projector_func)
        scope = self._fresh.get()
        if scope is not None and aggregate_id in scope and projector_func is project_aggregate:
            fresh = self._later_of(aggregate_id, scope[aggregate_id])
            if fresh is None:
                raise AggregateNotFoundError(aggregate_id)
            return deepcopy(fresh) if deepcopy_from_cache else fresh
        try:
            cached: Any = self.cache.get(aggregate_id)
        except KeyError:
            aggregate = self._reconstruct_aggregate(aggregate_id, None, projector_func)
            self.put_if_newer(aggregate)
            # The object just went into the cache: a writer must not change it.
            return deepcopy(aggregate) if deepcopy_from_cache else aggregate
        new_events = list(self.event_store.get(originator_id=aggregate_id, gt=cached.version))
        if not new_events:
            return deepcopy(cached) if deepcopy_from_cache else cached
        advanced = projector_func(deepcopy(cached), new_events)
        if advanced is None:
            raise AggregateNotFoundError(aggregate_id)
        # The recorded state goes into the cache, whoever asked.  (When only readers put
        # it there, a stream only ever written, such as an entry's support tally, kept
        # its first cached state, and every vote replayed every vote since.)
        self.put_if_newer(advanced)
        # A writer gets its own copy, to change: that copy never enters the cache.
        return deepcopy(advanced) if deepcopy_from_cache else advanced

    def _later_of(self, aggregate_id: UUID, fresh: Any) -> Any:
        """A state read ahead, or the cache's if that is later: a command of this
        process recorded the stream since (``keep``).  Both are recorded states; the
        later one is the fresher read, which the command would otherwise lose a race
        with (an entry's tally, read ahead, then changed by the vote that held the
        entry's turn before this one)."""
        if self.cache is None:
            return fresh
        try:
            cached = self.cache.get(aggregate_id)
        except KeyError:
            return fresh
        return cached if fresh is None or cached.version > fresh.version else fresh

    def keep(self, *aggregates: Any) -> None:
        """Aggregates a command has just recorded, and will not change again: their
        states go into the cache as they are (no copy, no read), so the next command
        of this process that reads them starts from there (the next vote on the same
        entry, under its turn: ``_later_of``; the first vote on an entry just
        submitted here, which then knows the entry's challenge).  Only after a
        successful commit: a state that failed to record must never be read."""
        for aggregate in aggregates:
            if aggregate is not None:
                self.put_if_newer(aggregate)

    def put_if_newer(self, aggregate: Any) -> None:
        """Cache a recorded state unless the cache already holds a later one.  The check
        and the put are not atomic: an older state may win a race, which costs a later
        fast-forward, never a wrong answer (every get reads the events after it)."""
        if self.cache is None:
            return
        try:
            current = cast(Any, self.cache.get(aggregate.id))
        except KeyError:
            current = None
        if current is None or current.version < aggregate.version:
            self.cache.put(aggregate.id, aggregate)
