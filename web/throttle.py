"""Token buckets shared by every web worker on a host: the API's rate limits and
the failed sign-in throttle count in one place, so ``openinno serve --workers N``
does not hand a client N times its limit.

The buckets live in a small memory-mapped file (``<data dir>/ratelimits.bin``):
a fixed open-addressing table of 32-byte slots, updated under an exclusive
``flock`` held for a few microseconds.  A request costs one hash, two system calls
and a read-modify-write of one slot; no database round trip, no server to run,
nothing to configure.  Each slot holds a key's 16-byte BLAKE2b digest (never the
key: a bearer token or an email never reaches the file), its tokens and when they
were counted.

Limits of the design, kept on purpose (see docs/decisions/0008-shared-rate-limits.md):
- one host: workers on another host count on their own (each host's data directory
  is its own), so H hosts allow H times the limit;
- the table is fixed (65,536 slots): when every slot a key may use is taken, the
  least recently used is reused; a bucket idle for a whole window is full anyway,
  so only a flood of distinct keys can refill someone's bucket early (lenient,
  never stricter);
- the clock is the wall clock (shared by processes and restarts); a step back
  refills nothing, a step forward refills early.

``MemoryBuckets`` is the same interface in process, for tests and for a platform
without ``fcntl``."""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

try:
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms we serve from
    fcntl = None  # type: ignore[assignment]

Clock = Callable[[], float]

FILE_NAME = "ratelimits.bin"
_MAGIC = b"OIRL"
_VERSION = 1
_HEADER = struct.Struct("<4sII")  # magic, version, slot count
_HEADER_SIZE = 64
_SLOT = struct.Struct("<16sdd")  # key digest, tokens, at (seconds)
_EMPTY = bytes(16)
DEFAULT_SLOTS = 65_536
# How many neighbouring slots a key may use: enough that collisions rarely evict.
_PROBES = 16


@dataclass(frozen=True)
class Taken:
    allowed: bool
    remaining: int
    # Seconds until one more request would be allowed (0 when allowed).
    wait: float


def _refilled(tokens: float, at: float, now: float, capacity: float, window: float) -> float:
    # max(0, ...): a clock step back refills nothing rather than draining the bucket.
    return min(capacity, tokens + max(0.0, now - at) * capacity / window)


def _taken(tokens: float, capacity: float, window: float, cost: float) -> tuple[Taken, float]:
    """A negative cost gives tokens back (never above capacity)."""
    if tokens >= cost:
        tokens = min(capacity, tokens - cost)
        return Taken(True, int(tokens), 0.0), tokens
    return Taken(False, 0, (cost - tokens) * window / capacity), tokens


def _backoff_delay(failures: float, free: int, first: float, most: float) -> float:
    """The wait after ``failures`` failures: none for the first ``free``, then
    ``first``, doubling with each further failure, never more than ``most``."""
    if failures < free:
        return 0.0
    return min(most, first * 2.0 ** min(failures - free, 62.0))


def _backoff(
    failures: float,
    at: float,
    now: float,
    free: int,
    first: float,
    most: float,
    forget_after: float,
    cost: float,
) -> tuple[Taken, float, float]:
    """(the answer, failures, when the last was counted) after a back-off step.  The
    failures are forgotten once their wait is over and ``forget_after`` more seconds
    passed quietly.  A negative cost gives failures back (never below none)."""
    elapsed = max(0.0, now - at)  # a clock step back shortens nothing
    if elapsed >= _backoff_delay(failures, free, first, most) + forget_after:
        failures = 0.0
    if cost < 0:
        failures = max(0.0, failures + cost)
        return Taken(True, max(0, int(free - failures)), 0.0), failures, at
    wait = max(0.0, _backoff_delay(failures, free, first, most) - elapsed) if failures else 0.0
    if wait > 0:
        return Taken(False, 0, wait), failures, at
    failures += cost
    return Taken(True, max(0, int(free - failures)), 0.0), failures, now


