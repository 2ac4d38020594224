"""Fixtures for the fault tests: a migrated throwaway PostgreSQL schema (dropped with
its read-model schema afterwards) and a verifier that reads the store back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openinno.settings import Settings
from tests.support.server import drop_schemas, migrate, postgres_settings, schema_of


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path) -> Iterator[Settings]:
    settings = postgres_settings(postgres_url, tmp_path)
    schema = schema_of(settings)
    try:
        migrate(settings)
        yield settings
    finally:
        drop_schemas(postgres_url, schema, f"{schema}_read")
