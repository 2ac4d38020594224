"""RFC 9162 Merkle trees: the reference vectors, and properties over random sizes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from openinno.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# The eight leaves and roots used by the Certificate Transparency reference code
# (RFC 6962 / 9162 test data).
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def tree_of(leaves):
    tree = MerkleTree()
    for leaf in leaves:
        tree.append(leaf)
    return tree


def test_reference_roots():
    tree = MerkleTree()
    assert tree.root() == EMPTY_ROOT
    for size, leaf in enumerate(LEAVES, start=1):
        tree.append(leaf)
        assert tree.root().hex() == ROOTS[size - 1]
        assert root_of(LEAVES[:size]).hex() == ROOTS[size - 1]


def test_reference_inclusion_and_consistency_proofs_verify():
    tree = tree_of(LEAVES)
    for size in range(1, 9):
        root = bytes.fromhex(ROOTS[size - 1])
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, root)
        for first in range(1, size + 1):
            proof = tree.consistency_proof(first, size)
            assert verify_consistency(first, size, proof, bytes.fromhex(ROOTS[first - 1]), root)


def test_known_proof_shapes():
    tree = tree_of(LEAVES)
    # RFC 6962's example tree of 7 leaves: PATH(0) has 3 nodes, PROOF(3, 7) has 4.
    assert len(tree.inclusion_proof(0, 7)) == 3
    assert len(tree.consistency_proof(3, 7)) == 4
    assert len(tree.consistency_proof(4, 7)) == 1
    assert len(tree.consistency_proof(6, 7)) == 3


sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=80, deadline=None)
@given(sizes, st.data())
def test_inclusion_proofs_verify_and_reject_tampering(size, data):
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    tree = tree_of(leaves)
    index = data.draw(st.integers(0, size - 1))
    tree_size = data.draw(st.integers(index + 1, size))
    root = tree.root(tree_size)
    assert root == root_of(leaves[:tree_size])
    proof = tree.inclusion_proof(index, tree_size)
    assert verify_inclusion(leaf_hash(leaves[index]), index, tree_size, proof, root)
    assert not verify_inclusion(leaf_hash(b"forged"), index, tree_size, proof, root)
    if tree_size > 1:
        assert not verify_inclusion(
            leaf_hash(leaves[index]), (index + 1) % tree_size, tree_size, proof, root
        )
    if proof:
        bent = [bytes(32), *proof[1:]]
        assert not verify_inclusion(leaf_hash(leaves[index]), index, tree_size, bent, root)


@settings(max_examples=80, deadline=None)
@given(sizes, st.data())
def test_consistency_proofs_verify_and_reject_rewritten_history(size, data):
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    tree = tree_of(leaves)
    first = data.draw(st.integers(1, size))
    proof = tree.consistency_proof(first, size)
    assert verify_consistency(first, size, proof, tree.root(first), tree.root())
    # a log that rewrote one early leaf cannot prove consistency with the old root
    rewritten = list(leaves)
    rewritten[data.draw(st.integers(0, first - 1))] = b"rewritten"
    other = tree_of(rewritten)
    assert not verify_consistency(
        first, size, other.consistency_proof(first, size), tree.root(first), other.root()
    )
