"""Context triples: order-free keys, the scan's pairing rule, and the index's form of the same rule."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config
from dedup.buckets import second_holders, split_codes, triple_members
from dedup.candidates import KEY_MASK, OWNER_MASK, candidate_pairs, candidates_of_texts, sign_chunk
from dedup import compare
from dedup.context import (MAX_HOLDERS, MIN_SHARED, first_holders, shared_together, spilled_triple_pairs, triple_pairs,
                           triple_set, triples)
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


def stand_together(places: list[tuple[int, int]]) -> bool:
    """Two separate runs (triples at least 3 apart) within 40 content words, in both texts."""
    for side in (0, 1):
        ps = sorted(p[side] for p in places)
        heads = [ps[0]] + [ps[k] for k in range(1, len(ps)) if ps[k] - ps[k - 1] >= 3]
        if not any(later - earlier <= 40 for earlier, later in zip(heads, heads[1:])):
            return False
    return True


def pairs_reference(articles: list[dict[int, int]]) -> list[tuple[int, int, bool]]:
    """Article by article in order: a triple pairs an article with the earlier holders while
    there are fewer than MAX_HOLDERS of them; pairs sharing MIN_SHARED such triples, or two
    standing together, are kept."""
    shared: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for j, places in enumerate(articles):
        for key, place in places.items():
            held = [i for i in range(j) if key in articles[i]]
            if len(held) < MAX_HOLDERS:
                for i in held:
                    shared.setdefault((i, j), []).append((articles[i][key], place))
    return sorted((*pair, stand_together(p)) for pair, p in shared.items()
                  if len(p) >= MIN_SHARED or stand_together(p))


articles_strategy = st.lists(st.dictionaries(st.integers(1, 9), st.integers(0, 90), max_size=7), min_size=1,
                             max_size=12)


@settings(max_examples=200, deadline=None)
@given(articles_strategy, st.integers(0, 12))
def test_scan_and_index_pair_articles_by_the_same_rule(articles, stored_count):
    entries = np.array([[k << 40 | i, place] for i, places in enumerate(articles) for k, place in places.items()],
                       dtype=np.uint64).reshape(-1, 2)
    pairs, close, _ = triple_pairs(entries, KEY_MASK, OWNER_MASK)
    expected = pairs_reference(articles)
    assert [(i, j, c) for (i, j), c in zip(pairs.tolist(), close.tolist())] == expected
    # The index: the first articles stored (seq = index + 1), the others arriving in one batch.
    stored_count = min(stored_count, len(articles))
    stored = sorted((k << 40, i + 1) for i, places in enumerate(articles[:stored_count]) for k in places)
    stored_keys = np.array([k for k, _ in stored], dtype=np.int64)
    stored_seqs = np.array([s for _, s in stored], dtype=np.int64)

    def places_of(places: dict[int, int]) -> np.ndarray:
        return np.array(sorted(k << 40 | place for k, place in places.items()), dtype=np.int64)

    def stored_places(seqs: list[int]) -> dict[int, np.ndarray]:
        assert seqs == sorted(set(seqs)) and all(1 <= s <= stored_count for s in seqs)
        return {s: places_of(articles[s - 1]) for s in seqs}

    new = articles[stored_count:]
    article, member, together = triple_members([np.array(sorted(k << 40 for k in p), dtype=np.int64) for p in new],
                                               [places_of(p) for p in new], stored_keys, stored_seqs, stored_places)
    as_scan = sorted((m - 1 if m > 0 else -m - 1 + stored_count, a + stored_count, c)
                     for a, m, c in zip(article.tolist(), member.tolist(), together.tolist()))
    assert as_scan == [p for p in expected if p[1] >= stored_count]


def test_a_stored_article_removed_after_the_look_up_is_not_an_error():
    """Several workers on one Redis: another worker may remove (or replace) a stored article
    between the look-up of a chunk's triples and the fetch of the holders' places. The pairs with
    the others stay as they are; the removed article's row is then missing, so it matches nothing."""
    stored_places = {1: {1: 0, 2: 4, 3: 8}, 2: {1: 2, 2: 3, 4: 9}}
    new = [{1: 0, 2: 5, 3: 9, 4: 12}]
    stored = sorted((k << 40, seq) for seq, places in stored_places.items() for k in places)

    def places_of(places: dict[int, int]) -> np.ndarray:
        return np.array(sorted(k << 40 | place for k, place in places.items()), dtype=np.int64)

    def members(fetched: list[int]):
        return triple_members([np.array(sorted(k << 40 for k in p), dtype=np.int64) for p in new],
                              [places_of(p) for p in new], np.array([k for k, _ in stored], dtype=np.int64),
                              np.array([s for _, s in stored], dtype=np.int64),
                              lambda seqs: {s: places_of(stored_places[s]) for s in seqs if s in fetched})

    both = members([1, 2])
    assert sorted(both[1].tolist()) == [1, 2]
    one = members([1])  # article 2 removed meanwhile
    kept = {m: c for m, c in zip(one[1].tolist(), one[2].tolist())}
    assert kept[1] == dict(zip(both[1].tolist(), both[2].tolist()))[1]


