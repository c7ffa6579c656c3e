"""A fixed-size bit filter of the band keys merged into a store, to skip looking up absent keys.

A new article's band keys are nearly all new: in a 40,000-article news-like index, 4% of the
band keys of the next 1,000 articles were held by a stored article. Each look-up in the B-tree of
merged keys costs a few microseconds, so the store first asks this filter, which answers "maybe
held" for every key that was ever merged (and for some others), and looks up only those.

The filter is a Bloom filter of fixed size (:data:`BITS`, 64 MB) with two bits per key, so it
never grows: with the 72 million keys of 100,000 articles (merged and recent) about a quarter of
its bits are set, and an absent key passes, and is looked up, with a probability of about 5%
(one bit per key in 32 MB let 24% through). It only gains bits (a removed article's keys stay
marked, which costs a look-up, never an answer).

>>> keys = np.array([5 << 24, 9 << 24], dtype=np.int64)
>>> bits = KeyFilter()
>>> bits.add(keys[:1])
>>> bits.maybe_held(keys).tolist()
[True, False]
>>> KeyFilter(bits.to_bytes()).maybe_held(keys).tolist()
[True, False]
"""

from __future__ import annotations

import numpy as np

from ..candidates import OWNER_BITS
from ..compiled import use_kernels

__all__ = ["BITS", "KeyFilter"]

BITS = 29  # 2^29 bits: 64 MB, whatever the size of the index
_SLOT = np.uint64((1 << BITS) - 1)
_KERNEL_MIN_KEYS = 100_000  # one chunk of articles: the compiled loop (:func:`dedup.kernels.set_bits`) takes a
# tenth of the time of sixteen numpy passes
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the second bit from all the key's bits


def _slots(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two bits of each key: its bits just above the article number (already a hash), and
    a multiplicative hash of all of them."""
    key = keys.astype(np.uint64) >> np.uint64(OWNER_BITS)
    return (key & _SLOT).astype(np.int64), ((key * _SPREAD) >> np.uint64(64 - BITS)).astype(np.int64)


class KeyFilter:
    """The set bits of merged keys; ``KeyFilter(data)`` restores one from :meth:`to_bytes`."""

    def __init__(self, data: bytes | None = None) -> None:
        if data is None:
            self.bits = np.zeros(1 << (BITS - 3), dtype=np.uint8)
        elif len(data) != 1 << (BITS - 3):
            raise ValueError(f"a key filter holds {1 << (BITS - 3)} bytes, got {len(data)}")
        else:
            self.bits = np.frombuffer(data, dtype=np.uint8).copy()

    def add(self, keys: np.ndarray) -> None:
        """Mark these keys (or packed entries: the article number is ignored)."""
        if use_kernels(len(keys), _KERNEL_MIN_KEYS):
            from ..kernels import set_bits

            for slots in _slots(keys):
                set_bits(self.bits, slots)
            return
        for slots in _slots(keys):
            for bit in range(8):  # one bit at a time: a byte's repeats then all store the same value
                self.bits[slots[(slots & 7) == bit] >> 3] |= np.uint8(1 << bit)

    def maybe_held(self, keys: np.ndarray) -> np.ndarray:
        """``False`` where a key was certainly never added."""
        first, second = _slots(keys)
        return (self.bits[first >> 3] >> (first & 7).astype(np.uint8)) & (
            self.bits[second >> 3] >> (second & 7).astype(np.uint8)) & 1 > 0

    def to_bytes(self) -> bytes:
        return self.bits.tobytes()
