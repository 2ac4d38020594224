"""Per-person data keys, wrapped by a master key, shredded to erase (decision 0032).

One random AES-256 key per (person, scope), made on first use and stored wrapped
(AES-GCM under the current master key, with "subject/scope" as associated data) in
``pd_keys``: in the event store's PostgreSQL schema, or in ``personal-keys.db`` beside
the SQLite event store (``secure_delete`` on, so a shredded key's bytes are overwritten,
not left in a free page).  Shredding sets the wrapped key to NULL and keeps the row (who,
which scope, when made and when shredded): a key once shredded is never made again, so
nothing of that person in that scope is ever readable or recorded afterwards.

Unwrapped keys are cached per process for ``personal_key_cache_seconds``: a shred by
another process is seen within that time (and at once by any process that decodes the
person's ``Account.Erased``, which calls ``forget``).
"""

from __future__ import annotations

import base64
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from openinno.persistence.environment import postgres_env
from openinno.persistence.migrate import postgres_conninfo
from openinno.settings import Settings

__all__ = ["MasterKeys", "PersonalKeys"]

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_FILE = "personal-data-key"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS pd_keys (subject_id TEXT NOT NULL, scope TEXT NOT NULL,"
    " master_id TEXT NOT NULL, wrapped BYTEA, created_at TEXT NOT NULL, shredded_at TEXT,"
    " reason TEXT, PRIMARY KEY (subject_id, scope))",
)


class MasterKeys:
    """The master keys by id; ``current`` wraps new keys, every one unwraps."""

    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("no master key for personal data")
        for key_id, key in keys:
            if len(key) != KEY_BYTES:
                raise ValueError(f"personal-data master key {key_id!r} is not 32 bytes")
        self.current = keys[0][0]
        self.by_id = dict(keys)

    @classmethod
    def from_settings(cls, settings: Settings) -> MasterKeys:
        if settings.personal_data_keys:
            keys = []
            for item in settings.personal_data_keys.split(","):
                key_id, _, text = item.strip().partition(":")
                keys.append((key_id, base64.b64decode(text, validate=True)))
            return cls(keys)
        if settings.cipher_key:
            return cls([("cipher", base64.b64decode(settings.cipher_key, validate=True))])
        path = settings.data_dir / KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first
            else:
                with os.fdopen(fd, "wb") as f:
                    f.write(base64.b64encode(os.urandom(KEY_BYTES)) + b"\n")
        return cls([("file", base64.b64decode(path.read_bytes().strip(), validate=True))])

    def wrap(self, subject: str, scope: str, key: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.by_id[self.current]).encrypt(nonce, key, _aad(subject, scope))
        return self.current, nonce + sealed

    def unwrap(self, master_id: str, subject: str, scope: str, wrapped: bytes) -> bytes:
        master = self.by_id.get(master_id)
        if master is None:
            raise KeyError(f"personal-data master key {master_id!r} is not configured")
        return AESGCM(master).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _aad(subject, scope)
        )


def _aad(subject: str, scope: str) -> bytes:
    return f"{subject}/{scope}".encode()


class _Db:
    """One connection with `?` placeholders, used under a lock by any thread."""

    def __init__(self, settings: Settings) -> None:
        self.is_postgres = settings.is_postgres
        self.lock = threading.Lock()
        if self.is_postgres:
            import psycopg

            env = postgres_env(settings.database_url)
            self.conn: Any = psycopg.connect(postgres_conninfo(env), autocommit=True)
            if env.get("POSTGRES_SCHEMA"):
                from psycopg import sql

                self.conn.execute(
                    sql.SQL("SET search_path TO {}").format(sql.Identifier(env["POSTGRES_SCHEMA"]))
                )
        else:
            path = settings.sqlite_path.parent / "personal-keys.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(
                path, isolation_level=None, timeout=30, check_same_thread=False
            )
            self.conn.execute("PRAGMA journal_mode=WAL")
            # A shredded key's bytes are overwritten with zeros, never left in a free page.
            self.conn.execute("PRAGMA secure_delete=ON")

    def rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return list(self.conn.execute(self._sql(statement), params).fetchall())

    def execute(self, statement: str, params: Sequence[Any] = ()) -> int:
        with self.lock:
            return int(self.conn.execute(self._sql(statement), params).rowcount)

    def _sql(self, statement: str) -> str:
        if self.is_postgres:
            return statement.replace("?", "%s")
        return statement.replace("BYTEA", "BLOB")


