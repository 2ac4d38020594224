"""The console command, run in-process against a fresh SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from web.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENINNO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENINNO_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENINNO_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("OPENINNO_ARGON2_MEMORY_KIB", "8")
    return tmp_path


def test_migrate_then_admin_create(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert (data_dir / "openinno.db").exists()
    assert (
        main(
            [
                "admin",
                "create",
                "--email",
                "root@example.org",
                "--password",
                "a long admin password",
            ]
        )
        == 0
    )
    app = OpenInno(Settings.from_env())
    try:
        account_id = app.authenticate("root@example.org", "a long admin password")
        assert app.get_account(account_id).is_admin
    finally:
        app.close()
    # a second admin with the same email is a clear error, not a traceback
    assert (
        main(["admin", "create", "--email", "ROOT@example.org", "--password", "another password!"])
        == 2
    )
    assert "already registered" in capsys.readouterr().err


def test_the_app_does_not_create_tables_itself(data_dir: Path) -> None:
    app = OpenInno(Settings.from_env())
    try:
        with pytest.raises(Exception, match="no such table"):
            app.register_account("ada@example.org", "correct horse battery", "Ada")
    finally:
        app.close()


def test_settings_parse_database_urls() -> None:
    sqlite = Settings.from_env({"OPENINNO_DATABASE_URL": "sqlite:////srv/oi/events.db"})
    assert sqlite.sqlite_path == Path("/srv/oi/events.db") and not sqlite.is_postgres
    relative = Settings.from_env({"OPENINNO_DATA_DIR": "data"})
    assert relative.sqlite_path == Path("data/openinno.db")
    pg = Settings.from_env({"OPENINNO_DATABASE_URL": "postgresql://u@h:5433/db?schema=s"})
    assert pg.is_postgres
    from openinno.persistence.environment import postgres_env

    env = postgres_env(pg.database_url)
    assert (
        env["POSTGRES_HOST"],
        env["POSTGRES_PORT"],
        env["POSTGRES_DBNAME"],
        env["POSTGRES_SCHEMA"],
    ) == ("h", "5433", "db", "s")
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in env


def test_files_directory_can_be_configured() -> None:
    configured = Settings.from_env({"OPENINNO_FILES_DIR": "/srv/openinno-files"})
    assert configured.files_dir == Path("/srv/openinno-files")
    assert Settings.from_env({"OPENINNO_DATA_DIR": "d"}).files_dir == Path("d/files")


def test_derived_files_live_beside_the_files_unless_configured() -> None:
    assert Settings.from_env({"OPENINNO_FILES_DIR": "/srv/f"}).derived_files_dir == Path(
        "/srv/f/derived"
    )
    configured = Settings.from_env({"OPENINNO_DERIVED_FILES_DIR": "/cache/derived"})
    assert configured.derived_files_dir == Path("/cache/derived")
