"""Verbatim pieces first held by two: the fourth candidate rule (dedup.pieces) and the scan's form of it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config, scan
from dedup.candidates import KEY_MASK, OWNER_MASK, candidate_pairs, candidate_triples, candidates_of_texts, sign_chunk
from dedup.pieces import MAX_HOLDERS, MIN_PIECES, piece_entries, piece_pairs, piece_rows, spilled_piece_pairs
from dedup.spill import PartitionedKeys

# Two short phrases with at most two content words each (no context triple survives them), the
# rest of each text its own made-up words: only the pieces tie the texts together.
PIECES = ("it is not as if he had", "and so on it was in the")


def filler(tag: str, n: int) -> str:
    return " ".join(f"{tag}{k}q" for k in range(n))


def text(tag: str, pieces: tuple[str, ...] = PIECES) -> str:
    parts = [filler(f"{tag}a", 40)]
    for n, piece in enumerate(pieces):
        parts += [piece, filler(f"{tag}b{n}", 40)]
    return " ".join(parts) + "."


def test_two_separate_pieces_first_held_by_two_make_a_candidate_and_nothing_else_does():
    texts = [text("x"), text("y")]
    config = Config()
    chunk = sign_chunk(texts, 0, config)
    assert len(candidate_pairs([[chunk.documents], [chunk.windows]], config)[0]) == 0
    assert len(candidate_triples([chunk.triples])[0]) == 0
    assert candidates_of_texts(texts, config).tolist() == [[0, 1]]


def pieces_of(texts: list[str]) -> list[list[int]]:
    return piece_pairs(sign_chunk(texts, 0, Config()).pieces, KEY_MASK, OWNER_MASK).tolist()


def test_one_phrase_however_long_is_one_piece():
    assert pieces_of([text("x"), text("y")]) == [[0, 1]]
    long_phrase = (" ".join(PIECES),)  # (a candidate through the passage tier, with 12 shared shingles)
    assert pieces_of([text("x", long_phrase), text("y", long_phrase)]) == []
    assert candidates_of_texts([text("x", PIECES[:1]), text("y", PIECES[:1])], Config()).tolist() == []


def test_only_the_first_holders_pair_through_the_pieces():
    texts = [text(tag) for tag in "xyzw"]
    assert MAX_HOLDERS == 3
    assert candidates_of_texts(texts, Config()).tolist() == [[0, 1], [0, 2], [1, 2]]
    assert candidates_of_texts(texts[1:], Config()).tolist() == [[0, 1], [0, 2], [1, 2]]
    assert pieces_of(texts[:2]) == [[0, 1]]


def test_pieces_must_be_separate_on_both_sides():
    mask = np.uint64((1 << 24) - 1)
    def rows(places_a, places_b, pair=(1, 2)):
        code = np.uint64(pair[0] << 32 | pair[1])
        return np.array([[code, np.uint64(a << 32 | b)] for a, b in zip(places_a, places_b)], dtype=np.uint64)
    from dedup.pieces import _enough_pieces
    assert _enough_pieces(rows([3, 4, 5], [10, 11, 12])).tolist() == []  # one run
    assert _enough_pieces(rows([3, 4], [10, 30])).tolist() == [[1, 2]]  # follows in a, not in b
    assert _enough_pieces(rows([3, 20], [10, 11])).tolist() == [[1, 2]]
    assert _enough_pieces(np.concatenate([rows([3], [10]), rows([7], [7], (1, 3))])).tolist() == []
    both = np.concatenate([rows([3, 9], [10, 40]), rows([7, 8], [7, 8], (1, 3))])
    assert _enough_pieces(both[::-1].copy()).tolist() == [[1, 2]]
    assert MIN_PIECES == 2 and mask


@settings(max_examples=30, deadline=None)
@given(token_lists=st.lists(st.lists(st.integers(0, 12), min_size=0, max_size=30), min_size=2, max_size=6),
       parts=st.integers(1, 4))
def test_spilled_pairs_equal_pairs_in_memory_and_a_reference(token_lists, parts, tmp_path_factory):
    """Texts of a few shingle values (repeats included), spread over files or not: the pairs are
    those a plain reading of the rule gives."""
    shingles = [np.array([(v + 1) * 0x9E3779B97F4A7C15 % (1 << 64) for v in t], dtype=np.uint64) for t in token_lists]
    counts = np.array([len(s) for s in shingles])
    entries = piece_entries(np.concatenate(shingles), counts, np.arange(len(shingles)), KEY_MASK)
    expected = set()
    first_holders: dict[int, list] = {}
    for owner, values in enumerate(shingles):
        for place, value in enumerate(values.tolist()):
            holders = first_holders.setdefault(value & int(KEY_MASK), [])
            if owner not in [h for h, _ in holders] and len(holders) < MAX_HOLDERS:
                holders.append((owner, place))
    by_pair: dict[tuple, list] = {}
    for holders in first_holders.values():
        for n, (i, p) in enumerate(holders):
            for j, q in holders[n + 1:]:
                by_pair.setdefault((i, j), []).append((p, q))
    for pair, places in by_pair.items():
        places.sort()
        pieces = 1 + sum(1 for (p, q), (r, s) in zip(places, places[1:]) if (r - p, s - q) != (1, 1))
        if pieces >= MIN_PIECES:
            expected.add(pair)
    assert {tuple(p) for p in piece_pairs(entries, KEY_MASK, OWNER_MASK).tolist()} == expected
    folder = tmp_path_factory.mktemp("pieces")
    spill = PartitionedKeys(folder, "pieces", parts=1 << (parts - 1), columns=2)
    for k in range(0, len(shingles), 2):  # in chunks, as a scan signs them
        spill.append(piece_entries(np.concatenate(shingles[k:k + 2]), counts[k:k + 2], np.arange(k, k + len(counts[k:k + 2])),
                                   KEY_MASK))
    pairs, stats = spilled_piece_pairs(spill.parts(), folder, KEY_MASK, OWNER_MASK)
    assert {tuple(p) for p in pairs.tolist()} == expected and stats["candidate_pairs"] == len(expected)
    assert len(piece_rows(entries, KEY_MASK, OWNER_MASK)) == sum(len(h) * (len(h) - 1) // 2 for h in first_holders.values())


def test_scan_pairs_the_texts_through_their_pieces():
    result = scan([{"id": tag, "text": text(tag)} for tag in "xyzw"])
    assert result.stats["verbatim_pieces"]["candidate_pairs"] == 3
    assert result.stats["candidate_pairs"] == 3
