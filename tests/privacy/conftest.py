"""The read side's fixtures, shared with the read-model tests."""

from tests.projections.conftest import read_side, read_store  # noqa: F401
