"""The derivatives follower: reads the log for submitted and revised files and makes
their blind copies and previews, in the background, never in a request.

Its position (the last notification it handled) is a file in the derived directory,
written after each batch's derivatives are on disk.  Killed mid-batch, it reads the
batch again: making a derivative is idempotent per content hash, so nothing is made
twice and nothing is missed.  Deleting the derived directory resets the position with
the files, which is how they are rebuilt (docs/operations.md).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from eventsourcing.utils import get_topic

from openinno.derivatives.store import DerivedFiles, write_atomically
from openinno.domain.submission import Submission

log = logging.getLogger(__name__)

BATCH = 200
TOPICS = frozenset({get_topic(Submission.Submitted), get_topic(Submission.Revised)})


class DerivativesFollower:
    def __init__(self, recorder: Any, mapper: Any, derived: DerivedFiles) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.derived = derived
        self.position_file = derived.root / "position"

    def position(self) -> int:
        try:
            return int(self.position_file.read_text().strip() or 0)
        except FileNotFoundError:
            return 0

    def follow_once(self, limit: int = BATCH) -> int:
        """Handle the next batch; the number of notifications read (0: caught up)."""
        start = self.position()
        notifications = self.recorder.select_notifications(start=start + 1, limit=limit)
        for notification in notifications:
            if notification.topic not in TOPICS:
                continue
            event = self.mapper.to_domain_event(notification)
            for file in event.content.files:
                self._derive(file.sha256, file.media_type)
        if notifications:
            write_atomically(self.position_file, str(notifications[-1].id).encode())
        return len(notifications)

    def _derive(self, sha256: str, media_type: str) -> None:
        try:
            self.derived.derive(sha256, media_type)
        except Exception:
            # One file that breaks a library must not stop every later preview.  Its
            # derivatives stay unmade: a blind copy is then made when first asked for,
            # and its preview shows as pending until the directory is rebuilt.
            log.exception("derivatives of %s (%s) could not be made", sha256, media_type)

    def catch_up(self) -> int:
        total = 0
        while (count := self.follow_once()) > 0:
            total += count
        return total

    def follow(self, stop: threading.Event, idle_seconds: float = 0.5) -> None:
        while not stop.is_set():
            try:
                count = self.follow_once()
            except Exception:
                log.exception("the derivatives follower failed a batch; retrying")
                count = 0
            if count == 0:
                stop.wait(idle_seconds)
