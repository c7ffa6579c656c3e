"""LSH banding: datasketch's parameters, and buckets that agree with a brute-force band comparison."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from datasketch import MinHashLSH
from datasketch.lsh import _optimal_param
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.candidates import OWNER_BITS, pairs_from_packed, unique_pairs
from dedup.lsh import band_keys, band_params, miss_probability


@pytest.mark.parametrize("threshold", [0.05, 0.1, 0.2, 0.3, 0.4, 0.48, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
@pytest.mark.parametrize("num_perm", [16, 32, 64, 128, 256])
def test_band_params_match_datasketch(threshold, num_perm):
    expected = _optimal_param(threshold, num_perm, 0.5, 0.5)  # what MinHashLSH uses (it refuses b < 2)
    assert band_params(threshold, num_perm) == expected
    if expected[0] >= 2:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == expected


def test_miss_probability_bounds():
    assert miss_probability(1.0, 10, 5) == 0.0
    assert miss_probability(0.0, 10, 5) == 1.0
    assert miss_probability(0.8, 25, 5) < miss_probability(0.5, 25, 5)


def candidate_pairs(sigs, owner, *, threshold, num_perm, max_bucket_size):
    """Band the signatures and pair the owners sharing a bucket, as a scan does."""
    bands, rows = band_params(threshold, num_perm)
    packed = (band_keys(sigs, bands, rows) & ~np.uint64((1 << OWNER_BITS) - 1)) | owner.astype(np.uint64)[:, None]
    found = [pairs_from_packed(packed[:, band], max_bucket_size) for band in range(bands)]
    return unique_pairs([f[0] for f in found]), {"bands": bands, "buckets_oversized": sum(f[2] for f in found)}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(2, 25), st.integers(0, 2**16), st.integers(2, 6))
def test_candidates_are_exactly_the_pairs_sharing_a_whole_band(n_items, seed, max_bucket):
    rng = np.random.default_rng(seed)
    bands, rows = band_params(0.5, 32)
    sigs = rng.integers(0, 3, size=(n_items, 32), dtype=np.uint32)  # few values: many collisions
    owner = rng.integers(0, max(2, n_items // 2), size=n_items)
    pairs, stats = candidate_pairs(sigs, owner, threshold=0.5, num_perm=32, max_bucket_size=10_000)
    expected = set()
    for x, y in itertools.combinations(range(n_items), 2):
        if owner[x] != owner[y] and any(
            np.array_equal(sigs[x, b * rows : (b + 1) * rows], sigs[y, b * rows : (b + 1) * rows]) for b in range(bands)
        ):
            expected.add(tuple(sorted((int(owner[x]), int(owner[y])))))
    assert {tuple(p) for p in pairs.tolist()} == expected
    assert all(a < b for a, b in pairs.tolist())


def test_oversized_buckets_pair_their_first_holders_and_link_later_ones_to_the_first():
    sigs = np.zeros((30, 32), dtype=np.uint32)  # 30 identical items: one bucket per band
    pairs, stats = candidate_pairs(sigs, np.arange(30), threshold=0.5, num_perm=32, max_bucket_size=10)
    firsts = {(i, j) for i, j in itertools.combinations(range(10), 2)}  # as the index meets them
    assert {tuple(p) for p in pairs.tolist()} == firsts | {(0, j) for j in range(10, 30)}
    assert stats["buckets_oversized"] == stats["bands"]