class Buckets(Protocol):
    clock: Clock

    def take(self, key: str, capacity: float, window: float, cost: float = 1.0) -> Taken:
        """Take ``cost`` tokens from ``key``'s bucket (``capacity`` per ``window`` s)."""

    def wait(self, key: str, capacity: float, window: float) -> float:
        """Seconds until ``key`` has one token (0: it has one now); takes nothing."""

    def backoff(
        self,
        key: str,
        free: int,
        first_wait: float,
        most_wait: float,
        forget_after: float,
        cost: float = 1.0,
    ) -> Taken:
        """Count ``cost`` failures for ``key`` unless it must wait first (exponential
        back-off: ``free`` failures, then ``first_wait`` seconds, doubling up to
        ``most_wait``; forgotten ``forget_after`` seconds after the last wait is over).
        A negative cost gives failures back."""

    def reset(self, key: str) -> None:
        """Forget ``key``: its bucket is full again."""

    def close(self) -> None:
        """Release the store (a no-op in memory)."""


class MemoryBuckets:
    """Buckets in this process only."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, capacity: float, window: float, cost: float = 1.0) -> Taken:
        now = self.clock()
        with self._lock:
            if len(self._buckets) > 50_000:
                self._forget_idle(now, window)
            tokens, at = self._buckets.get(key, (capacity, now))
            result, left = _taken(
                _refilled(tokens, at, now, capacity, window), capacity, window, cost
            )
            self._buckets[key] = (left, now)
            return result

    def wait(self, key: str, capacity: float, window: float) -> float:
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (capacity, now))
        tokens = _refilled(tokens, at, now, capacity, window)
        return 0.0 if tokens >= 1 else (1 - tokens) * window / capacity

    def backoff(
        self,
        key: str,
        free: int,
        first_wait: float,
        most_wait: float,
        forget_after: float,
        cost: float = 1.0,
    ) -> Taken:
        now = self.clock()
        with self._lock:
            failures, at = self._buckets.get(key, (0.0, now))
            result, failures, at = _backoff(
                failures, at, now, free, first_wait, most_wait, forget_after, cost
            )
            self._buckets[key] = (failures, at)
            return result

    def reset(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def close(self) -> None:
        pass

    def _forget_idle(self, now: float, window: float) -> None:
        """Buckets idle for a whole window are full again: forgetting them changes nothing."""
        for key in [k for k, (_, at) in self._buckets.items() if now - at >= window]:
            del self._buckets[key]


class SharedBuckets:
    """Buckets in a memory-mapped file every process on the host opens."""

    def __init__(self, path: Path, slots: int = DEFAULT_SLOTS, clock: Clock = time.time) -> None:
        if fcntl is None:  # pragma: no cover
            raise RuntimeError("Shared rate limits need fcntl (Linux, macOS, BSD).")
        self.path = Path(path)
        self.slots = slots
        self.clock = clock
        self._lock = threading.Lock()
        self._pid = -1
        self._fd = -1
        self._map: mmap.mmap | None = None

    # -- the file ----------------------------------------------------------------------------

    def _open(self) -> mmap.mmap:
        """The mapping, opened once per process: after a fork the child opens its own
        file description, since flock between two holders of one description excludes
        nothing."""
        if self._map is not None and self._pid == os.getpid():
            return self._map
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        size = _HEADER_SIZE + self.slots * _SLOT.size
        assert fcntl is not None
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            header = os.pread(fd, _HEADER.size, 0)
            wanted = _HEADER.pack(_MAGIC, _VERSION, self.slots)
            if header != wanted or os.fstat(fd).st_size != size:
                # New, or from another layout: start empty (every bucket full).
                os.ftruncate(fd, 0)
                os.ftruncate(fd, size)
                os.pwrite(fd, wanted, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        self._fd, self._pid = fd, os.getpid()
        self._map = mmap.mmap(fd, size)
        return self._map

    @contextlib.contextmanager
    def _locked(self) -> Iterator[mmap.mmap]:
        # The thread lock first: flock excludes other processes, not this one's threads.
        with self._lock:
            table = self._open()
            assert fcntl is not None
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield table
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            if self._map is not None and self._pid == os.getpid():
                self._map.close()
                os.close(self._fd)
            self._map, self._fd, self._pid = None, -1, -1

    # -- slots -------------------------------------------------------------------------------

    def _offsets(self, digest: bytes) -> Iterator[int]:
        start = int.from_bytes(digest[:8], "little") % self.slots
        for i in range(_PROBES):
            yield _HEADER_SIZE + ((start + i) % self.slots) * _SLOT.size

    def _find(self, table: mmap.mmap, digest: bytes) -> tuple[int, bool]:
        """(offset, found): the key's slot, else an empty one, else the least recently used."""
        empty = oldest = -1
        oldest_at = float("inf")
        for offset in self._offsets(digest):
            key, _, at = _SLOT.unpack_from(table, offset)
            if key == digest:
                return offset, True
            if key == _EMPTY:
                if empty < 0:
                    empty = offset
            elif at < oldest_at:
                oldest, oldest_at = offset, at
        return (empty if empty >= 0 else oldest), False

    @staticmethod
    def _digest(key: str) -> bytes:
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        return digest if digest != _EMPTY else b"\x01" + digest[1:]

    def take(self, key: str, capacity: float, window: float, cost: float = 1.0) -> Taken:
        digest = self._digest(key)
        now = self.clock()
        with self._locked() as table:
            offset, found = self._find(table, digest)
            tokens, at = capacity, now
            if found:
                _, tokens, at = _SLOT.unpack_from(table, offset)
            result, left = _taken(
                _refilled(tokens, at, now, capacity, window), capacity, window, cost
            )
            _SLOT.pack_into(table, offset, digest, left, now)
            return result

    def wait(self, key: str, capacity: float, window: float) -> float:
        digest = self._digest(key)
        now = self.clock()
        with self._locked() as table:
            offset, found = self._find(table, digest)
            if not found:
                return 0.0
            _, tokens, at = _SLOT.unpack_from(table, offset)
        tokens = _refilled(tokens, at, now, capacity, window)
        return 0.0 if tokens >= 1 else (1 - tokens) * window / capacity

    def backoff(
        self,
        key: str,
        free: int,
        first_wait: float,
        most_wait: float,
        forget_after: float,
        cost: float = 1.0,
    ) -> Taken:
        # The slot's "tokens" hold the failures, its time the last failure's.
        digest = self._digest(key)
        now = self.clock()
        with self._locked() as table:
            offset, found = self._find(table, digest)
            failures, at = 0.0, now
            if found:
                _, failures, at = _SLOT.unpack_from(table, offset)
            result, failures, at = _backoff(
                failures, at, now, free, first_wait, most_wait, forget_after, cost
            )
            _SLOT.pack_into(table, offset, digest, failures, at)
            return result

    def reset(self, key: str) -> None:
        digest = self._digest(key)
        with self._locked() as table:
            offset, found = self._find(table, digest)
            if found:
                # Lookups scan every probe slot, so an empty slot breaks no chain.
                _SLOT.pack_into(table, offset, _EMPTY, 0.0, 0.0)


