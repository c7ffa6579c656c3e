"""Seeds and chains: where two articles share shingles, and how those points form passages.

Seeds are points ``(i, j)``: shingle ``i`` of A equals shingle ``j`` of B. They are chained
greedily in A order (see :func:`chain_seeds`); :mod:`dedup.align` turns chains into passages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import groups, ranks
from .compiled import PAIR_MINIMUM, use_kernels

__all__ = ["Chain", "chain_seeds", "seeds"]

# Boilerplate guard: a shingle repeated more often than this in one pair gives no seeds.
_MAX_SEED_MULTIPLICITY = 16
# Fewer seeds than this are chained one by one, without looking for diagonal runs first.
_FEW_SEEDS = 8


def seeds(shingles_a: np.ndarray, shingles_b: np.ndarray) -> np.ndarray:
    """All ``(i, j)`` with ``shingles_a[i] == shingles_b[j]``, sorted by ``i`` then ``j``.

    A shingle found ``m`` times in A and ``n`` times in B gives no seeds when ``m * n`` exceeds
    the boilerplate guard.
    """
    if use_kernels(len(shingles_a) + len(shingles_b), PAIR_MINIMUM):
        from .kernels import seed_points

        return seed_points(shingles_a, shingles_b, _MAX_SEED_MULTIPLICITY)
    return _seeds_numpy(shingles_a, shingles_b)


def _seeds_numpy(shingles_a: np.ndarray, shingles_b: np.ndarray) -> np.ndarray:
    """:func:`seeds` with numpy (:func:`dedup.kernels.seed_points` is the compiled form)."""
    order_b = np.argsort(shingles_b, kind="stable")
    keys_b = shingles_b[order_b]
    lo = np.searchsorted(keys_b, shingles_a)
    ia = np.flatnonzero(keys_b[np.minimum(lo, len(keys_b) - 1)] == shingles_a) if len(keys_b) else lo[:0]
    if len(ia) == 0:
        return np.empty((0, 2), dtype=np.int64)
    shared = shingles_a[ia]  # usually few: count repeats among these alone
    lo, counts = lo[ia], np.searchsorted(keys_b, shared, side="right") - lo[ia]
    keys_a = np.sort(shared)
    in_a = np.searchsorted(keys_a, shared, side="right") - np.searchsorted(keys_a, shared, side="left")
    keep = counts * in_a <= _MAX_SEED_MULTIPLICITY
    ia, lo, counts = ia[keep], lo[keep], counts[keep]
    # order_b is stable, so within one shingle the B positions come out ascending
    return np.column_stack([np.repeat(ia, counts), order_b[np.repeat(lo, counts) + ranks(counts)]]).astype(np.int64)


@dataclass
class Chain:
    """Seeds chained into one passage candidate (shingle positions, inclusive).

    The seeds come in diagonal runs ``(i, j, length)``: seeds ``(i + t, j + t)`` for ``t`` below
    ``length``; ``count`` is the number of seeds.
    """

    i_first: int
    j_first: int
    i_last: int
    j_last: int
    runs: list
    count: int

    @property
    def seeds(self) -> list[tuple[int, int]]:
        return [(i + t, j + t) for i, j, length in self.runs for t in range(length)]


def _runs(points: np.ndarray, reach: int) -> tuple[list, list]:
    """Heads ``(i, j)`` and lengths of the diagonal runs of seeds, in the seeds' order.

    A seed right after another on both sides (``di = dj = 1``, within ``reach``) always joins
    that seed's chain: its cost, 1, is the lowest possible and no other chain can have it. So a
    run of such seeds joins chains as one, and only the first seed of a run needs a search.
    """
    if reach < 1 or len(points) < _FEW_SEEDS:  # a handful of seeds: searching each costs less
        return points.tolist(), [1] * len(points)
    i, diagonal = points[:, 0], points[:, 1] - points[:, 0]
    order = np.lexsort((i, diagonal))  # runs lie along diagonals
    i, diagonal = i[order], diagonal[order]
    head, lengths = groups((diagonal[1:] != diagonal[:-1]) | (i[1:] != i[:-1] + 1))
    in_order = np.argsort(order[head])  # points are sorted, so index order is seed order
    return points[order[head][in_order]].tolist(), lengths[in_order].tolist()


def chain_seeds(points: np.ndarray, reach: int) -> list[Chain]:
    """Greedy chaining of seeds sorted by ``i``: each joins the nearest open chain it can extend.

    The nearest chain costs ``max(di, dj) + |di - dj|``; ties go to the oldest chain. Diagonal
    runs of seeds join as one (:func:`_runs`). While a run is under way no later seed can join
    its chain (its seeds fill the diagonal up to the one being placed), so judging the chain by
    the run's end gives the same choices.
    """
    if use_kernels(2 * len(points), PAIR_MINIMUM):
        from .kernels import chain_points

        runs, table = chain_points(points, reach, _FEW_SEEDS)
        runs, chains, at = list(map(tuple, runs.tolist())), [], 0
        for i_first, j_first, i_last, j_last, count, run_count in table.tolist():
            chains.append(Chain(i_first, j_first, i_last, j_last, runs[at : at + run_count], count))
            at += run_count
        return chains
    return _chain_seeds_python(points, reach)


def _chain_seeds_python(points: np.ndarray, reach: int) -> list[Chain]:
    """:func:`chain_seeds` in Python (:func:`dedup.kernels.chain_points` is the compiled form)."""
    open_chains: list[Chain] = []  # in order of creation
    chains: list[Chain] = []
    for (i, j), length in zip(*_runs(points, reach)):
        open_chains = [chain for chain in open_chains if i - chain.i_last <= reach]
        best, best_cost = None, None
        for chain in open_chains:
            di, dj = i - chain.i_last, j - chain.j_last
            if 0 < di <= reach and 0 < dj <= reach:
                cost = max(di, dj) + abs(di - dj)
                if best_cost is None or cost < best_cost:
                    best, best_cost = chain, cost
        if best is None:
            best = Chain(i, j, i, j, [], 0)
            open_chains.append(best)
            chains.append(best)
        best.i_last, best.j_last = i + length - 1, j + length - 1
        best.runs.append((i, j, length))
        best.count += length
    return chains
