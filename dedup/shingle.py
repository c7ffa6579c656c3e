"""Word shingles (n-grams) as 64-bit hashes, computed for all positions at once with numpy.

A shingle's hash depends only on the normalised words it covers, so the same words give the
same hash in every article. :func:`shingle_hash32` computes the same value (its top 32 bits)
from a shingle written as text, which makes it a drop-in ``hashfunc`` for datasketch.

>>> from dedup.normalize import tokenize_array
>>> shingles = shingle_hashes(tokenize_array("one two three four five six").hashes, 5)
>>> len(shingles)
2
>>> int(shingles[0] >> np.uint64(32)) == shingle_hash32(b"one two three four five")
True
"""

from __future__ import annotations

import numpy as np

from .normalize import fmix64_array, key_hash

__all__ = ["shingle_hash32", "shingle_hash64", "shingle_hashes"]

# Distinct odd multipliers, one per position inside a shingle, so word order matters.
_POSITION_MULTIPLIERS = np.array(
    [(0x9E3779B97F4A7C15 * (2 * i + 1) + 0xD1B54A32D192ED03 * i) % (1 << 64) | 1 for i in range(64)],
    dtype=np.uint64,
)


def shingle_hashes(token_hashes: np.ndarray, size: int) -> np.ndarray:
    """64-bit hashes of every ``size``-word shingle, one per start position.

    Returns an empty array when there are fewer than ``size`` tokens.
    """
    count = len(token_hashes) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(size):
            acc += token_hashes[offset : offset + count] * _POSITION_MULTIPLIERS[offset]
        return fmix64_array(acc)


def shingle_hash64(shingle: bytes | str) -> int:
    """The 64-bit hash of one shingle given as its normalised words joined by single spaces."""
    text = shingle.decode("utf-8") if isinstance(shingle, bytes) else shingle
    words = np.array([key_hash(word) for word in text.split(" ")], dtype=np.uint64)
    return int(shingle_hashes(words, len(words))[0])


def shingle_hash32(shingle: bytes | str) -> int:
    """The 32-bit shingle hash MinHash signatures use (the top half of :func:`shingle_hash64`).

    Pass it as ``hashfunc`` to :class:`datasketch.MinHash` to get signatures equal to dedup's.
    """
    return shingle_hash64(shingle) >> 32
