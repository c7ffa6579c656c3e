"""A fixed-size bit filter of the band keys merged into a store, to skip looking up absent keys.

A new article's band keys are nearly all new: in a 40,000-article news-like index, 4% of the
band keys of the next 1,000 articles were held by a stored article. Each look-up in the B-tree of
merged keys costs a few microseconds, so the store first asks this filter, which answers "maybe
held" for every key that was ever merged (and for some others), and looks up only those.

The filter is a Bloom filter of fixed size (:data:`BITS`, 128 MB) with :data:`HASHES` bits per
key, so it never grows: with the 72 million keys of 100,000 articles (merged and recent) about a
quarter of its bits are set, and an absent key passes, and is looked up, with a probability of
about 0.3%. Two bits per key in 64 MB let 6% through: at 90,000 articles 48 of the 109 keys per
added article looked up in the B-tree were absent, 0.17 of its 0.41 ms of look-ups. It only
gains bits (a removed article's keys stay marked, which costs a look-up, never an answer).

>>> keys = np.array([5 << 24, 9 << 24], dtype=np.int64)
>>> bits = KeyFilter()
>>> bits.add(keys[:1])
>>> bits.maybe_held(keys).tolist()
[True, False]
"""

from __future__ import annotations

import numpy as np

from ..candidates import OWNER_BITS
from ..compiled import use_kernels

__all__ = ["BITS", "BYTES", "HASHES", "KeyFilter"]

BITS = 30  # 2^30 bits: 128 MB, whatever the size of the index
HASHES = 4  # bits per key, at 100,000 articles 0.3% false passes (3 bits: 0.6%, 6: 0.13%); each is one more
# random memory read per key asked
BYTES = 1 << (BITS - 3)
_KERNEL_MIN_KEYS = 100_000  # one chunk of articles: the compiled loop (:func:`dedup.kernels.filter_keys`) takes a
# tenth of the time of the numpy passes
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the second bit from all the key's bits


def _slots(keys: np.ndarray, slot_bits: int) -> list[np.ndarray]:
    """The :data:`HASHES` bits of each key, by double hashing: its bits just above the article
    number (already a hash), plus 0 to 3 times a multiplicative hash of all of them (made odd,
    so that the steps never repeat a bit)."""
    key = keys.astype(np.uint64) >> np.uint64(OWNER_BITS)
    step = ((key * _SPREAD) >> np.uint64(64 - slot_bits)) | np.uint64(1)
    return [((key + np.uint64(i) * step) & np.uint64((1 << slot_bits) - 1)).astype(np.int64) for i in range(HASHES)]


class KeyFilter:
    """The set bits of merged keys, ``bits`` (:data:`BYTES` bytes; a store keeps them as they
    are); a smaller one with ``slot_bits`` below :data:`BITS` (2^slot_bits bits)."""

    def __init__(self, slot_bits: int = BITS) -> None:
        self.slot_bits = slot_bits
        self.bits = np.zeros(1 << (slot_bits - 3), dtype=np.uint8)

    def add(self, keys: np.ndarray) -> None:
        """Mark these keys (or packed entries: the article number is ignored)."""
        if use_kernels(len(keys), _KERNEL_MIN_KEYS):
            from ..kernels import filter_keys

            filter_keys(self.bits, keys.view(np.int64), OWNER_BITS, _SPREAD, self.slot_bits, HASHES, True)
            return
        for slots in _slots(keys, self.slot_bits):
            for bit in range(8):  # one bit at a time: a byte's repeats then all store the same value
                self.bits[slots[(slots & 7) == bit] >> 3] |= np.uint8(1 << bit)

    def maybe_held(self, keys: np.ndarray) -> np.ndarray:
        """``False`` where a key was certainly never added."""
        if use_kernels(len(keys), _KERNEL_MIN_KEYS):
            from ..kernels import filter_keys

            return filter_keys(self.bits, keys.view(np.int64), OWNER_BITS, _SPREAD, self.slot_bits, HASHES, False)
        held = np.ones(len(keys), dtype=bool)
        for slots in _slots(keys, self.slot_bits):
            held &= (self.bits[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1 > 0
        return held
