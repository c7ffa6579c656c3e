"""A fixed-size bit filter of the band keys merged into a store, to skip looking up absent keys.

A new article's band keys are nearly all new: in a 40,000-article news-like index, 4% of the
band keys of the next 1,000 articles were held by a stored article. Each look-up in the B-tree of
merged keys costs a few microseconds, so the store first asks this filter, which answers "maybe
held" for every key that was ever merged (and for some others), and looks up only those.

The filter is one bit per value of :data:`BITS` bits of the key (the key's top bits are already
a hash), so it never grows: with 60 million merged keys (100,000 articles) a fifth of its bits
are set, and an absent key is looked up with that probability. It only gains bits (a removed
article's keys stay marked, which costs a look-up, never an answer).

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

__all__ = ["BITS", "KeyFilter"]

BITS = 28  # 2^28 bits: 32 MB, whatever the size of the index
_SLOT = (1 << BITS) - 1


def _slots(keys: np.ndarray) -> np.ndarray:
    """The bit of each key: the key bits just above the article number."""
    return (keys >> OWNER_BITS) & _SLOT


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
        slots = _slots(keys)
        for bit in range(8):  # one bit at a time: a byte's repeats then all store the same value
            self.bits[slots[(slots & 7) == bit] >> 3] |= np.uint8(1 << bit)

    def maybe_held(self, keys: np.ndarray) -> np.ndarray:
        """``False`` where a key was certainly never added."""
        slots = _slots(keys)
        return (self.bits[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1 > 0

    def to_bytes(self) -> bytes:
        return self.bits.tobytes()
