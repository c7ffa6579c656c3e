"""Passage edges widened to whole sentences: snapped to nearby bounds, grown by alike sentences."""

from __future__ import annotations

import numpy as np

from dedup.edges import SNAP_WORDS, widen, word_dice
from dedup.normalize import tokenize_array
from dedup.sentences import features

BEFORE = "Markets were calm in the hours before the announcement on Tuesday morning."
REUSED = "The central bank raised its main interest rate by half a percentage point to curb inflation."
EDITED = "The bank raised its key interest rate by half a point in order to curb rising inflation."
AFTER_A = "Shares in Asia closed higher as traders welcomed the news from the capital."
AFTER_B = "Farmers in the north said the dry weather had ruined most of this year's harvest."


def widened(a: str, b: str, a_words: tuple[str, str], b_words: tuple[str, str]) -> tuple[str, str]:
    """Widen the span running from the first to the last given word on each side; its texts."""
    ta, tb = tokenize_array(a), tokenize_array(b)
    span = (_token(a, ta, a_words[0]), _token(a, ta, a_words[1]) + 1, _token(b, tb, b_words[0]),
            _token(b, tb, b_words[1]) + 1)
    a0, a1, b0, b1 = widen(span, features(a, ta), features(b, tb), ta.hashes, tb.hashes)
    return a[ta.starts[a0] : ta.ends[a1 - 1]], b[tb.starts[b0] : tb.ends[b1 - 1]]


def _token(text: str, tokens, word: str) -> int:
    return int(np.flatnonzero(tokens.starts == text.index(word))[0])


def test_an_edited_passage_is_widened_to_its_sentences_on_both_sides():
    a, b = f"{BEFORE} {REUSED} {AFTER_A}", f"{EDITED} {AFTER_B}"
    found = widened(a, b, ("raised", "curb"), ("raised", "curb"))
    assert found == (REUSED.rstrip("."), EDITED.rstrip("."))


def test_a_verbatim_passage_keeps_its_edges_inside_sentences():
    a, b = f"{BEFORE} {REUSED} {AFTER_A}", f"{REUSED} {AFTER_B}"
    assert widened(a, b, ("raised", "curb"), ("raised", "curb")) == ("raised its main interest rate by half a "
                                                                    "percentage point to curb",) * 2


def test_an_edge_further_than_the_snap_reach_from_a_bound_stays():
    filler = " ".join(f"word{i}" for i in range(SNAP_WORDS + 5))
    a = f"{BEFORE} {filler} {REUSED} {AFTER_A}"
    b = f"{AFTER_B} {filler} {EDITED}"
    found_a, found_b = widened(a, b, ("The central", "curb"), ("The bank", "curb"))
    assert found_a.startswith("The central") and found_b.startswith("The bank")


def test_an_alike_neighbouring_sentence_is_taken_in_and_an_unlike_one_is_not():
    earlier_a = "Officials had warned for weeks that prices were rising faster than wages across the country."
    earlier_b = "For weeks officials warned that across the country prices rose faster than wages did."
    a = f"{earlier_a} {REUSED} {AFTER_A}"
    b = f"{earlier_b} {EDITED} {AFTER_B}"
    found_a, found_b = widened(a, b, ("The central", "curb"), ("The bank", "curb"))
    assert found_a == f"{earlier_a} {REUSED.rstrip('.')}" and found_b == f"{earlier_b} {EDITED.rstrip('.')}"


def test_word_dice_counts_repeated_words():
    assert word_dice(np.array([1, 1, 2]), np.array([1, 2, 2])) == 2 * 2 / 6
    assert word_dice(np.array([1]), np.array([], dtype=np.int64)) == 0.0
