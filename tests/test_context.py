"""Context triples: order-free keys, the scan's pairing rule, and the index's form of the same rule."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config
from dedup.buckets import triple_members
from dedup.candidates import KEY_MASK, OWNER_MASK, candidate_pairs, candidates_of_texts, sign_chunk
from dedup import compare
from dedup.context import MAX_HOLDERS, MIN_SHARED, shared_together, spilled_triple_pairs, triple_pairs, triple_set, triples
from dedup.normalize import tokenize_array

SOURCE = ("Engineers inspected the damaged railway bridge near the northern border on Monday and found "
          "serious cracks in three concrete pillars supporting the eastern span. Regional authorities "
          "closed the crossing to freight traffic until repairs are finished next spring.")
# Every few words swapped or replaced: no five words in a row survive, the content words stay near.
REWORDED = ("Near the northern border, railway engineers on Monday inspected the bridge, damaged, and "
            "discovered cracks serious in pillars of concrete, three of them, supporting its eastern span. "
            "Authorities of the region shut the crossing for freight traffic till repairs finish next spring.")


def test_a_triple_does_not_depend_on_the_order_of_its_words():
    terms = np.array([11, 22, 33, 44], dtype=np.uint64)
    shuffled = np.array([33, 11, 22, 44], dtype=np.uint64)
    assert triples(terms)[0] == triples(shuffled)[0]
    assert triples(terms)[1] != triples(terms)[0]


def test_reworded_text_is_a_candidate_through_triples_alone():
    config = Config()
    chunk = sign_chunk([SOURCE, REWORDED], 0, config)
    assert len(candidate_pairs([[chunk.documents], [chunk.windows]], config)[0]) == 0
    shared = np.intersect1d(triple_set(SOURCE, tokenize_array(SOURCE)), triple_set(REWORDED, tokenize_array(REWORDED)))
    assert len(shared) >= MIN_SHARED
    assert candidates_of_texts([SOURCE, REWORDED], config).tolist() == [[0, 1]]


def test_a_reworded_pair_sharing_no_shingle_is_aligned():
    pair = compare({"id": "a", "text": SOURCE}, {"id": "b", "text": REWORDED})
    assert pair is not None and pair.passages


def test_triples_shared_far_apart_are_not_a_reworded_passage():
    groups = ["copper mine strike", "harbour crane repairs", "wheat export quota", "bridge toll increase"]
    filler = [" ".join(f"filler{g}x{i}" for i in range(45)) for g in range(len(groups))]
    spread = ". ".join(f"{group}. {words}" for group, words in zip(groups, filler))  # 45 words between
    close = ". ".join(groups) + ". " + " ".join(f"other{i}" for i in range(30))
    args = (spread, tokenize_array(spread), close, tokenize_array(close))
    assert not shared_together(*args)
    assert shared_together(*args, within=150)


def test_one_shared_phrase_is_not_a_reworded_passage():
    """A stock phrase gives shared triples at consecutive positions: one run, however long."""
    phrase = "prime minister announced sweeping tax reforms affecting small businesses"
    a = f"Yesterday the {phrase} during a visit. Unrelated weather reports mention heavy rain later."
    b = f"Critics said the {phrase} far too late. Football results dominated the evening news bulletin."
    args = (a, tokenize_array(a), b, tokenize_array(b))
    assert not shared_together(*args)
    assert shared_together(*args, count=1)


def pairs_reference(keylists):
    """Article by article in order: a triple pairs an article with the earlier holders while
    there are fewer than MAX_HOLDERS of them; pairs sharing MIN_SHARED such triples are kept."""
    counts: dict[tuple[int, int], int] = {}
    for j, keys in enumerate(keylists):
        for key in keys:
            held = [i for i in range(j) if key in keylists[i]]
            if len(held) < MAX_HOLDERS:
                for i in held:
                    counts[i, j] = counts.get((i, j), 0) + 1
    return sorted(pair for pair, n in counts.items() if n >= MIN_SHARED)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sets(st.integers(1, 9), max_size=7), min_size=1, max_size=12), st.integers(0, 12))
def test_scan_and_index_pair_articles_by_the_same_rule(keysets, stored_count):
    keylists = [sorted(k) for k in keysets]
    packed = np.array([np.uint64(k << 40 | i) for i, keys in enumerate(keylists) for k in keys], dtype=np.uint64)
    scan, _ = triple_pairs(packed, KEY_MASK, OWNER_MASK)
    assert [tuple(p) for p in scan.tolist()] == pairs_reference(keylists)
    # The index: the first articles stored (seq = index + 1), the others arriving in one batch.
    stored_count = min(stored_count, len(keylists))
    entries = sorted((k << 40, i + 1) for i, keys in enumerate(keylists[:stored_count]) for k in keys)
    stored_keys = np.array([k for k, _ in entries], dtype=np.int64)
    stored_seqs = np.array([s for _, s in entries], dtype=np.int64)
    new = [np.array([k << 40 for k in keys], dtype=np.int64) for keys in keylists[stored_count:]]
    article, member = triple_members(new, stored_keys, stored_seqs)
    as_scan = sorted((m - 1 if m > 0 else -m - 1 + stored_count, a + stored_count)
                     for a, m in zip(article.tolist(), member.tolist()))
    assert as_scan == [p for p in pairs_reference(keylists) if p[1] >= stored_count]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 30)), max_size=200), st.sampled_from([1, 2, 4, 16]))
def test_triple_pairs_from_spilled_parts_equal_the_pairs_in_memory(entries, parts):
    """Spread over files by triple and counted per file of pair codes: the same pairs and counts."""
    import tempfile

    from dedup.spill import PartitionedKeys

    # Triple keys spread over the top bits, as hashes are, so that every part gets some.
    packed = np.array([(t * 0x9E3779B97F4A7C15 % 2**40) << 24 | a for t, a in entries], dtype=np.uint64)
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as other:
        spill = PartitionedKeys(folder, "t", parts)
        for chunk in np.array_split(packed, 3):
            spill.append(chunk)
        spilled, stats = spilled_triple_pairs(spill.parts(), folder, KEY_MASK, OWNER_MASK)
        dropped = spilled_triple_pairs(spill.without_owners([1, 2], OWNER_MASK).parts(), other, KEY_MASK, OWNER_MASK)
    expected, expected_stats = triple_pairs(packed, KEY_MASK, OWNER_MASK)
    assert spilled.tolist() == expected.tolist() and stats == expected_stats
    keep = ~np.isin(packed & OWNER_MASK, np.array([1, 2], dtype=np.uint64))
    assert dropped[0].tolist() == triple_pairs(packed[keep], KEY_MASK, OWNER_MASK)[0].tolist()
