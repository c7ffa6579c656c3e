"""Chunked signing and band-by-band candidate search agree with simple per-article references."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config
from dedup.candidates import OWNER_BITS, joined_shingles, pairs_from_packed, sign_chunk
from dedup.normalize import tokenize_array
from dedup.shingle import shingle_hashes

texts = st.lists(st.text(alphabet=st.sampled_from("ab cd ef\n.,'1"), max_size=60), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(texts, st.integers(1, 5))
def test_shingles_of_a_chunk_are_each_texts_shingles_in_order(chunk, size):
    shingles, words, counts, content = joined_shingles(chunk, size)
    alone = [shingle_hashes(tokenize_array(t).hashes, size) for t in chunk]
    assert words.tolist() == [len(tokenize_array(t)) for t in chunk]
    assert counts.tolist() == [len(s) for s in alone]
    assert shingles.tolist() == [h for s in alone for h in s.tolist()]
    same_words = {t: tokenize_array(t).hashes.tolist() for t in chunk}
    for (x, hx), (y, hy) in itertools.combinations(zip(chunk, content.tolist()), 2):
        assert (hx == hy) == (same_words[x] == same_words[y])  # content hashes tell exact copies apart


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 9)), max_size=40), st.integers(2, 5))
def test_pairs_from_packed_are_the_articles_sharing_a_key(items, max_bucket):
    packed = np.array([(key << OWNER_BITS) | owner for owner, key in items], dtype=np.uint64)
    pairs, shared, oversized = pairs_from_packed(packed, max_bucket)
    members = {}
    for owner, key in items:
        members.setdefault(key, set()).add(owner)
    expected = set()
    for group in members.values():
        group = sorted(group)
        if len(group) > max_bucket:
            expected |= {(group[0], other) for other in group[1:]}
        else:
            expected |= set(itertools.combinations(group, 2))
    assert {tuple(p) for p in pairs.tolist()} == expected
    assert shared == sum(len(g) >= 2 for g in members.values())
    assert oversized == sum(len(g) > max_bucket for g in members.values())


def test_a_chunk_numbers_its_articles_from_the_first_index():
    chunk = sign_chunk(["one two three four five six", "tiny", "seven eight nine ten eleven"], 40, Config())
    owners = chunk.documents[:, 0] & np.uint64((1 << OWNER_BITS) - 1)
    assert owners.tolist() == [40, 42]  # "tiny" is shorter than a shingle: no keys, counted as 0 shingles
    assert chunk.shingles.tolist() == [2, 0, 1] and chunk.words.tolist() == [6, 1, 5]


def test_passage_min_buckets_drops_pairs_that_share_one_passage_bucket_only():
    """Two passage-tier buckets needed: a pair found through one bucket alone is no longer a
    candidate, a pair sharing a document-tier bucket always is, and the count is reported."""
    from dedup.arrays import unpack_pairs
    from dedup.candidates import shared_at_least

    one, two = np.array([[0, 1], [2, 3]]), np.array([[2, 3], [4, 5], [2, 3]])
    kept, short = shared_at_least([one, two], 2)
    assert kept.tolist() == [[2, 3]] and unpack_pairs(short).tolist() == [[0, 1], [4, 5]]
    assert shared_at_least([one, two], 1)[0].tolist() == [[0, 1], [2, 3], [4, 5]]
