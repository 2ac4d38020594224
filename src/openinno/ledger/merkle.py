"""Merkle tree hashing, inclusion and consistency proofs as RFC 9162 (section 2.1)
defines them: leaves hashed with prefix 0x00, interior nodes with 0x01, so a leaf
can never pass for a node.

The tree is append-only.  A ``NodeStore`` keeps the hash of every *perfect*
subtree (2**level leaves starting at index * 2**level); any other range is
split at the largest power of two below its size, as the RFC's MTH does, so
root and proofs cost O(log^2 n) look-ups and appending costs O(log n).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

# Hashing and proof checking live in the standalone verifier, which needs them too.
from openinno.ledger.evidence_verifier import (
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "MerkleTree",
    "leaf_hash",
    "node_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class NodeStore(Protocol):
    def get(self, level: int, index: int) -> bytes: ...

    def put(self, level: int, index: int, digest: bytes) -> None: ...

    @property
    def size(self) -> int: ...


class MemoryNodeStore:
    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    def get(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def put(self, level: int, index: int, digest: bytes) -> None:
        while len(self.levels) <= level:
            self.levels.append([])
        row = self.levels[level]
        if index == len(row):
            row.append(digest)
        else:
            row[index] = digest

    @property
    def size(self) -> int:
        return len(self.levels[0])


class MerkleTree:
    def __init__(self, store: NodeStore | None = None) -> None:
        self.store: NodeStore = store if store is not None else MemoryNodeStore()

    @property
    def size(self) -> int:
        return self.store.size

    def append(self, data: bytes) -> int:
        """Add a leaf; returns its index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, digest: bytes) -> int:
        index = self.store.size
        self.store.put(0, index, digest)
        level, i = 0, index
        # Each time the new leaf completes a perfect subtree, record its hash.
        while i % 2 == 1:
            digest = node_hash(self.store.get(level, i - 1), digest)
            level, i = level + 1, i // 2
            self.store.put(level, i, digest)
        return index

    def _range(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end)."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self.store.get(n.bit_length() - 1, start // n)
        k = _split(n)
        return node_hash(self._range(start, start + k), self._range(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        self._check_size(size)
        return EMPTY_ROOT if size == 0 else self._range(0, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(m, D[n])."""
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of size {size}")
        return self._path(index, 0, size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*self._path(m, start, start + k), self._range(start + k, end)]
        return [*self._path(m - k, start + k, end), self._range(start, start + k)]

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(m, D[n])."""
        self._check_size(second)
        if not 0 < first <= second:
            raise ValueError("consistency needs 0 < first <= second")
        if first == second:
            return []
        return self._subproof(first, 0, second, True)

    def _subproof(self, m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [self._range(start, end)]
        k = _split(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, whole), self._range(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self._range(start, start + k)]

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is beyond the {self.size} leaves recorded")


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH straight from the definition: the reference the tests compare against."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = _split(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))
