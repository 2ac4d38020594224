"""argon2id password hashing (argon2-cffi).  Cost parameters are settings so tests
can use cheap ones; the algorithm is always argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from openinno.domain.errors import InvalidInput

MIN_LENGTH = 10


class Passwords:
    def __init__(self, *, time_cost: int = 3, memory_cost_kib: int = 65536) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=1, type=Type.ID
        )

    def hash(self, password: str) -> str:
        if len(password) < MIN_LENGTH:
            raise InvalidInput(
                "Passwords need at least %(min)s characters.", field="password", min=MIN_LENGTH
            )
        if len(password) > 1024:
            raise InvalidInput("Passwords are limited to 1024 characters.", field="password")
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def dummy_verify(self) -> None:
        """Spend the same time on an unknown email, so timing leaks nothing."""
        self.verify(self._dummy, "not the password")

    @property
    def _dummy(self) -> str:
        if not hasattr(self, "_dummy_hash"):
            self._dummy_hash = self._hasher.hash("a dummy password")
        return self._dummy_hash
