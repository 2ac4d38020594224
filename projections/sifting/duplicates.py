"""Near-duplicate entries (issue 27, decision 0033): MinHash signatures of each entry's
normalised text, indexed by locality-sensitive hashing as entries arrive.

- Normalised: case folded, accents stripped (NFKD, combining marks dropped), only
  letters and digits kept, so "Café  Kite!" and "cafe kite" are the same text.
- Shingles: each word's character trigrams, with its boundaries (" ki", "kit", "ite",
  "te "): a bag, so reordered words change nothing and a typo changes a few shingles
  of one word; whole-word shingles would miss a typo, order-bound ones a reordering.
- A ``datasketch.MinHash`` of NUM_PERM permutations (seeded: every process and every
  rebuild computes the same signature), cut into BANDS bands of ROWS values; each
  band's values hashed to a bucket.  Entries sharing a bucket are candidates (the
  S-curve of LSH_THRESHOLD: ``datasketch``'s optimal bands and rows for it), kept as
  pairs only where the signatures' estimated Jaccard similarity reaches SIMILAR.

The projection stores each entry's signature and its buckets (``sf_signatures``,
``sf_buckets``); ``clusters`` joins the buckets of one challenge, checks each pair
and links the pairs into clusters (union-find), earliest receipt first."""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param

NUM_PERM = 64
SEED = 27
# Named, not left to the library's default: stored signatures must stay comparable
# with those a later datasketch computes.
SCHEME = "affine32"
# The LSH threshold sets the bands: pairs well below it rarely share a bucket.
LSH_THRESHOLD = 0.4
BANDS, ROWS = _optimal_param(LSH_THRESHOLD, NUM_PERM, 0.5, 0.5)
# A candidate pair is a near-duplicate where the estimated Jaccard similarity of its
# shingles reaches this (tuned on tests/benchmarks/bench_sifting.py's generated set).
SIMILAR = 0.5

_WORD = re.compile(r"\w+")
# One permutation set for the process: building it is most of a MinHash's cost.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def normalise(text: str) -> list[str]:
    """The text's words, case folded, accents stripped."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [w.replace("_", "") for w in _WORD.findall(plain) if w.replace("_", "")]


def shingles(text: str) -> set[bytes]:
    found: set[bytes] = set()
    for word in normalise(text):
        padded = f" {word} "
        found.update(padded[i : i + 3].encode() for i in range(len(padded) - 2))
    return found


def signature(text: str) -> np.ndarray:
    """The MinHash signature (NUM_PERM unsigned 32-bit values) of the text."""
    minhash = MinHash(
        num_perm=NUM_PERM, seed=SEED, permutations=_TEMPLATE.permutations, scheme=SCHEME
    )
    minhash.update_batch(shingles(text))
    values: np.ndarray = minhash.hashvalues.astype(np.uint32)
    return values


def encode(values: np.ndarray) -> str:
    return base64.b64encode(values.astype("<u4").tobytes()).decode()


def decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<u4")


def buckets(values: np.ndarray) -> list[tuple[int, int]]:
    """(band, bucket) per band: the band's values hashed to a signed 63-bit integer."""
    raw = values.astype("<u4").tobytes()
    width = ROWS * 4
    return [
        (
            band,
            int.from_bytes(
                hashlib.blake2b(raw[band * width : (band + 1) * width], digest_size=8).digest(),
                "little",
            )
            >> 1,
        )
        for band in range(BANDS)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def link(ids: Sequence[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Clusters (two or more ids each) of the pairs' connected components, each in the
    order of ``ids``, clusters in the order of their first member."""
    parent = {i: i for i in ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = {i: n for n, i in enumerate(ids)}
    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            if order[ra] < order[rb]:
                parent[rb] = ra
            else:
                parent[ra] = rb
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(root(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]
