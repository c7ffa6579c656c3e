"""Signatures are bit-identical to datasketch's MinHash, and window signatures are window minima."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import kernels
from dedup.normalize import tokenize
from dedup.shingle import shingle_hash32, shingle_hashes
from dedup.signature import _permuted, permutations, sign, sign_documents, to_minhash

words = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "u.s.", "café", "1,000", "x"]), min_size=5, max_size=80)


def datasketch_signature(text_words: list[str], k: int, num_perm: int, seed: int) -> np.ndarray:
    keys = [t.key for t in tokenize(" ".join(text_words))]
    minhash = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash32)
    minhash.update_batch([" ".join(keys[i : i + k]).encode() for i in range(len(keys) - k + 1)])
    return minhash.hashvalues


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(words, min_size=1, max_size=4), st.sampled_from([16, 64, 128]), st.integers(0, 2**32 - 1),
       st.integers(1, 6))
def test_document_signatures_equal_datasketch_minhash(docs, num_perm, seed, k):
    from dedup.normalize import tokenize_array

    shingles = [shingle_hashes(tokenize_array(" ".join(d)).hashes, k) for d in docs]
    docs, shingles = zip(*[(d, s) for d, s in zip(docs, shingles) if len(s)]) if any(len(s) for s in shingles) else ((), ())
    ours = sign_documents(list(shingles), num_perm=num_perm, seed=seed)
    compiled = kernels.sign_documents(np.concatenate(shingles), np.array([len(s) for s in shingles]),
                                      *permutations(num_perm, seed)) if shingles else ours
    for row, compiled_row, doc in zip(ours, compiled, docs):
        expected = datasketch_signature(doc, k, num_perm, seed)
        assert np.array_equal(row, expected) and np.array_equal(compiled_row, expected)


def test_signature_round_trips_through_a_datasketch_lean_minhash():
    rng = np.random.default_rng(0)
    shingles = [rng.integers(0, 2**63, size=n, dtype=np.uint64) for n in (3, 50)]
    sig = sign_documents(shingles, num_perm=64, seed=3)
    lean = to_minhash(sig[0], seed=3)
    assert np.array_equal(lean.hashvalues, sig[0]) and lean.seed == 3
    assert to_minhash(sig[1], seed=3).jaccard(to_minhash(sig[1], seed=3)) == 1.0


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.integers(1, 140), min_size=1, max_size=6), st.integers(2, 30))
def test_window_signatures_are_minima_over_each_window(lengths, window_size):
    rng = np.random.default_rng(sum(lengths) * window_size)
    docs = [rng.integers(0, 2**63, size=n, dtype=np.uint64) for n in lengths]
    result = sign(docs, num_perm=16, seed=1, window_size=window_size)
    a, b = permutations(16, 1)
    stride = max(1, window_size // 2)
    expected, owners = [], []
    for owner, doc in enumerate(docs):
        matrix = _permuted(doc, a, b)
        assert np.array_equal(result.documents[owner], matrix.min(axis=0))
        starts = list(range(0, len(doc), stride))
        spans = [(s, s + 2 * stride) for s in starts[:-1]] if len(starts) > 1 else [(0, len(doc))]
        expected += [matrix[s:e].min(axis=0) for s, e in spans]
        owners += [owner] * len(spans)
    assert np.array_equal(result.windows, np.array(expected)) and result.window_owner.tolist() == owners


@pytest.mark.parametrize("num_perm", [8, 128, 256])
@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1])
def test_permutations_are_datasketchs(num_perm, seed):
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = permutations(num_perm, seed)
    assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b) and ours[0].dtype == a.dtype


def test_different_seeds_give_different_signatures():
    shingles = [np.arange(1, 100, dtype=np.uint64) << np.uint64(32)]
    assert not np.array_equal(sign_documents(shingles, seed=1), sign_documents(shingles, seed=2))