def shared_buckets(data_dir: Path) -> Buckets:
    """The host's shared buckets under ``data_dir``.  Every handle to the same file
    sees the same buckets (the API's and the pages' sign-in failures count together)."""
    if fcntl is None:  # pragma: no cover
        return MemoryBuckets()
    return SharedBuckets(Path(data_dir) / FILE_NAME)


class LoginThrottle:
    """Wrong passwords slow down whoever guesses, not the account guessed at.

    - Per client address: ``per_ip`` failures, then exponential back-off: the next
      attempt waits ``window_seconds / per_ip`` (the rate the old bucket refilled at),
      each further failure doubles the wait, up to ``most_wait_seconds``; the failures
      are forgotten ``window_seconds`` after the last wait is over.
    - Per known device (a browser holding a signed cookie of an earlier sign-in with
      this email, ``web.known_device``): the same back-off on the device instead of
      the address, and no per-email backstop.  A stranger cannot lock the owner's
      browser out, and a stolen cookie still guesses slowly.
    - Per email, a high backstop (``per_account`` failures per
      ``account_window_seconds``, a token bucket) against a guesser spread over many
      addresses; a known device passes it.

    The email key is the email as typed (trimmed, case-folded) whether or not an
    account has it, so a blocked answer tells nothing about which emails exist.  Use::

        wait = throttle.attempt(email, ip, device)
        if wait: answer 429 with Retry-After: ceil(wait), without checking the password
        check the password (a wrong one: answer 401; its failure stays counted)
        throttle.succeeded(email, ip, device)"""

    def __init__(
        self,
        buckets: Buckets,
        *,
        per_ip: int,
        window_seconds: float,
        per_account: int,
        account_window_seconds: float,
        most_wait_seconds: float = 3600.0,
    ) -> None:
        self.buckets = buckets
        self.per_ip = per_ip
        self.window = float(window_seconds)
        self.per_account = per_account
        self.account_window = float(account_window_seconds)
        self.most_wait = float(most_wait_seconds)

    @staticmethod
    def _account(account: str) -> str:
        return "login-account:" + account.strip().casefold()

    @staticmethod
    def _guesser(ip: str, device: str | None) -> str:
        return "login-device:" + device if device else "login-ip:" + ip

    def _back_off(self, key: str, cost: float) -> Taken:
        return self.buckets.backoff(
            key, self.per_ip, self.window / self.per_ip, self.most_wait, self.window, cost
        )

    def attempt(self, account: str, ip: str, device: str | None = None) -> float:
        """Reserve one failure for a sign-in about to be checked: 0 to go ahead, else
        the seconds to wait (nothing reserved).  Reserving before the password is
        checked keeps a burst of parallel guesses inside the limit too.  A failed
        sign-in keeps its reservation; call ``succeeded`` after a good one.
        ``device``: the known device whose cookie is signed for this email, if any."""
        guesser = self._guesser(ip, device)
        by_guesser = self._back_off(guesser, 1.0)
        if not by_guesser.allowed:
            return by_guesser.wait
        if device:
            return 0.0
        by_account = self.buckets.take(
            self._account(account), self.per_account, self.account_window
        )
        if not by_account.allowed:
            self._back_off(guesser, -1.0)
            return by_account.wait
        return 0.0

    def succeeded(self, account: str, ip: str, device: str | None = None) -> None:
        """A good password: the address (or device) and the email get their
        reservations back; their other failures stand, so a guesser who also knows one
        password of their own cannot wipe their record with it."""
        self._back_off(self._guesser(ip, device), -1.0)
        if not device:
            self.buckets.take(
                self._account(account), self.per_account, self.account_window, cost=-1.0
            )


