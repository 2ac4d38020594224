"""Read models rebuilt in several worker processes: groups balanced by cost, the
same tables as a one-pass rebuild, and a failing worker reported, not hidden."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from projections import tracking
from projections.db import ReadStore, open_db
from projections.parallel import RebuildFailed, plan_groups, rebuild_in_processes
from projections.projection import Projection
from projections.registry import ALL, by_name
from projections.runner import Progress
from tests.projections.tables import dump
from tests.projections.test_kill_and_rebuild import clean_rebuild, grow_log
from tests.support.story import Scene
from web.projections_cli import rebuild_read_models


def costed(name: str, cost: float) -> Projection:
    return replace(by_name("admin"), name=name, rebuild_cost=cost)


def test_groups_split_the_cost_evenly_and_hold_each_projection_once():
    projections = [costed("a", 1.0), costed("b", 1.0), costed("c", 2.0), costed("d", 0.5)]
    groups = plan_groups(projections, 2)
    assert sorted(n for g in groups for n in g) == ["a", "b", "c", "d"]
    cost = {p.name: p.rebuild_cost for p in projections}
    assert sorted(sum(cost[n] for n in g) for g in groups) == [2.0, 2.5]
    assert ["a", "b"] in groups  # registry order inside a group


def test_never_more_groups_than_projections_or_workers():
    assert plan_groups(ALL, 1) == [[p.name for p in ALL]]
    assert len(plan_groups(ALL, 64)) == len(ALL)
    assert plan_groups(ALL[:1], 0) == [[ALL[0].name]]


def test_every_registered_projection_is_placed_in_two_groups_of_similar_cost():
    groups = plan_groups(ALL, 2)
    assert sorted(n for g in groups for n in g) == sorted(p.name for p in ALL)
    costs = [sum(by_name(n).rebuild_cost for n in g) for g in groups]
    assert len(groups) == 2 and max(costs) <= 2 * min(costs)


def test_a_rebuild_in_two_workers_equals_a_clean_one_pass_rebuild(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore, tmp_path: Path
):
    head = grow_log(app, cast, questions=300)
    seen: list[tuple[int, int]] = []
    moved = rebuild_read_models(
        settings,
        [p.name for p in ALL],
        batch_size=50,
        workers=2,
        store=read_store,
        progress=lambda position, last: seen.append((position, last)),
    )
    assert moved == head
    assert seen and seen[-1] == (head, head)
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)  # the slowest group's
    db = open_db(read_store)
    try:
        assert set(tracking.positions(db).values()) == {head}
        parallel = dump(db)
    finally:
        db.close()
    assert parallel == clean_rebuild(settings, app, read_store, tmp_path)
    assert len(parallel["pt_questions"]) == 302


def fails_in_group_with_legal(marker: Path, names: Sequence[str], progress: Progress | None) -> int:
    if "legal" in names:
        raise RuntimeError("boom in the legal group")
    time.sleep(5)  # the parent stops this worker when the other group fails ...
    marker.write_text("still running")  # ... so this never happens
    return 0


def test_a_failing_worker_fails_the_rebuild_and_stops_the_others(tmp_path: Path):
    marker = tmp_path / "survivor"
    before = _my_children()  # other tests' servers may still be running
    with pytest.raises(RebuildFailed, match="boom in the legal group"):
        rebuild_in_processes(plan_groups(ALL, 2), partial(fails_in_group_with_legal, marker))
    assert not marker.exists()
    assert _my_children() <= before  # both workers are gone


def _my_children() -> set[int]:
    return {int(c) for c in os.listdir("/proc") if c.isdigit() and _child_of_mine(int(c))}


def _child_of_mine(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and int(fields[1]) == os.getpid()
