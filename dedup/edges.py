"""Passage edges: a reworded passage widened to the whole sentences it was made of.

Alignment finds a reworded passage from the words its two sides still share, so its edges stop
at the first and last shared word, often a few words inside the sentences that were reused (in
PAN 2013's random edits, half of the found edges lay inside the reused text, 4-6 words on
median). Reuse is made of sentences: of PAN 2013 03's reuse cases, 88-93 % of the edges lie on a
sentence bound on each side. So the edges of an edited passage are widened:

1. **Snap.** Each edge moves out to the sentence bound before (start) or after (end) it, when
   that bound is at most :data:`SNAP_WORDS` words away.
2. **Grow.** When both starts (or both ends) are then on sentence bounds, the sentences just
   outside them are taken in too if their content words are alike (Dice of their terms at least
   :data:`GROW_DICE`): an edited first or last sentence that shares too few words to seed.

A verbatim passage (its two sides' words agree, Dice :data:`VERBATIM` or more) keeps its edges:
a copy starts and ends exactly where its words do, even inside a sentence. So does a passage
whose widened sides would share less than :data:`MIN_DICE` of their words.

>>> from dedup.normalize import tokenize_array
>>> from dedup.sentences import features
>>> a = ("Markets were calm before the announcement today. The bank raised its rate by half a point "
...      "on Tuesday to fight inflation. Shares in Asia closed higher on the news.")
>>> b = ("The central bank raised its main rate by half a point to fight stubborn inflation. "
...      "Rain fell on the city all day.")
>>> ta, tb = tokenize_array(a), tokenize_array(b)
>>> widen((9, 21, 2, 15), features(a, ta), features(b, tb), ta.hashes, tb.hashes)  # "raised ... inflation"
(7, 21, 0, 15)
"""

from __future__ import annotations

import numpy as np

from .compiled import PAIR_MINIMUM, use_kernels
from .sentences import TextFeatures

__all__ = ["GROW_DICE", "MIN_DICE", "SNAP_WORDS", "VERBATIM", "widen", "word_dice"]

# Edges move out to a sentence bound at most this many words away. Measured on PAN 2013
# (tuning half, gold pairs aligned one by one): 03 plagdet +0.007 at 8, +0.020 at 15, +0.021 at
# 20 and 30 (precision falling), 04 +0.009/+0.010/+0.010/+0.008, 02 -0.001.
SNAP_WORDS = 15
# Sentences next to the edges are taken in when their content terms agree this much (Dice).
# Measured after snapping: 03 +0.003 at 0.5, +0.006 at 0.3, +0.007 at 0.2; 04 +0.002, +0.008,
# +0.010 with precision falling; taking in a second sentence added 0.001.
GROW_DICE = 0.3
# Passages whose two sides' words agree this much (Dice, words counted with repeats) are copies.
VERBATIM = 0.95
# A widened passage must still have this Dice of its two sides' words, or it keeps its edges: a
# short passage is not stretched over sentences it shares little of (PAN 2013 04 -0.002 plagdet).
MIN_DICE = 0.5


def word_dice(xs: np.ndarray, ys: np.ndarray) -> float:
    """Dice coefficient of two word lists taken as multisets (0 when either is empty).

    >>> word_dice(np.array([1, 2, 2, 3]), np.array([2, 3, 4, 5]))
    0.5
    """
    if len(xs) == 0 or len(ys) == 0:
        return 0.0
    if use_kernels(len(xs) + len(ys), PAIR_MINIMUM):
        from .kernels import multiset_shared

        return 2 * multiset_shared(xs, ys) / (len(xs) + len(ys))
    xa, ca = np.unique(xs, return_counts=True)
    xb, cb = np.unique(ys, return_counts=True)
    _, ia, ib = np.intersect1d(xa, xb, assume_unique=True, return_indices=True)
    return 2 * int(np.minimum(ca[ia], cb[ib]).sum()) / (len(xs) + len(ys))


