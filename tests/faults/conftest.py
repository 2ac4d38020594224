"""Fixtures for the fault tests: ``pg_settings`` (a migrated throwaway PostgreSQL
schema) is in tests/conftest.py; the verifier that reads the store back is in
store_check.py."""
