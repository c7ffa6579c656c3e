"""Small numpy building blocks shared by the alignment stages and the index store."""

from __future__ import annotations

import numpy as np

from .compiled import running

__all__ = ["counted_at_least", "distinct", "equal_pairs", "first_of_runs", "groups", "in_sorted", "pack_pairs",
           "ranks", "sort_carrying", "sorted_unique", "split_by_count", "unpack_pairs"]


def pack_pairs(pairs: np.ndarray) -> np.ndarray:
    """Each row ``(i, j)`` of article numbers (both non-negative) as one sortable int64
    ``i << 32 | j`` (the index, whose members may be negative, packs with
    :func:`dedup.buckets.pair_codes`).

    >>> unpack_pairs(pack_pairs(np.array([[1, 2], [3, 4]]))).tolist()
    [[1, 2], [3, 4]]
    """
    return pairs[:, 0] << 32 | pairs[:, 1]


def unpack_pairs(codes: np.ndarray) -> np.ndarray:
    """The ``(i, j)`` rows of :func:`pack_pairs`."""
    return np.column_stack([codes >> 32, codes & 0xFFFFFFFF])


def ranks(counts: np.ndarray) -> np.ndarray:
    """``[0..c0-1, 0..c1-1, ...]`` for counts ``[c0, c1, ...]``.

    >>> ranks(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    total = int(counts.sum())
    starts = np.cumsum(counts) - counts
    return np.arange(total) - np.repeat(starts, counts)


def equal_pairs(xs: np.ndarray, ys: np.ndarray, order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(p, q)`` with ``xs[p] == ys[q]``, as two index arrays sorted by ``p`` then ``q``.

    A sort-merge join: one ``argsort`` of ``ys`` (or ``order``, that ``argsort`` computed
    beforehand) and two binary searches, so its cost is the size of the inputs plus the number
    of pairs found.

    >>> p, q = equal_pairs(np.array([5, 7, 5]), np.array([5, 5, 9]))
    >>> p.tolist(), q.tolist()
    ([0, 0, 2, 2], [0, 1, 0, 1])
    """
    order = np.argsort(ys, kind="stable") if order is None else order
    sorted_ys = ys[order]
    lo = np.searchsorted(sorted_ys, xs, side="left")
    counts = np.searchsorted(sorted_ys, xs, side="right") - lo
    p = np.repeat(np.arange(len(xs)), counts)
    return p, order[np.repeat(lo, counts) + ranks(counts)]


def groups(boundary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and lengths of the groups of a non-empty array, given ``boundary[t]``: whether
    element ``t + 1`` starts a new group (as ``values[1:] != values[:-1]`` says of runs of
    equal values).

    >>> starts, lengths = groups(np.array([False, True, True, False]))
    >>> starts.tolist(), lengths.tolist()
    ([0, 2, 3], [2, 1, 2])
    """
    starts = np.flatnonzero(np.concatenate(([True], boundary)))
    return starts, np.diff(np.append(starts, len(boundary) + 1))


def first_of_runs(values: np.ndarray) -> np.ndarray:
    """Whether each element differs from the one before it (the first always does): the first of
    each run of equal values. (``np.r_[True, values[1:] != values[:-1]]`` takes 5 µs more per call.)

    >>> first_of_runs(np.array([3, 3, 5, 7, 7])).tolist()
    [True, False, True, True, False]
    """
    first = np.empty(len(values), dtype=bool)
    if len(values):
        first[0] = True
        np.not_equal(values[1:], values[:-1], out=first[1:])
    return first


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of sorted ``values``."""
    return values[first_of_runs(values)]


# Arrays at least this long are sorted by the compiled radix sort where the kernels run already.
_RADIX_MIN = 1 << 12
_SIGN = np.uint64(1 << 63)


def sort_carrying(values: np.ndarray, payload: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """``values`` (64-bit integers) sorted stably, and ``payload`` (64-bit, same length) in the
    same order: what ``order = np.argsort(values, kind="stable")`` and
    ``values[order], payload[order]`` give.

    Where this process runs the compiled kernels (:mod:`dedup.compiled`), long arrays are sorted
    by :func:`dedup.kernels.radix_sort`: measured on uniformly spread keys, 738,000 of them
    (a passage-tier band of 20,000 articles) in 8 ms against 37 ms for ``np.sort``, and with a
    payload in 15 ms against 51 ms for ``np.argsort`` and the two gathers.

    >>> values, payload = sort_carrying(np.array([5, -1, 5, 2]), np.array([0, 1, 2, 3]))
    >>> values.tolist(), payload.tolist()
    ([-1, 2, 5, 5], [1, 3, 0, 2])
    """
    if not (running() and len(values) >= _RADIX_MIN and values.dtype in (np.uint64, np.int64)
            and (payload is None or payload.dtype.itemsize == 8)):
        if payload is None:
            return np.sort(values), None  # equal values are alike: no need for a stable sort
        order = np.argsort(values, kind="stable")
        return values[order], payload[order]
    from .kernels import radix_sort

    signed = values.dtype == np.int64
    keys = values.view(np.uint64) ^ _SIGN if signed else values  # int64 order as uint64 order
    carried = np.empty(0, np.uint64) if payload is None else payload.view(np.uint64)
    # (contiguous and writable, as the kernel is compiled for: a read-only view of a stored blob
    # would otherwise compile another specialisation)
    keys, carried = radix_sort(np.require(keys, requirements="CW"), np.require(carried, requirements="CW"))
    if signed:
        keys = (keys ^ _SIGN).view(np.int64)
    return keys, (None if payload is None else carried.view(payload.dtype))


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: ``np.unique`` without the hashing and bookkeeping that make it
    several times slower on these arrays."""
    return distinct(sort_carrying(values)[0])


def counted_at_least(values: np.ndarray, times: int, weights: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """The distinct ``values`` (sorted) that occur at least ``times`` times, or whose ``weights``
    add up to that much, and how many distinct values fall short.

    >>> kept, short = counted_at_least(np.array([7, 3, 7, 5, 7, 3]), 2)
    >>> kept.tolist(), short
    ([3, 7], 1)
    """
    kept, short = split_by_count(values, times, weights)
    return kept, len(short)


def split_by_count(values: np.ndarray, times: int, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``values`` (sorted) that occur at least ``times`` times (or whose ``weights``
    add up to that much), and the distinct ones (sorted) that fall short.

    >>> kept, short = split_by_count(np.array([7, 3, 7, 5, 7, 3]), 3)
    >>> kept.tolist(), short.tolist()
    ([7], [3, 5])
    """
    if len(values) == 0:
        return values, values
    values, weights = sort_carrying(values, weights)
    starts, sizes = groups(values[1:] != values[:-1])
    counts = sizes if weights is None else np.add.reduceat(weights, starts)
    enough = counts >= times
    return values[starts[enough]], values[starts[~enough]]


def in_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is among ``sorted_values`` (sorted): one binary search each.

    >>> in_sorted(np.array([4, 1, 9]), np.array([1, 4, 5])).tolist()
    [True, True, False]
    """
    if len(sorted_values) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return sorted_values[at] == values
