"""Keys known to be full: held by at least as many articles as a pairing rule looks at.

A context triple held by :data:`~dedup.context.MAX_HOLDERS` stored articles pairs no newcomer
through it (:func:`dedup.buckets.triple_members`), so looking it up is wasted work, and in a
news index it is much of the work: at 80,000 articles, 45,000 of the 109,000 triples of the next
1,000 articles that passed the key filter were held that often (391,000 distinct triples of 14
million were). An open store remembers the keys its look-ups found full and skips them next time.

The set is exact, never approximate (a skipped key that was not full would lose a pair): it only
holds keys a look-up returned ``cap`` holders for. Holders only come and go in seq order, so a
full key stays full until an article is removed; the stores count removals (also replacements)
and a look-up that sees the count change starts the set afresh. It grows with the distinct full
keys only (about 3 MB at 80,000 articles); past :data:`LIMIT` keys it stops learning.

>>> full = FullKeys()
>>> full.sync(0)
>>> full.add(np.array([7, 3], dtype=np.int64))
>>> full.known(np.array([3, 5, 7], dtype=np.int64)).tolist()
[True, False, True]
>>> full.sync(1)  # an article was removed since
>>> full.known(np.array([3, 5, 7], dtype=np.int64)).tolist()
[False, False, False]
"""

from __future__ import annotations

import numpy as np

from ..arrays import sorted_unique

__all__ = ["LIMIT", "FullKeys"]

LIMIT = 1 << 24  # keys remembered at most (128 MB), so that memory stays bounded whatever the index
_FOLD_AT = 1 << 14  # keys learnt recently, kept apart so that learning a few costs little


class FullKeys:
    """The keys known to hold at least ``cap`` articles while the store's removal count is
    :attr:`removals`."""

    def __init__(self) -> None:
        self.removals: int | None = None
        self._levels = [np.empty(0, np.int64), np.empty(0, np.int64)]  # sorted: all but the latest, the latest

    def sync(self, removals: int) -> None:
        """Forget every key if articles were removed since the keys were learnt."""
        if removals != self.removals:
            self.removals = removals
            self._levels = [np.empty(0, np.int64), np.empty(0, np.int64)]

    def add(self, keys: np.ndarray) -> None:
        """Remember these keys (found held by at least ``cap`` articles)."""
        old, latest = self._levels
        if len(keys) and len(old) + len(latest) < LIMIT:
            latest = sorted_unique(np.concatenate([latest, np.asarray(keys, dtype=np.int64)]))
            self._levels = [sorted_unique(np.concatenate([old, latest])), latest[:0]] if len(latest) >= _FOLD_AT \
                else [old, latest]

    def known(self, keys: np.ndarray) -> np.ndarray:
        """Which of these keys are known to be full."""
        found = np.zeros(len(keys), dtype=bool)
        for level in self._levels:
            if len(level):
                found |= level[np.minimum(np.searchsorted(level, keys), len(level) - 1)] == keys
        return found

    def keys(self) -> np.ndarray:
        """Every key known full, sorted."""
        return sorted_unique(np.concatenate(self._levels))

    def __len__(self) -> int:
        return sum(map(len, self._levels))