def first_two_reference(articles: list[dict[int, int]]) -> list[tuple[int, int]]:
    """The first two holders, in article order, of every triple held by two or more."""
    found = set()
    for key in set().union(*articles):
        holders = [i for i, places in enumerate(articles) if key in places]
        if len(holders) >= 2:
            found.add((holders[0], holders[1]))
    return sorted(found)


@settings(max_examples=200, deadline=None)
@given(articles_strategy, st.integers(0, 12))
def test_scan_and_index_find_the_first_two_holders_of_a_triple_alike(articles, stored_count):
    entries = np.array([[k << 40 | i, place] for i, places in enumerate(articles) for k, place in places.items()],
                       dtype=np.uint64).reshape(-1, 2)
    expected = first_two_reference(articles)
    assert [(c >> 32, c & 0xFFFFFFFF) for c in first_holders(entries, KEY_MASK, OWNER_MASK).tolist()] == expected
    # The index: the first articles stored (seq = index + 1), the others arriving in one batch.
    stored_count = min(stored_count, len(articles))
    stored = sorted((k << 40, i + 1) for i, places in enumerate(articles[:stored_count]) for k in places)
    stored_keys = np.array([k for k, _ in stored], dtype=np.int64)
    stored_seqs = np.array([s for _, s in stored], dtype=np.int64)
    new = [np.array(sorted(k << 40 for k in p), dtype=np.int64) for p in articles[stored_count:]]
    article, member = split_codes(second_holders(new, stored_keys, stored_seqs))
    as_scan = sorted((m - 1 if m > 0 else -m - 1 + stored_count, a + stored_count)
                     for a, m in zip(article.tolist(), member.tolist()))
    assert as_scan == [p for p in expected if p[1] >= stored_count]


def test_two_triples_standing_together_make_a_candidate_pair():
    """Two shared triples are enough when they are separate phrases close together in both texts."""
    entries = np.array([[1 << 40 | 0, 10], [1 << 40 | 1, 50], [2 << 40 | 0, 20], [2 << 40 | 1, 75],  # together
                        [3 << 40 | 2, 10], [3 << 40 | 3, 10], [4 << 40 | 2, 11], [4 << 40 | 3, 11],  # one phrase
                        [5 << 40 | 4, 10], [5 << 40 | 5, 10], [6 << 40 | 4, 90], [6 << 40 | 5, 12]],  # far apart
                       dtype=np.uint64)
    pairs, close, stats = triple_pairs(entries, KEY_MASK, OWNER_MASK)
    assert pairs.tolist() == [[0, 1]] and close.tolist() == [True] and stats["together_pairs"] == 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 30), st.integers(0, 60)), max_size=200),
       st.sampled_from([1, 2, 4, 16]))
def test_triple_pairs_from_spilled_parts_equal_the_pairs_in_memory(entries, parts):
    """Spread over files by triple and counted per file of pair codes: the same pairs and counts."""
    import tempfile

    from dedup.spill import PartitionedKeys

    # Triple keys spread over the top bits, as hashes are, so that every part gets some.
    rows = np.array([[(t * 0x9E3779B97F4A7C15 % 2**40) << 24 | a, place] for t, a, place in entries],
                    dtype=np.uint64).reshape(-1, 2)
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as other:
        spill = PartitionedKeys(folder, "t", parts, columns=2)
        for chunk in np.array_split(rows, 3):
            spill.append(chunk)
        spilled, close, stats = spilled_triple_pairs(spill.parts(), folder, KEY_MASK, OWNER_MASK)
        dropped = spilled_triple_pairs(spill.without_owners([1, 2], OWNER_MASK).parts(), other, KEY_MASK, OWNER_MASK)
    expected, expected_close, expected_stats = triple_pairs(rows, KEY_MASK, OWNER_MASK)
    assert spilled.tolist() == expected.tolist() and close.tolist() == expected_close.tolist()
    assert stats == expected_stats
    keep = ~np.isin(rows[:, 0] & OWNER_MASK, np.array([1, 2], dtype=np.uint64))
    assert dropped[0].tolist() == triple_pairs(rows[keep], KEY_MASK, OWNER_MASK)[0].tolist()
