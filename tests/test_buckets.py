"""The index's candidates: bucket members against a plain reference, and the shared-shingle pretest."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config
from dedup.buckets import bucket_members, bucket_pairs, may_pair, shingle_tops, split_codes
from dedup.detect import compare_documents, prepare
from dedup.io import to_article


def members_reference(keylists, stored_keys, stored_seqs, max_bucket_size, passage_min_buckets=1, short=False):
    """Article by article, key by key: the stored holders in seq order, then the earlier new
    articles in order; a bucket of ``max_bucket_size`` or more gives its first member only. A
    member sharing no document-tier key (non-negative) must share ``passage_min_buckets``
    passage-tier ones (negative); with ``short``, the members that share fewer instead."""
    shared = {}
    for j, keys in enumerate(keylists):
        for key in keys.tolist():
            held = [int(s) for k, s in zip(stored_keys.tolist(), stored_seqs.tolist()) if k == key]
            held += [-(i + 1) for i in range(j) if key in keylists[i].tolist()]
            for m in held[:1] if len(held) >= max_bucket_size else held:
                shared.setdefault((j, m), []).append(key)
    return sorted(pair for pair, keys in shared.items()
                  if (any(k >= 0 for k in keys) or len(keys) >= passage_min_buckets) != short)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(-4, 6), max_size=6), max_size=8),
       st.lists(st.tuples(st.integers(-4, 6), st.integers(1, 40)), max_size=25), st.integers(2, 5), st.integers(1, 3))
def test_bucket_members_equal_the_reference(new, stored, max_bucket_size, passage_min_buckets):
    keylists = [np.unique(np.array(k, dtype=np.int64)) << 24 for k in new]
    stored = sorted(set(stored))
    stored_keys = np.array([k for k, _ in stored], dtype=np.int64) << 24
    stored_seqs = np.array([s for _, s in stored], dtype=np.int64)
    article, member = bucket_members(keylists, stored_keys, stored_seqs, max_bucket_size, passage_min_buckets)
    assert list(zip(article.tolist(), member.tolist())) == members_reference(
        keylists, stored_keys, stored_seqs, max_bucket_size, passage_min_buckets)
    article, member = split_codes(bucket_pairs(keylists, stored_keys, stored_seqs, max_bucket_size,
                                               passage_min_buckets)[1])
    assert list(zip(article.tolist(), member.tolist())) == members_reference(
        keylists, stored_keys, stored_seqs, max_bucket_size, passage_min_buckets, short=True)


def _document(text: str, article_id: str = "x"):
    return prepare(to_article({"id": article_id, "text": text}, Config()), Config())


_PHRASE = "said in a statement on"  # five words: one shared shingle
_A = f"Oil prices climbed after ministers {_PHRASE} Monday that quotas would hold through winter."
_B = f"A local bakery owner {_PHRASE} Friday that bread would cost more from next month onward."


def test_a_pair_sharing_one_shingle_is_dropped_before_alignment():
    a, b = _document(_A, "a"), _document(_B, "b")
    assert not may_pair(a, shingle_tops(a), shingle_tops(b))
    assert compare_documents(a, b, Config(), keep_order=True) is None


def test_a_pair_sharing_two_shingles_is_kept():
    a, b = _document(_A, "a"), _document(_B.replace("Friday", "Monday"), "b")
    assert may_pair(a, shingle_tops(a), shingle_tops(b))


def test_colliding_tops_leave_the_decision_to_alignment():
    a, b = _document(_A, "a"), _document(_B, "b")
    collided = shingle_tops(a)[:-1]  # as if two of a's shingles had the same top 32 bits
    assert may_pair(a, collided, shingle_tops(b))


def test_a_single_shingle_is_left_to_alignment():
    a, b = _document("one two three four five", "a"), _document(_B, "b")
    assert may_pair(a, shingle_tops(a), shingle_tops(b)) and may_pair(b, shingle_tops(b), shingle_tops(a))


_WORDS = "the minister said talks would resume next week after officials met in seoul to discuss trade".split()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=5, max_size=40), st.lists(st.sampled_from(_WORDS), min_size=5, max_size=40))
def test_a_dropped_pair_is_one_alignment_rejects(words_a, words_b):
    a, b = _document(" ".join(words_a), "a"), _document(" ".join(words_b), "b")
    if not may_pair(a, shingle_tops(a), shingle_tops(b)):
        assert compare_documents(a, b, Config(), keep_order=True) is None


def test_stored_triples_that_meet_once_masked_keep_the_first_place():
    from dedup.buckets import triple_places
    from dedup.candidates import KEY_MASK, OWNER_MASK

    document = prepare(to_article({"id": "a", "text": "Regional authorities closed the crossing to freight."}, Config()),
                       Config())
    low = np.uint64(1 << 20)  # below the kept top bits once stored (shifted by two, masked)
    keys = np.array([7 << 40, (7 << 40) + low, 9 << 40], dtype=np.uint64)  # sorted; the first two meet
    document.tokens.memo["triple_places"] = (keys, np.array([12, 3, 5], dtype=np.int64))
    stored = triple_places(document).view(np.uint64)
    assert (stored & OWNER_MASK).tolist() == [3, 5]  # the smaller place of the two that met
    assert len(np.unique(stored & KEY_MASK)) == 2
