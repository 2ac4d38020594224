"""Rebuild read models in several processes at once.

One pass over the log (``MultiRunner``) applies every projection in one Python
process, and that process is bound by the interpreter lock: measured on the
2-core machine, its threads kept one core busy while PostgreSQL's backend
waited on them (docs/performance.md).  Read models are independent of each
other (each has its own tables and its own tracking position), so a rebuild can
split them into groups and replay the log once per group, each group in its own
process with its own connections: the cores then share the Python work, at the
price of reading the log once per group.

Each worker is a ``MultiRunner.rebuild`` of its group, so everything that holds
for a one-pass rebuild holds per group: pages commit in order, each with the
positions it moves; killed at any moment, a group resumes from its own
positions.  Workers are forked, not spawned: forking copies the imported modules
(a spawned worker imports the application again, about half a second), and the
caller forks before it opens any connection or starts any thread (see
``rebuild_in_processes``).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from projections.projection import Projection
from projections.runner import Progress

# A group's rebuild, run in a worker process: the names of its projections and a
# progress callback in, the positions moved out.
RebuildGroup = Callable[[Sequence[str], Progress | None], int]


class RebuildFailed(RuntimeError):
    """A worker of a parallel rebuild failed; its error's text is the message."""


def default_workers(projections: int) -> int:
    """One worker per core, no more than there are projections."""
    return max(1, min(os.cpu_count() or 1, projections))


def plan_groups(projections: Sequence[Projection], workers: int) -> list[list[str]]:
    """Split the projections into at most ``workers`` groups of about equal rebuild
    cost (``Projection.rebuild_cost``): each costliest projection still unplaced goes
    to the group with the least cost so far (longest processing time first).
    Groups keep the projections' registry order inside them."""
    workers = max(1, min(workers, len(projections)))
    groups: list[list[Projection]] = [[] for _ in range(workers)]
    costs = [0.0] * workers
    for projection in sorted(projections, key=lambda p: -p.rebuild_cost):
        lightest = costs.index(min(costs))
        groups[lightest].append(projection)
        costs[lightest] += projection.rebuild_cost
    order = {p.name: i for i, p in enumerate(projections)}
    return [sorted((p.name for p in group), key=order.__getitem__) for group in groups if group]


@dataclass
class _Standing:
    position: int = 0
    head: int = 0
    moved: int | None = None


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux), so a rebuild
    killed with kill -9 leaves no worker behind writing on; elsewhere, or if the
    parent is already gone, end now."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _work(
    rebuild_group: RebuildGroup, index: int, names: list[str], out: object, parent: int
) -> None:
    _die_with(parent)
    reports: multiprocessing.Queue[tuple[int, str, object]] = out  # type: ignore[assignment]

    def progress(position: int, head: int) -> None:
        reports.put((index, "progress", (position, head)))

    try:
        moved = rebuild_group(names, progress)
    except BaseException:
        reports.put((index, "failed", traceback.format_exc()))
        raise SystemExit(1) from None
    reports.put((index, "done", moved))


def rebuild_in_processes(
    groups: Sequence[Sequence[str]],
    rebuild_group: RebuildGroup,
    progress: Progress | None = None,
) -> int:
    """Rebuild each group in its own forked process, all at once; return the
    positions moved (every group's rebuild replays the whole log, so the largest).
    ``progress`` gets the slowest group's position and the head.  Call it before
    this process opens connections or starts threads: a forked child inherits
    them, and ``rebuild_group`` must open its own.  If a worker fails, the others
    are stopped and ``RebuildFailed`` raised; the groups' positions stay where their
    last page committed, and a rebuild of those groups starts them again."""
    context = multiprocessing.get_context("fork")
    reports = context.Queue()
    workers = [
        context.Process(
            target=_work,
            args=(rebuild_group, i, list(names), reports, os.getpid()),
            name=f"rebuild-{'+'.join(names)}",
            daemon=True,
        )
        for i, names in enumerate(groups)
    ]
    standings = [_Standing() for _ in workers]
    for worker in workers:
        worker.start()
    try:
        while any(s.moved is None for s in standings):
            try:
                index, kind, value = reports.get(timeout=1.0)
            except queue.Empty:
                dead = [
                    w.name
                    for w, s in zip(workers, standings, strict=True)
                    if s.moved is None and not w.is_alive()
                ]
                if dead:
                    raise RebuildFailed(
                        f"rebuild worker(s) ended without a result: {dead}"
                    ) from None
                continue
            standing = standings[index]
            if kind == "failed":
                raise RebuildFailed(f"rebuild of {', '.join(groups[index])} failed:\n{value}")
            if kind == "done":
                assert isinstance(value, int)
                standing.moved = value
                standing.position = max(standing.position, standing.head)
            else:
                assert isinstance(value, tuple)
                standing.position, standing.head = value
            if progress is not None and all(s.head for s in standings):
                progress(min(s.position for s in standings), max(s.head for s in standings))
    finally:
        for worker in workers:
            if worker.is_alive() and any(s.moved is None for s in standings):
                worker.terminate()
        for worker in workers:
            worker.join()
        reports.close()
    return max(s.moved or 0 for s in standings)
