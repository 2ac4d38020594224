"""Settings from the environment, read once at start into one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_DATA_DIR = "var"
# Room in a request for its text fields and multipart headers beside the files.
REQUEST_SLACK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR}/openinno.db"
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    # 32-byte key, base64: enables AES-GCM encryption of stored event payloads.
    cipher_key: str = ""
    max_file_bytes: int = 25 * 1024 * 1024
    max_files_per_submission: int = 10
    # The largest request body a web worker reads (an entry with its files): larger
    # ones get 413, by their Content-Length before any byte is read, or as soon as they
    # grow past it.  None: max_file_bytes x max_files_per_submission + REQUEST_SLACK_BYTES.
    max_request_bytes: int | None = None
    aggregate_cache_size: int = 10_000
    # Record concurrent commands of one process in one transaction (group commit):
    # "auto" (on for PostgreSQL, off for SQLite), "on" or "off".
    group_commit: str = "auto"
    # argon2id cost; the defaults follow RFC 9106's second recommended option.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    host: str = "127.0.0.1"
    port: int = 8000
    # Where uploaded files live; defaults to <data_dir>/files.  With several web
    # workers on PostgreSQL, point this at storage every worker shares.
    files_directory: Path | None = None
    # Where blind copies and previews of the uploaded files live (derived, rebuildable);
    # defaults to <files_dir>/derived, so shared file storage shares them too.
    derived_files_directory: Path | None = None
    # Ed25519 private key (PEM file) that signs ledger checkpoints; see `openinno keys generate`.
    signing_key_file: Path | None = None
    # A hook that signs checkpoints with a key the process never reads (PKCS#11, a KMS):
    # "module:factory", factory(settings) -> an object with sign() and public_key()
    # (ledger/checkpoint.Signer); replaces signing_key_file (docs/operations.md).
    signer: str = ""
    # Secret (base64, 32 bytes) that proves each recorded event was written by the
    # application (persistence/write_proof.py); keep it off the database server.
    write_key_file: Path | None = None
    checkpoint_every_events: int = 1000
    checkpoint_every_seconds: float = 60.0
    # The log's name in its C2SP checkpoints (a schema-less URL, e.g. your domain
    # and a path); witnesses know the log by it.  Never change it once witnessed.
    log_origin: str = "openinno.example/ledger"
    # Witnesses each new checkpoint is submitted to: a JSON list of
    # {"name", "url", "public_key"} (ledger/witnessing.py, docs/operations.md).
    witnesses: str = ""
    # How many nice steps each web worker of several runs below the supervisor, which
    # applies the log to the read models and the ledger (web.app.lower_priority; 0: same).
    web_worker_nice: int = 5
    # After a batch that caught up with the log, the read models and the ledger wait
    # this long before reading again, so that under load batches are bigger
    # (projections.wakeup.Linger; 0: read again at once).
    read_side_linger_ms: float = 10.0
    # Threads per web worker that run the synchronous work of requests (commands, reads
    # of the event store and read models): requests beyond this many wait their turn.
    web_threads: int = 6
    # How long an API token lives from its issue; tokens issued before expiry was
    # recorded expire this long after their issue too.
    api_token_ttl_seconds: int = 30 * 24 * 3600
    # Outgoing mail (issue 23): smtp[s]://user:pass@host:port?starttls=1; empty: every
    # mail is written as an .eml file under mail_directory instead.
    smtp_url: str = ""
    mail_from: str = "openinno <noreply@localhost>"
    # Where mails go without SMTP; defaults to <data_dir>/mail.
    mail_directory: Path | None = None
    # The site's address as people reach it: the links in mails (and List-Unsubscribe).
    base_url: str = "http://127.0.0.1:8000"
    # A mail not sent this long after its event is recorded as expired, never sent (a
    # read model replayed for the first time, a sender down for days).
    mail_max_age_hours: float = 72.0
    # Proof of work on sign-up and voting (issue 24): the work factor (the largest
    # secret number a browser searches for: about half as many SHA-256 hashes on
    # average); 0: off.  web/proof_of_work.py.
    proof_of_work: int = 0
    # Webhooks (issue 23): endpoints whose host resolves to a private, loopback or
    # link-local address are refused unless this is on (OPENINNO_WEBHOOKS_ALLOW_PRIVATE=1);
    # a delivery not made this long after its event is recorded expired, never sent.
    webhooks_allow_private: bool = False
    webhook_max_age_hours: float = 72.0
    # Personal data (decision 0032): master keys that wrap each person's data keys,
    # "id:base64,id:base64" (the first wraps new keys; the rest only unwrap, for a
    # rotation); empty: the cipher key, else <data_dir>/personal-data-key.
    personal_data_keys: str = ""
    # How long a process keeps an unwrapped data key before reading it again (so a key
    # shredded by another process stops decrypting within this many seconds).
    personal_key_cache_seconds: float = 60.0
    # Retention: a vote's IP address and user agent are shredded this many days after
    # its challenge's submission deadline (the anomaly signals need them until judged).
    vote_network_retention_days: int = 90
    # Several hosts (docs/operations.md, "Topology"): the web's read-model reads from a
    # PostgreSQL streaming replica of the event store's server (its read schemas are
    # the primary's, named after OPENINNO_DATABASE_URL's schema); empty: the primary.
    read_database_url: str = ""
    # With a replica: how long a read with ?min_position= waits for the replica before
    # it reads from the primary's read models instead (web/replica.py).
    read_replica_wait_seconds: float = 1.0
    # Server-side page sessions; defaults to <data_dir>/sessions.  With several app
    # hosts, storage every host shares (like the files directory).
    sessions_directory: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("OPENINNO_DATA_DIR", DEFAULT_DATA_DIR))
        return cls(
            database_url=env.get("OPENINNO_DATABASE_URL", f"sqlite:///{data_dir / 'openinno.db'}"),
            data_dir=data_dir,
            cipher_key=env.get("OPENINNO_CIPHER_KEY", ""),
            max_file_bytes=int(env.get("OPENINNO_MAX_FILE_BYTES", 25 * 1024 * 1024)),
            max_files_per_submission=int(env.get("OPENINNO_MAX_FILES", 10)),
            max_request_bytes=(
                _positive(env, "OPENINNO_MAX_REQUEST_BYTES", 1)
                if env.get("OPENINNO_MAX_REQUEST_BYTES")
                else None
            ),
            aggregate_cache_size=int(env.get("OPENINNO_AGGREGATE_CACHE_SIZE", 10_000)),
            group_commit=_choice(env, "OPENINNO_GROUP_COMMIT", "auto", "on", "off"),
            argon2_time_cost=int(env.get("OPENINNO_ARGON2_TIME_COST", 3)),
            argon2_memory_kib=int(env.get("OPENINNO_ARGON2_MEMORY_KIB", 65536)),
            host=env.get("OPENINNO_HOST", "127.0.0.1"),
            port=int(env.get("OPENINNO_PORT", 8000)),
            files_directory=_optional_path(env.get("OPENINNO_FILES_DIR")),
            derived_files_directory=_optional_path(env.get("OPENINNO_DERIVED_FILES_DIR")),
            signing_key_file=_optional_path(env.get("OPENINNO_SIGNING_KEY_FILE")),
            write_key_file=_optional_path(env.get("OPENINNO_WRITE_KEY_FILE")),
            signer=env.get("OPENINNO_SIGNER", ""),
            checkpoint_every_events=int(env.get("OPENINNO_CHECKPOINT_EVERY_EVENTS", 1000)),
            checkpoint_every_seconds=float(env.get("OPENINNO_CHECKPOINT_EVERY_SECONDS", 60)),
            log_origin=env.get("OPENINNO_LOG_ORIGIN", "openinno.example/ledger"),
            witnesses=env.get("OPENINNO_WITNESSES", ""),
            web_worker_nice=int(env.get("OPENINNO_WEB_WORKER_NICE", 5)),
            read_side_linger_ms=float(env.get("OPENINNO_READ_SIDE_LINGER_MS", 10)),
            web_threads=_positive(env, "OPENINNO_WEB_THREADS", 6),
            api_token_ttl_seconds=_positive(env, "OPENINNO_API_TOKEN_TTL_SECONDS", 30 * 24 * 3600),
            smtp_url=env.get("OPENINNO_SMTP_URL", "").strip(),
            mail_from=env.get("OPENINNO_MAIL_FROM", "").strip() or "openinno <noreply@localhost>",
            mail_directory=_optional_path(env.get("OPENINNO_MAIL_DIR")),
            base_url=(env.get("OPENINNO_BASE_URL", "").strip() or "http://127.0.0.1:8000").rstrip(
                "/"
            ),
            mail_max_age_hours=float(env.get("OPENINNO_MAIL_MAX_AGE_HOURS", 72)),
            proof_of_work=_work_factor(env.get("OPENINNO_PROOF_OF_WORK", "")),
            webhooks_allow_private=env.get("OPENINNO_WEBHOOKS_ALLOW_PRIVATE", "").strip().lower()
            in ("1", "true", "yes", "on"),
            webhook_max_age_hours=float(env.get("OPENINNO_WEBHOOK_MAX_AGE_HOURS", 72)),
            personal_data_keys=env.get("OPENINNO_PERSONAL_DATA_KEYS", "").strip(),
            personal_key_cache_seconds=float(env.get("OPENINNO_PERSONAL_KEY_CACHE_SECONDS", 60)),
            vote_network_retention_days=int(env.get("OPENINNO_VOTE_NETWORK_RETENTION_DAYS", 90)),
            read_database_url=env.get("OPENINNO_READ_DATABASE_URL", "").strip(),
            read_replica_wait_seconds=float(env.get("OPENINNO_READ_REPLICA_WAIT_SECONDS", 1)),
            sessions_directory=_optional_path(env.get("OPENINNO_SESSIONS_DIR")),
        )

    @property
    def signing_key_path(self) -> Path:
        return self.signing_key_file or self.data_dir / "signing-key.pem"

    @property
    def request_bytes_limit(self) -> int:
        """The largest request body read (OPENINNO_MAX_REQUEST_BYTES, or derived)."""
        if self.max_request_bytes is not None:
            return self.max_request_bytes
        return self.max_file_bytes * self.max_files_per_submission + REQUEST_SLACK_BYTES

    @property
    def write_key_path(self) -> Path:
        return self.write_key_file or self.data_dir / "write-key"

    @property
    def group_commit_enabled(self) -> bool:
        if self.group_commit == "auto":
            return self.is_postgres
        return self.group_commit == "on"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> Path:
        parsed = urlparse(self.database_url)
        if parsed.scheme != "sqlite":
            raise ValueError(f"not a sqlite URL: {self.database_url}")
        # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy spells them
        return Path(unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path))

    @property
    def files_dir(self) -> Path:
        return self.files_directory or self.data_dir / "files"

    @property
    def sessions_dir(self) -> Path:
        return self.sessions_directory or self.data_dir / "sessions"

    @property
    def mail_dir(self) -> Path:
        return self.mail_directory or self.data_dir / "mail"

    @property
    def derived_files_dir(self) -> Path:
        return self.derived_files_directory or self.files_dir / "derived"


def _positive(env: dict[str, str], name: str, default: int) -> int:
    value = int(env.get(name, default))
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def _optional_path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _choice(env: dict[str, str], name: str, default: str, *others: str) -> str:
    value = env.get(name, default).strip().lower()
    if value not in (default, *others):
        raise ValueError(f"{name} must be one of {', '.join((default, *others))}, not {value!r}")
    return value


def _work_factor(value: str) -> int:
    """OPENINNO_PROOF_OF_WORK: empty, "0" or "off": off; else a work factor of 1,000
    to 100,000,000."""
    value = value.strip().lower().replace("_", "")
    if value in ("", "0", "off"):
        return 0
    factor = int(value)
    if not 1_000 <= factor <= 100_000_000:
        raise ValueError("OPENINNO_PROOF_OF_WORK: off, or a work factor of 1000 to 100000000")
    return factor
