"""Read-your-writes from another process: poll the tracking table, bounded."""

from __future__ import annotations

import time
from collections.abc import Sequence

from projections import tracking
from projections.db import Db


def wait_for_position(
    db: Db, names: Sequence[str], position: int, timeout: float, *, longest: float = 0.05
) -> bool:
    """True once every named projection has applied ``position``; False after ``timeout``."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        reached = tracking.positions(db)
        if all(reached.get(name, 0) >= position for name in names):
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, longest)