class PersonalKeys:
    def __init__(self, settings: Settings, *, create_tables: bool = False) -> None:
        self.settings = settings
        self.master = MasterKeys.from_settings(settings)
        self.db = _Db(settings)
        self.ttl = settings.personal_key_cache_seconds
        self._cache: dict[tuple[str, str], tuple[bytes | None, float]] = {}
        self._cache_lock = threading.Lock()
        if create_tables or not settings.is_postgres:
            self.migrate()

    def migrate(self) -> None:
        for statement in SCHEMA:
            self.db.execute(statement)

    def close(self) -> None:
        with self.db.lock:
            self.db.conn.close()

    # --- reading and making keys ----------------------------------------------------------

    def key(self, subject: str, scope: str, *, create: bool = False) -> bytes | None:
        """The data key of (subject, scope); None if it was shredded (or never made and
        ``create`` is off)."""
        now = time.monotonic()
        with self._cache_lock:
            cached = self._cache.get((subject, scope))
        if cached is not None and cached[1] > now and (cached[0] is not None or not create):
            return cached[0]
        made, key = self._load(subject, scope)
        if not made and create:
            self._make(subject, scope)
            made, key = self._load(subject, scope)
        with self._cache_lock:
            self._cache[(subject, scope)] = (key, now + self.ttl)
        return key

    def _load(self, subject: str, scope: str) -> tuple[bool, bytes | None]:
        """Whether the key was ever made, and the key (None: never made, or shredded)."""
        rows = self.db.rows(
            "SELECT master_id, wrapped FROM pd_keys WHERE subject_id = ? AND scope = ?",
            (subject, scope),
        )
        if not rows:
            return False, None
        master_id, wrapped = rows[0]
        if wrapped is None:
            return True, None
        return True, self.master.unwrap(master_id, subject, scope, bytes(wrapped))

    def _make(self, subject: str, scope: str) -> None:
        master_id, wrapped = self.master.wrap(subject, scope, AESGCM.generate_key(256))
        # Two processes may make one at once: the first row wins, both read it back.
        self.db.execute(
            "INSERT INTO pd_keys (subject_id, scope, master_id, wrapped, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject_id, scope) DO NOTHING",
            (subject, scope, master_id, wrapped, _utc_now()),
        )

    def forget(self, subject: str) -> None:
        """Drop the subject's keys from this process's cache (its erasure was seen)."""
        with self._cache_lock:
            for cached in [k for k in self._cache if k[0] == subject]:
                del self._cache[cached]

    # --- shredding --------------------------------------------------------------------------

    def scopes(self, subject: str) -> list[tuple[str, bool]]:
        """The subject's scopes, each with whether its key still exists."""
        rows = self.db.rows(
            "SELECT scope, wrapped IS NOT NULL FROM pd_keys WHERE subject_id = ? ORDER BY scope",
            (subject,),
        )
        return [(str(scope), bool(live)) for scope, live in rows]

    def shred(self, subject: str, scopes: Iterable[str], reason: str) -> list[str]:
        """Destroy the subject's keys of ``scopes`` (made shredded if never made, so that
        nothing is recorded under them later); the scopes shredded now."""
        done = []
        for scope in scopes:
            self.db.execute(
                "INSERT INTO pd_keys (subject_id, scope, master_id, wrapped, created_at)"
                " VALUES (?, ?, '', NULL, ?) ON CONFLICT (subject_id, scope) DO NOTHING",
                (subject, scope, _utc_now()),
            )
            changed = self.db.execute(
                "UPDATE pd_keys SET wrapped = NULL, shredded_at = ?, reason = ?"
                " WHERE subject_id = ? AND scope = ? AND shredded_at IS NULL",
                (_utc_now(), reason, subject, scope),
            )
            if changed:
                done.append(scope)
        self.forget(subject)
        if self.db.is_postgres and done:
            # The old row version keeps the wrapped key until vacuumed.
            self.db.execute("VACUUM pd_keys")
        return done

    def shred_scope_everywhere(self, scope: str, reason: str) -> list[str]:
        """Destroy every key of ``scope`` (a retention: one vote's network data); the
        subjects whose key it was."""
        subjects = [
            str(s)
            for (s,) in self.db.rows(
                "SELECT subject_id FROM pd_keys WHERE scope = ? AND shredded_at IS NULL", (scope,)
            )
        ]
        for subject in subjects:
            self.shred(subject, [scope], reason)
        return subjects

    def rewrap(self) -> int:
        """Wrap every live key under the current master key (a rotation); how many."""
        rows = self.db.rows(
            "SELECT subject_id, scope, master_id, wrapped FROM pd_keys"
            " WHERE wrapped IS NOT NULL AND master_id <> ?",
            (self.master.current,),
        )
        for subject, scope, master_id, wrapped in rows:
            key = self.master.unwrap(master_id, subject, scope, bytes(wrapped))
            new_id, new_wrapped = self.master.wrap(subject, scope, key)
            self.db.execute(
                "UPDATE pd_keys SET master_id = ?, wrapped = ? WHERE subject_id = ? AND scope = ?"
                " AND wrapped IS NOT NULL",
                (new_id, new_wrapped, subject, scope),
            )
        return len(rows)


def _utc_now() -> str:
    # Bookkeeping of the key table (not a domain fact): when a key was made or shredded.
    return datetime.now().astimezone().isoformat(timespec="seconds")
