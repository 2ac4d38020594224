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
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any, cast

from eventsourcing.application import (
    AggregateNotFoundError,
    ProjectorFunction,
    Repository,
    project_aggregate,
)
from eventsourcing.persistence import EventStore

__all__ = ["CopyOnWriteRepository"]


class CopyOnWriteRepository(Repository[Any]):
    def __init__(self, event_store: EventStore[Any], *, cache_maxsize: int | None) -> None:
        super().__init__(event_store, cache_maxsize=cache_maxsize, fastforward=True)

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
        if deepcopy_from_cache:
            # A writer's copy, to change: it never enters the cache.
            return advanced
        self.put_if_newer(advanced)
        return advanced

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
