"""LSH banding of MinHash signatures: the band parameters, band keys and miss probability.

Each signature is cut into ``bands`` bands of ``rows`` values; two items whose values agree on a
whole band share a bucket and become a candidate pair. ``(bands, rows)`` are chosen exactly as
:class:`datasketch.MinHashLSH` chooses them for the same threshold and ``num_perm``, so a pair
with Jaccard ``s`` becomes a candidate with probability ``1 - (1 - s**rows)**bands``: results
are approximate (see :func:`miss_probability`). :mod:`dedup.candidates` pairs up the articles
that share a band key.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .compiled import use_kernels

__all__ = ["band_keys", "band_params", "even_odds", "miss_probability"]

_ROW_MULTIPLIERS = np.array(
    [(0x9E3779B97F4A7C15 ^ (i * 0x632BE59BD9B4E019)) % (1 << 64) | 1 for i in range(1, 257)], dtype=np.uint64
)


def _integral(f, low: float, high: float, points: int = 2049) -> float:
    """Simpson's rule; the integrands here are smooth polynomials in ``s``."""
    if high <= low:
        return 0.0
    s = np.linspace(low, high, points)
    weights = np.ones(points)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    return float((f(s) * weights).sum() * (high - low) / (3 * (points - 1)))


@lru_cache(maxsize=64)
def band_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` that datasketch's ``MinHashLSH`` would use for this threshold: the pair
    minimising the false-positive plus false-negative probability mass (equal weights), found
    the same way as datasketch's ``_optimal_param`` (a test holds the two equal)."""
    best, best_error = (1, 1), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = _integral(lambda s: 1 - (1 - s**rows) ** bands, 0.0, threshold)
            false_negative = _integral(lambda s: (1 - s**rows) ** bands, threshold, 1.0)
            error = 0.5 * false_positive + 0.5 * false_negative
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


def even_odds(bands: int, rows: int) -> float:
    """The Jaccard at which a pair becomes a candidate with probability 1/2.

    >>> round(even_odds(16, 2), 3)
    0.206
    """
    return (1.0 - 0.5 ** (1.0 / bands)) ** (1.0 / rows)


def miss_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that a pair with this Jaccard shares no bucket (a false negative)."""
    return (1.0 - jaccard**rows) ** bands


_BAND_WEIGHT = 0xD6E8FEB86659FD93
_KERNEL_MIN_SIGNATURES = 1 << 12  # this many are banded by the compiled kernel (see dedup.compiled)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """A 64-bit key per (item, band): equal keys mean equal band values (up to 2^-64 collisions).

    Each key mixes the band's values (32-bit MinHash values), weighted by row, and the band's
    number, through SplitMix64's finaliser.
    """
    if bands * rows > signatures.shape[1]:
        raise ValueError(f"{bands} bands of {rows} rows need {bands * rows} values per signature")
    if use_kernels(len(signatures), _KERNEL_MIN_SIGNATURES):
        from .kernels import band_keys as banded

        return banded(np.ascontiguousarray(signatures, dtype=np.uint32), bands, rows, _ROW_MULTIPLIERS,
                      np.uint64(_BAND_WEIGHT))
    return _band_keys_numpy(signatures, bands, rows)


def _band_keys_numpy(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """:func:`band_keys` with numpy (:func:`dedup.kernels.band_keys` is the compiled form)."""
    values = signatures[:, : bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    with np.errstate(over="ignore"):
        keys = (values * _ROW_MULTIPLIERS[:rows]).sum(axis=2, dtype=np.uint64)
        keys += np.arange(bands, dtype=np.uint64) * np.uint64(_BAND_WEIGHT)
        keys ^= keys >> np.uint64(31)
        keys *= np.uint64(0xBF58476D1CE4E5B9)
        return keys ^ (keys >> np.uint64(29))