def _bound_before(bounds: np.ndarray, first: int) -> int:
    """The sentence bound at or before token ``first``, if at most :data:`SNAP_WORDS` away."""
    at = int(bounds[np.searchsorted(bounds, first, side="right") - 1])
    return at if first - at <= SNAP_WORDS else first


def _bound_after(bounds: np.ndarray, end: int) -> int:
    """The sentence bound at or after token ``end``, if at most :data:`SNAP_WORDS` away."""
    at = int(bounds[min(np.searchsorted(bounds, end), len(bounds) - 1)])
    return at if at - end <= SNAP_WORDS else end


def _snapped(a_new: int, a: int, b_new: int, b: int, fa: TextFeatures, fb: TextFeatures) -> tuple[int, int]:
    """Both sides of one edge snapped, or neither: an edge moves only to sentence bounds on both
    sides (PAN 2013 03 tuning: 0.001 plagdet less than moving each side alone)."""
    if _on_bound(fa, a_new) and _on_bound(fb, b_new):
        return a_new, b_new
    return a, b


def _on_bound(f: TextFeatures, token: int) -> bool:
    at = int(np.searchsorted(f.bounds, token))
    return at < len(f.bounds) and int(f.bounds[at]) == token


def _terms(f: TextFeatures, sentence: int) -> np.ndarray:
    """The content terms of one sentence."""
    lo, hi = np.searchsorted(f.term_sentence, [sentence, sentence + 1])
    return f.terms[lo:hi]


def _alike(fa: TextFeatures, sentence_a: int, fb: TextFeatures, sentence_b: int) -> bool:
    return word_dice(_terms(fa, sentence_a), _terms(fb, sentence_b)) >= GROW_DICE


def _grow(a0: int, a1: int, b0: int, b1: int, fa: TextFeatures, fb: TextFeatures) -> tuple[int, int, int, int]:
    """Take in the sentences just before and just after the span when alike on both sides."""
    ba, bb = fa.bounds, fb.bounds
    sa, sb = int(np.searchsorted(ba, a0)), int(np.searchsorted(bb, b0))  # sentences starting at a0, b0
    if sa > 0 and sb > 0 and ba[sa] == a0 and bb[sb] == b0 and _alike(fa, sa - 1, fb, sb - 1):
        a0, b0 = int(ba[sa - 1]), int(bb[sb - 1])
    ea, eb = int(np.searchsorted(ba, a1)), int(np.searchsorted(bb, b1))  # sentences starting at a1, b1
    if ea < fa.sentences and eb < fb.sentences and ba[ea] == a1 and bb[eb] == b1 and _alike(fa, ea, fb, eb):
        a1, b1 = int(ba[ea + 1]), int(bb[eb + 1])
    return a0, a1, b0, b1


def widen(span: tuple[int, int, int, int], fa: TextFeatures, fb: TextFeatures, ha: np.ndarray,
          hb: np.ndarray) -> tuple[int, int, int, int]:
    """The span ``(a0, a1, b0, b1)`` (tokens ``[a0, a1)`` of A, ``[b0, b1)`` of B) with its edges
    snapped out to sentence bounds and grown by alike sentences, unless it is verbatim or would
    then share less than :data:`MIN_DICE` of its words.

    ``fa``, ``fb`` are the texts' :class:`~dedup.sentences.TextFeatures`, ``ha``, ``hb`` their
    token hashes.
    """
    a0, a1, b0, b1 = span
    if word_dice(ha[a0:a1], hb[b0:b1]) >= VERBATIM:
        return span
    a0, b0 = _snapped(_bound_before(fa.bounds, a0), a0, _bound_before(fb.bounds, b0), b0, fa, fb)
    a1, b1 = _snapped(_bound_after(fa.bounds, a1), a1, _bound_after(fb.bounds, b1), b1, fa, fb)
    a0, a1, b0, b1 = _grow(a0, a1, b0, b1, fa, fb)
    return (a0, a1, b0, b1) if word_dice(ha[a0:a1], hb[b0:b1]) >= MIN_DICE else span
