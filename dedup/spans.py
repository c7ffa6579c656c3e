"""Passages in token coordinates (:class:`Span`) and how pieces of one passage are put together:
merged where they overlap on both sides, joined where they are neighbours of one reworded
passage (:func:`join`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .edges import word_dice

__all__ = ["Span", "edited", "hull", "join", "meets", "merge", "touch"]

# Neighbouring passages are joined when this few words apart on both sides, or up to
# _JOIN_WORDS apart when one side of one lies inside the other's (sentences moved within one
# passage) or the words between them are alike (Dice >= _JOIN_DICE: an edited stretch).
_JOIN_CLOSE = 8
_JOIN_WORDS = 40
_JOIN_DICE = 0.35
_JOIN_RATIO = 2.5
# ... and, in any order, up to _JOIN_WORDS apart when both are edited (under this share of their
# words matched): pieces of one reworded passage. Verbatim paragraphs that a rewrite reorders
# stay apart. (PAN 2013 03 tuning, aligned pair by pair: granularity 1.071 -> 1.031.)
_VERBATIM = 0.95


@dataclass
class Span:
    """A passage in token coordinates: tokens ``[a0, a1)`` of A and ``[b0, b1)`` of B, and how
    many tokens on each side are matched."""

    a0: int
    a1: int
    b0: int
    b1: int
    hit_a: int
    hit_b: int


def touch(x: Span, y: Span) -> bool:
    """Whether two spans overlap on both sides."""
    return x.a0 < y.a1 and y.a0 < x.a1 and x.b0 < y.b1 and y.b0 < x.b1


def hull(x: Span, y: Span) -> Span:
    a0, a1, b0, b1 = min(x.a0, y.a0), max(x.a1, y.a1), min(x.b0, y.b0), max(x.b1, y.b1)
    return Span(a0, a1, b0, b1, min(x.hit_a + y.hit_a, a1 - a0), min(x.hit_b + y.hit_b, b1 - b0))


def _distance(x0: int, x1: int, y0: int, y1: int) -> int:
    """Words between two token ranges; negative when they overlap (minus the words in common)."""
    return max(x0, y0) - min(x1, y1)


def _gap_dice(x: Span, y: Span, ha: np.ndarray, hb: np.ndarray) -> float:
    """Dice of the words between two spans, A side against B side."""
    return word_dice(ha[min(x.a1, y.a1) : max(x.a0, y.a0)], hb[min(x.b1, y.b1) : max(x.b0, y.b0)])


def _inside(overlap: int, x: int, y: int) -> bool:
    """Whether the shorter of two ranges (lengths ``x`` and ``y``) that overlap by ``overlap``
    words lies mostly inside the other."""
    return 2 * overlap >= min(x, y)


def _part(overlap: int, x: int, y: int) -> bool:
    """:func:`_inside`, and at most half the other's length."""
    return _inside(overlap, x, y) and 2 * min(x, y) <= max(x, y)


def edited(span: Span) -> bool:
    """Whether a span's words are matched less than :data:`_VERBATIM` on both sides together."""
    return span.hit_a + span.hit_b < _VERBATIM * ((span.a1 - span.a0) + (span.b1 - span.b0))


def join(spans: list[Span], ha: np.ndarray, hb: np.ndarray) -> list[Span]:
    """Join neighbouring spans (in A order) of one reworded passage: at most :data:`_JOIN_CLOSE`
    words apart on both sides, or up to :data:`_JOIN_WORDS` apart when one side of one lies mostly
    inside the other's (sentences moved within the passage), when both are edited (shuffled and
    replaced words), or when, in the same order on both sides, the words between them are alike
    (an edited stretch). A join that would make one side more than :data:`_JOIN_RATIO` times the
    other is not made."""
    joined: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.a0, s.b0)):
        if joined:
            last = joined[-1]
            gap_a = _distance(last.a0, last.a1, span.a0, span.a1)
            gap_b = _distance(last.b0, last.b1, span.b0, span.b1)
            # on one side, the smaller lies mostly inside a larger one: sentences moved within one
            # passage (a text matched twice, repeated on the other side, is not that)
            nested = _part(-gap_a, last.a1 - last.a0, span.a1 - span.a0) or _part(-gap_b, last.b1 - last.b0, span.b1 - span.b0)
            far = max(gap_a, gap_b)
            alike = (span.b0 > last.b0 and 2 * min(gap_a, gap_b) >= far
                     and _gap_dice(last, span, ha, hb) >= _JOIN_DICE)
            whole = hull(last, span)
            balanced = max(whole.a1 - whole.a0, whole.b1 - whole.b0) <= _JOIN_RATIO * min(whole.a1 - whole.a0,
                                                                                          whole.b1 - whole.b0)
            # (two pieces mostly on the same words of one side are one text matched twice)
            reworded = (edited(last) and edited(span) and not _inside(-gap_a, last.a1 - last.a0, span.a1 - span.a0)
                        and not _inside(-gap_b, last.b1 - last.b0, span.b1 - span.b0))
            if balanced and (far <= _JOIN_CLOSE or (far <= _JOIN_WORDS and (nested or alike or reworded))):
                joined[-1] = whole
                continue
        joined.append(span)
    return joined


def merge(spans: list[Span]) -> list[Span]:
    """Merge spans that overlap on both sides into their hull, until none do."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.a0, s.b0)):
        changed = True
        while changed:
            changed = False
            for other in merged:
                if touch(span, other):
                    merged.remove(other)
                    span, changed = hull(span, other), True
                    break
        merged.append(span)
    return sorted(merged, key=lambda s: (s.a0, s.b0))


def meets(x: Span, y: Span) -> bool:
    """Whether two spans overlap on either side."""
    return (x.a0 < y.a1 and y.a0 < x.a1) or (x.b0 < y.b1 and y.b0 < x.b1)