class SignupThrottle:
    """New accounts allowed per client address: ``per_ip`` sign-ups refilled over
    ``window_seconds`` (OPENINNO_SIGNUP_RATE_LIMIT), counted in the same buckets as the
    API's limits, so every worker and both doors (``POST /api/v1/accounts`` and the
    ``/signup`` page) share one count per address.  Use::

        wait = throttle.attempt(ip)
        if wait: answer 429 with Retry-After: ceil(wait), recording nothing
        register (malformed input that recorded nothing: throttle.malformed(ip))"""

    def __init__(self, buckets: Buckets, per_ip: int, window_seconds: float) -> None:
        self.buckets = buckets
        self.per_ip = per_ip
        self.window = float(window_seconds)

    @staticmethod
    def _ip(ip: str) -> str:
        return "signup-ip:" + ip

    def attempt(self, ip: str) -> float:
        """Reserve one sign-up before any work (the password's argon2 hash): 0 to go
        ahead, else the seconds to wait.  Reserving first keeps a parallel burst
        inside the limit."""
        taken = self.buckets.take(self._ip(ip), self.per_ip, self.window)
        return 0.0 if taken.allowed else taken.wait

    def malformed(self, ip: str) -> None:
        """The sign-up was refused for its input before anything was recorded: its
        reservation is given back, so fixing a typo costs nothing.  (A taken email
        keeps its reservation: otherwise the door would be a free probe for who has
        an account.)"""
        self.buckets.take(self._ip(ip), self.per_ip, self.window, cost=-1.0)


class MailLinkThrottle:
    """Mails of links asked for (a password reset, the verification link again): at
    most ``per_ip`` per client address and ``per_address`` per e-mail address (as
    typed, known or not: the count tells nothing about who has an account) in
    ``window_seconds``, counted in the shared buckets.  Use::

        wait = throttle.attempt(ip, email)
        if wait: answer 429 with Retry-After: ceil(wait), recording nothing"""

    def __init__(
        self, buckets: Buckets, per_ip: int, per_address: int, window_seconds: float
    ) -> None:
        self.buckets = buckets
        self.per_ip = per_ip
        self.per_address = per_address
        self.window = float(window_seconds)

    def attempt(self, ip: str, address: str) -> float:
        """Both counts take one (the address's only when the client's allowed it)."""
        by_ip = self.buckets.take("mail-link-ip:" + ip, self.per_ip, self.window)
        if not by_ip.allowed:
            return by_ip.wait
        key = "mail-link-to:" + address.strip().lower()
        by_address = self.buckets.take(key, self.per_address, self.window)
        return 0.0 if by_address.allowed else by_address.wait
