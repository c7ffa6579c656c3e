"""Passage alignment: every stretch of text two articles share, with offsets into both.

Seeds are the shingles two articles have in common, as points ``(i, j)`` (shingle ``i`` of A
equals shingle ``j`` of B). Seeds are chained greedily in A order: a seed extends the chain whose
last seed lies before it *in both articles* within ``max_gap_words + shingle_size`` words, so
small edits inside a passage (``Aug. 16`` / ``16 August``) are bridged, while passages that were
reordered form separate chains. Chains shorter than ``min_passage_words`` on either side are
dropped, and so is a chain whose both sides lie inside stronger passages already kept (a
paragraph repeated in one article matches each copy once, not crosswise). Last, a passage that
only matches a repeat is dropped (:func:`dedup.spans.one_place`): text one article holds once
is reported at one place of the other, the longest match.

Offsets are ``str`` indices into the original texts: ``text_a[a_start:a_end]`` is the passage.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import numpy as np

from .chains import Chain, chain_seeds, seeds
from .context import MIN_SHARED, shared_together, shared_triples
from .edges import VERBATIM, widen, word_dice
from .models import Passage
from .paraphrase import sentence_spans
from .sentences import content_terms, features, looks_abbreviated
from .spans import Span, edited, join, meets, merge, one_place, summaries, touch

__all__ = ["Chain", "align", "seeds"]

_CLOSING = set(".,;:!?\"'”’)]»")
# A short passage that is not whole sentences (an incidental phrase such as "a high school
# diploma or its equivalent") is reported only this close, on both sides, to a long one: a
# phrase kept from a rewritten sentence next to a reused paragraph.
_CONTEXT_WORDS = 30
# What a paraphrase passage adds to the exact passages it overlaps (its words they do not cover)
# must share this share of its words, A side against B side (Dice, words counted with repeats):
# a rewrite's own sentences next to a reused paragraph are on the same topic, not the same words.
# Measured on paraphrase passages of PAN 2013 (tuning half): the added words of true ones have a
# median Dice of 0.44-0.53, false ones 0.27-0.37; 0.25 gave 03 and 04 +0.01 plagdet over 0.3.
# Once matches of a repeat were dropped and summaries made one passage (the benchmark's scan,
# tuning half): 0.2 gave 05 +0.019, 03 +0.002, all categories +0.002 over 0.25 (0.15 +0.002,
# 0.3 -0.0005); the news-reuse plagdet moved by less than 0.001.
_MIN_DICE = 0.2
# ... unless it adds at most this many words on either side (it bridges the exact pieces of one
# reworded passage).
_BRIDGE_WORDS = 12
# A paraphrase passage whose two sides each hold this many figures must share at least half of
# them (Dice): a copy keeps its figures, while same-template stories ("wholesale prices rose 0.2
# pct in February ...", quarterly results) word alike around different ones.
_FIGURES = 2
# A paraphrase passage holding most of one side of an exact passage of this many words, whose
# other side it does not meet, spans text copied from elsewhere and is dropped.
_CROSSED_WORDS = 20
# Exact passages of this many words fix where their sentences were copied to (see
# dedup.paraphrase: seeds that contradict them are dropped).
_FIXED_WORDS = 8
# A pair sharing one short phrase is looked at for paraphrase only if it shares this many context
# triples. Measured on such pairs: in PAN 2013 03 and 04, paraphrase added a passage to 24 of
# 197, all sharing 3 or more triples, 18 of them 6 or more; in a 20k news-like scan it added none
# to 5,475, of which 93 share 6 or more (and 3,811 share 3 to 5). With 3 here, PAN 04 gained 0.01
# plagdet and aligning the 20k scan's pairs took 40 % more CPU. A pair whose 3 or more shared
# triples stand in two runs close together (the rule that aligns a triple-found pair sharing no
# shingle) is looked at too: PAN 2013 tuning (gold pairs aligned one by one) 03 +0.003, 04 +0.009,
# 05 +0.005 plagdet, 02 equal; in the 20k scan it sends 86 more of 6,924 pairs to paraphrase
# (3,822 went before) and changes no result.
_REWORDED_TRIPLES = 6
# Sentence pairs seed a paraphrase passage from tf-idf cosine and Dice _COPIED_SEED (dedup.paraphrase,
# after Sanchez-Perez et al., whose 0.33 is the default there) in a pair that shares a verbatim
# passage (95 % of its words matched, see dedup.spans) of _COPIED_WORDS or more, and from _REWORDED_SEED in a pair
# that does not: a pair that copies keeps its copies verbatim, and sentences alike in it are most
# often on the same topic, while in a pair that shares only reworded text weaker sentence pairs are
# more likely parts of it. Measured (PAN 2013 tuning, gold pairs aligned one by one, against 0.33
# everywhere): 0.28 everywhere gave 03 +0.012 plagdet and 02 -0.005; 0.28 only without a copy of
# 30 words (or 15), 03 +0.012, 04 +0.000, 02 +0.001 (of 60, 02 -0.002); 0.25 gave 03 +0.001 more
# and 04 -0.001. With a copy, 0.4/0.45/0.5/0.6/0.7 gave 02 +0.005/+0.005/+0.007/+0.010/+0.010
# and summaries (05) 0/0/0/-0.004/-0.004; 03 and 04 did not move. In the full benchmark (scan,
# tuning half), 0.6 against 0.5: 02 +0.002, 05 -0.004, 02-05+01 equal.
_COPIED_WORDS = 30
_COPIED_SEED = 0.6
_REWORDED_SEED = 0.28
# The second look (align(..., look_again=True)), for a pair that went through the paraphrase
# stage and got nothing: the paraphrase stage again with the lengths divided by _LOOK_SHORTER and
# sentence seeds from _LOOK_SEED, keeping a passage only if its sides share at least _LOOK_WORDS
# distinct content words (figures aside) in the same order, at least _LOOK_SHARE of the shorter
# side's content words, half their words (Dice, as every passage does), and half their figures if
# each side holds one; a verbatim one shorter than the first look's fragment length is left to
# the first look. Random edits that delete most of a passage's words (PAN 2013 03) leave the rest
# in order; same-topic text shares words in any order. Measured on the PAN 2013 01 pairs and the
# 74 03 pairs the first look finds nothing in, aligned one by one with every such pair given the
# second look (tuning / held-out): 11 / 11 of the 03 pairs found and no 01 pair more; 10 words,
# 6 / 9; without the Dice floor, 8 words found 16 / 19 for 3 / 4 more 01 pairs and the
# news-reuse held-out pair F1 fell to 0.975. Seeds of 0.22 or 0.25 instead of 0.2 found one pair
# fewer. Without the figures rule, the news-reuse scans reported 3 more same-template pairs
# (buy-back notices, earnings notes); counting repeated words, templated tables ("FRANCA NIL,
# MARINGA NIL") passed. Only pairs that went through the paraphrase stage get it (not those the
# gate or the one-phrase rule keep from it): the benchmark's scan 01-03 pair F1 0.9803 / 0.9811
# against 0.9813 / 0.9816 for every pair, with a fifth of the CPU on the 20k news-like corpus.
_LOOK_SEED = 0.2
_LOOK_WORDS = 8
_LOOK_SHARE = 0.3
_LOOK_DICE = 0.5
_LOOK_SHORTER = 2  # the second look's paraphrase and fragment lengths: the first's divided by this
# Word chains (see _word_spans): this many shared content words or more, each at most this many
# content words after the last on both sides. Measured on PAN 2013 (tuning, gold pairs aligned
# one by one, chains anywhere and in every pair): reach 8 and 8 words gave 03 +0.010 plagdet,
# 04 +0.009, 02 -0.002; reach 4, 03 +0.004; reach 12, 03 +0.008, 02 -0.009; 5 words, 03
# +0.008, 02 -0.008.
_WORD_REACH = 8
_WORD_MIN = 8
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s")


def _covered(mask: np.ndarray, first: int, last: int) -> float:
    return np.count_nonzero(mask[first : last + 1]) / (last + 1 - first) if last >= first else 0.0


def _select(chains: list[Chain], k: int, len_a: int, len_b: int) -> list[Chain]:
    """Keep chains strongest first, dropping ones already explained on both sides."""
    ranked = sorted(chains, key=lambda c: (-c.count, c.i_first, c.j_first))
    taken_a = np.zeros(len_a, dtype=bool)
    taken_b = np.zeros(len_b, dtype=bool)
    kept = []
    for chain in ranked:
        a_end, b_end = chain.i_last + k - 1, chain.j_last + k - 1
        if _covered(taken_a, chain.i_first, a_end) > 0.5 and _covered(taken_b, chain.j_first, b_end) > 0.5:
            continue
        taken_a[chain.i_first : a_end + 1] = True
        taken_b[chain.j_first : b_end + 1] = True
        kept.append(chain)
    return sorted(kept, key=lambda c: (c.i_first, c.j_first))


def _extend_end(text: str, end: int) -> int:
    """Take closing punctuation right after the last word (``.``, ``"``, ``)``) into the passage."""
    while end < len(text) and text[end] in _CLOSING:
        end += 1
    return end


def _chain_span(chain: Chain, k: int) -> Span:
    # Seeds of a chain rise strictly on both sides, so the words their shingles cover are each
    # one's k words, less what overlaps the next seed's (all but one word, inside a run).
    hit_a = hit_b = k + chain.count - len(chain.runs)
    for (i0, j0, length), (i1, j1, _) in zip(chain.runs, chain.runs[1:]):
        hit_a += min(k, i1 - i0 - length + 1)
        hit_b += min(k, j1 - j0 - length + 1)
    return Span(chain.i_first, chain.i_last + k, chain.j_first, chain.j_last + k, hit_a, hit_b)


def _extension(a: list, b: list, max_gap: int) -> tuple[int, int, int]:
    """How far matching words reach outward from the edge at index 0 of ``a`` and ``b``.

    ``a`` and ``b`` list the words beyond a passage edge, nearest first. Matching blocks are taken
    while each is within ``max_gap`` words of the last; the reach counts only if at least two
    words matched and they make up half of the added words on both sides.
    Returns ``(words added in a, words added in b, words matched)``.
    """
    # The first matching block must start within max_gap words on both sides; most passage edges
    # are where the texts part for good, and this settles them without a SequenceMatcher.
    if set(a[: max_gap + 1]).isdisjoint(b[: max_gap + 1]):
        return 0, 0, 0
    return _matched_extension(a, b, max_gap)


def _matched_extension(a: list, b: list, max_gap: int) -> tuple[int, int, int]:
    """:func:`_extension` without its shortcut: matching blocks taken while each starts within
    ``max_gap`` words of the last, kept when they match at least half the words they span."""
    reach_a = reach_b = matched = 0
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()[:-1]:
        if block.a - reach_a > max_gap or block.b - reach_b > max_gap:
            break
        reach_a, reach_b, matched = block.a + block.size, block.b + block.size, matched + block.size
    if matched >= 2 and 2 * matched >= max(reach_a, reach_b):
        return reach_a, reach_b, matched
    return 0, 0, 0


def _extend(span: Span, ha: np.ndarray, hb: np.ndarray, reach: int, max_gap: int) -> Span:
    """Grow a span at both edges over nearby words that still match (edits near passage edges)."""
    before = _extension(ha[max(0, span.a0 - reach) : span.a0][::-1].tolist(),
                        hb[max(0, span.b0 - reach) : span.b0][::-1].tolist(), max_gap)
    after = _extension(ha[span.a1 : span.a1 + reach].tolist(), hb[span.b1 : span.b1 + reach].tolist(), max_gap)
    return Span(span.a0 - before[0], span.a1 + after[0], span.b0 - before[1], span.b1 + after[1],
                span.hit_a + before[2] + after[2], span.hit_b + before[2] + after[2])


def _boundary_after(text: str, tokens, t: int) -> bool:
    """Whether a sentence or paragraph ends between token ``t`` and token ``t + 1``."""
    gap = text[tokens.ends[t] : tokens.starts[t + 1]]
    if "\n" in gap:
        return True
    return bool(_SENTENCE_END.match(gap)) and not looks_abbreviated(text[tokens.starts[t] : tokens.ends[t]])


def _trim(span: Span, text_a: str, ta, text_b: str, tb, limit: int = 2) -> Span:
    """Drop up to ``limit`` words that spill over a sentence end at either edge on both sides
    (``...a security crisis. The``: the ``The`` matched only by chance)."""
    for n in range(1, limit + 1):
        if span.a1 - n - 1 < span.a0 or span.b1 - n - 1 < span.b0:
            break
        if _boundary_after(text_a, ta, span.a1 - n - 1) and _boundary_after(text_b, tb, span.b1 - n - 1):
            span = Span(span.a0, span.a1 - n, span.b0, span.b1 - n, span.hit_a - n, span.hit_b - n)
            break
    for n in range(1, limit + 1):
        if span.a0 + n >= span.a1 or span.b0 + n >= span.b1:
            break
        if _boundary_after(text_a, ta, span.a0 + n - 1) and _boundary_after(text_b, tb, span.b0 + n - 1):
            span = Span(span.a0 + n, span.a1, span.b0 + n, span.b1, span.hit_a - n, span.hit_b - n)
            break
    return span


def exact_spans(text_a: str, tokens_a, text_b: str, tokens_b, points: np.ndarray, *,
                shingle_size: int, max_gap_words: int) -> list[Span]:
    """Passages found from shared shingles (the seeds ``points``), in token coordinates (no
    length filter yet)."""
    k = shingle_size
    if len(points) == 0:
        return []
    chains = chain_seeds(points, reach=max_gap_words + k)
    spans = []
    for chain in _select(chains, k, len(tokens_a), len(tokens_b)):
        span = _extend(_chain_span(chain, k), tokens_a.hashes, tokens_b.hashes, reach=max_gap_words + k, max_gap=3)
        spans.append(_trim(span, text_a, tokens_a, text_b, tokens_b))
    return spans


def _one_phrase(points: np.ndarray, spans: list[Span], min_words: int, text_a: str, tokens_a, text_b: str,
                tokens_b) -> bool:
    """Whether all the texts share is one short phrase: their seeds are consecutive on one
    diagonal, make no passage of ``min_words``, and the texts share fewer than
    :data:`_REWORDED_TRIPLES` context triples (content words standing together, which reworded
    reuse keeps), nor the candidate rule's :data:`~dedup.context.MIN_SHARED` in two separate runs
    close together (:func:`~dedup.context.shared_together`). Such a pair (a stock phrase such as
    "said in a statement on") is not looked at for paraphrase."""
    if len(points) == 0:  # none, or only shingles repeated too often to seed (see dedup.chains)
        return False
    diagonal = points[:, 1] - points[:, 0]
    if np.any(diagonal != diagonal[0]) or np.any(np.diff(points[:, 0]) != 1):
        return False
    if any(min(s.a1 - s.a0, s.b1 - s.b0) >= min_words for s in spans):
        return False
    shared = shared_triples(text_a, tokens_a, text_b, tokens_b)
    if shared >= MIN_SHARED and shared_together(text_a, tokens_a, text_b, tokens_b):
        return False
    return shared < _REWORDED_TRIPLES


def _word_chains(terms_a: np.ndarray, terms_b: np.ndarray) -> list[Span]:
    """Stretches where the texts share :data:`_WORD_MIN` or more content words (stems, see
    :func:`dedup.sentences.content_terms`) in the same order, each within :data:`_WORD_REACH`
    content words of the last on both sides: the words a heavily edited passage keeps.

    >>> a = np.array([5, 0, 6, 7, 0, 8, 9, 0, 10, 11, 12], dtype=np.uint64)
    >>> b = np.array([5, 6, 0, 0, 1, 7, 8, 9, 2, 10, 11, 12], dtype=np.uint64)
    >>> _word_chains(a, b)
    [Span(a0=0, a1=11, b0=0, b1=12, hit_a=8, hit_b=8)]
    """
    content_a, content_b = np.flatnonzero(terms_a), np.flatnonzero(terms_b)
    points = seeds(terms_a[content_a], terms_b[content_b])  # in content-word coordinates
    if len(points) < _WORD_MIN:
        return []
    found = []
    for chain in chain_seeds(points, reach=_WORD_REACH):
        if chain.count >= _WORD_MIN:
            a0, a1 = int(content_a[chain.i_first]), int(content_a[chain.i_last]) + 1
            b0, b1 = int(content_b[chain.j_first]), int(content_b[chain.j_last]) + 1
            found.append(Span(a0, a1, b0, b1, chain.count, chain.count))
    return found


def _word_spans(spans: list[Span], found: list[Span], text_a: str, tokens_a, text_b: str, tokens_b,
                min_words: int) -> list[Span]:
    """Word chains (:func:`_word_chains`) that extend or join the passages found so far, for a
    pair that shares no verbatim copy of :data:`_COPIED_WORDS`.

    Heavily edited reuse (most words of a sentence deleted, others replaced) keeps too few
    5-word shingles to seed a passage and too few words per sentence to match as a paraphrase;
    its pieces and edges are lost. What is left is its content words, in order. A chain counts
    only within :data:`_CONTEXT_WORDS` of a passage of ``min_words`` on both sides (the
    fragment rule of :func:`_align`), not across a verbatim passage of :data:`_FIXED_WORDS`
    (a copy ends where its words do), and under the rules of a paraphrase passage: the words
    it adds alike, its figures shared, no copied passage crossed. Measured (the benchmark's
    PAN 2013 scan, tuning / held-out): random edits (03) 0.867 / 0.877 -> 0.873 / 0.879,
    translation (04) 0.889 / 0.890 -> 0.896 / 0.894, summaries (05) 0.403 / 0.394 -> 0.409 /
    0.404, verbatim (02) and PAN 01's false pairs equal. Chains anywhere (not only next to a
    long passage) gave 03 0.876 / 0.883 but news-reuse precision 0.973 -> 0.955 (same-story
    sentences that name the same things in the same order) and one more PAN 01 false pair;
    next to a passage of 8 words (not 20), 03 0.875 / 0.881, news-reuse held-out pair F1
    0.988 -> 0.985.
    """
    long = [s for s in spans + found if min(s.a1 - s.a0, s.b1 - s.b0) >= min_words]
    if not long:
        return []
    ha, hb = tokens_a.hashes, tokens_b.hashes
    copies = [e for e in spans if not edited(e) and min(e.a1 - e.a0, e.b1 - e.b0) >= _FIXED_WORDS]
    kept = []
    for span in _word_chains(content_terms(text_a, tokens_a), content_terms(text_b, tokens_b)):
        if (_near(span, long) and not any(meets(span, e) for e in copies) and not _crosses(span, spans)
                and _uncovered_dice(span, spans, ha, hb) >= _MIN_DICE
                and not _other_figures(span, text_a, tokens_a, text_b, tokens_b)):
            kept.append(span)
    return kept


def _words_in_order(text: str, tokens, first: int, end: int) -> list[int]:
    """The content terms of tokens ``[first, end)``, figures left out, in text order."""
    terms = content_terms(text, tokens)[first:end]
    return terms[(terms != 0) & ~_figure_mask(text, tokens)[first:end]].tolist()


def _in_order(span: Span, text_a: str, tokens_a, text_b: str, tokens_b) -> bool:
    """Whether the two sides of a span share :data:`_LOOK_WORDS` distinct content words in the
    same order, and at least :data:`_LOOK_SHARE` of the shorter side's (the second look's test)."""
    xs = _words_in_order(text_a, tokens_a, span.a0, span.a1)
    ys = _words_in_order(text_b, tokens_b, span.b0, span.b1)
    if min(len(xs), len(ys)) < _LOOK_WORDS:
        return False
    blocks = SequenceMatcher(None, xs, ys, autojunk=False).get_matching_blocks()
    ordered = sum(block.size for block in blocks)
    distinct = len({x for block in blocks for x in xs[block.a : block.a + block.size]})
    return distinct >= _LOOK_WORDS and ordered >= _LOOK_SHARE * min(len(xs), len(ys))


def _whole_copy(spans: list[Span], len_a: int, len_b: int) -> bool:
    """Whether one span matches every word of both texts: the texts have the same words (most
    often a copy group's pairs), and paraphrase alignment has nothing left to find."""
    return any(s.a0 == 0 and s.b0 == 0 and s.hit_a == s.a1 == len_a and s.hit_b == s.b1 == len_b for s in spans)


def _copied(spans: list[Span]) -> bool:
    """Whether one of the (exact) spans is a verbatim copy of at least :data:`_COPIED_WORDS` words."""
    return any(min(s.a1 - s.a0, s.b1 - s.b0) >= _COPIED_WORDS and not edited(s) for s in spans)


def _anchor(span: Span, terms_a: np.ndarray, terms_b: np.ndarray) -> Span | None:
    """Narrow a paraphrase span so that each side starts and ends on a content word (stem, see
    :func:`dedup.sentences.content_terms`) found anywhere in the other side.

    The sides are narrowed independently: a reworded passage's sentences are often moved within
    it, so its first sentence on one side need not be the first on the other, and narrowing both
    to one word pair cut the moved sentence off one side. Measured on PAN 2013 (tuning half,
    gold pairs aligned one by one), against narrowing to the shared word nearest both starts
    (and ends): 03 plagdet 0.848 -> 0.873 (held-out 0.858 -> 0.883), 04 -0.001 (+0.003), 02
    -0.000 (+0.000), 05 +0.019 (+0.026). Taking any shared word instead of content words gave
    03 0.871 with 04 -0.003 and 02 -0.001.
    """
    xa, xb = terms_a[span.a0 : span.a1].tolist(), terms_b[span.b0 : span.b1].tolist()
    edges_a, edges_b = _shared_edges(xa, set(xb)), _shared_edges(xb, set(xa))
    if edges_a is None or edges_b is None:
        return None
    a0, a1 = span.a0 + edges_a[0], span.a0 + edges_a[1]
    b0, b1 = span.b0 + edges_b[0], span.b0 + edges_b[1]
    return Span(a0, a1, b0, b1, min(span.hit_a, a1 - a0), min(span.hit_b, b1 - b0))


def _shared_edges(terms: list[int], other: set[int]) -> tuple[int, int] | None:
    """``(first, last + 1)``: where the first and last content term of ``terms`` found in
    ``other`` stand (scanned from each end: the edges usually hold one)."""
    other.discard(0)
    first = next((t for t, term in enumerate(terms) if term in other), None)
    if first is None:
        return None
    last = next(t for t in range(len(terms) - 1, first - 1, -1) if terms[t] in other)
    return first, last + 1


def _uncrossed(span: Span, exact: list[Span], terms_a: np.ndarray, terms_b: np.ndarray) -> Span | None:
    """A paraphrase span without the verbatim passage it starts with on one side and ends with
    on the other (narrowed again, see :func:`_anchor`).

    Such a span is most often two passages that a rewrite put in the other order, a copied
    paragraph and a reworded one, taken as one because sentence order inside a paraphrase
    passage does not count. The copy is reported on its own; :func:`dedup.spans.join` puts the
    two back together when nothing stands between them (sentences moved within one passage).
    """
    for e in exact:
        if edited(e) or not touch(span, e):
            continue
        if e.a0 <= span.a0 and e.b1 >= span.b1 and e.a1 < span.a1 and e.b0 > span.b0:
            return _anchor(Span(e.a1, span.a1, span.b0, e.b0, span.hit_a, span.hit_b), terms_a, terms_b)
        if e.b0 <= span.b0 and e.a1 >= span.a1 and e.b1 < span.b1 and e.a0 > span.a0:
            return _anchor(Span(span.a0, e.a0, e.b1, span.b1, span.hit_a, span.hit_b), terms_a, terms_b)
    return span


def _corners(span: Span, ha: np.ndarray, hb: np.ndarray, terms_a: np.ndarray, terms_b: np.ndarray) -> Span | None:
    """A merged span whose corners came from different spans, re-anchored on shared words."""
    if ha[span.a0] == hb[span.b0] and ha[span.a1 - 1] == hb[span.b1 - 1]:
        return span
    return _anchor(span, terms_a, terms_b)


def _uncovered_dice(span: Span, exact: list[Span], ha: np.ndarray, hb: np.ndarray) -> float:
    """Dice of the words of a paraphrase span that no exact passage covers, A side against B side
    (what it adds to them); 1 when it only bridges exact passages it overlaps, adding at most
    :data:`_BRIDGE_WORDS` words on either side."""
    keep_a = np.ones(span.a1 - span.a0, dtype=bool)
    keep_b = np.ones(span.b1 - span.b0, dtype=bool)
    for e in exact:
        if touch(span, e):
            keep_a[max(e.a0, span.a0) - span.a0 : max(0, min(e.a1, span.a1) - span.a0)] = False
            keep_b[max(e.b0, span.b0) - span.b0 : max(0, min(e.b1, span.b1) - span.b0)] = False
    added_a, added_b = ha[span.a0 : span.a1][keep_a], hb[span.b0 : span.b1][keep_b]
    if max(len(added_a), len(added_b)) <= _BRIDGE_WORDS and len(added_a) < len(keep_a):
        return 1.0
    return word_dice(added_a, added_b)


def _figure_mask(text: str, tokens) -> np.ndarray:
    """Which tokens are figures (start with a digit), kept in ``tokens.memo``."""
    return tokens.derived("figure", lambda: _starts_with_digit(text, tokens.starts))


def _figures(text: str, tokens, first: int, end: int) -> np.ndarray:
    """Hashes of the tokens ``[first, end)`` that are figures."""
    return tokens.hashes[first:end][_figure_mask(text, tokens)[first:end]]


def _starts_with_digit(text: str, starts: np.ndarray) -> np.ndarray:
    """``text[i].isdigit()`` for each offset ``i`` in ``starts``, read from the code points at once."""
    first = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)[starts]
    digit = (first >= 48) & (first <= 57)
    for i in np.flatnonzero(first > 127).tolist():  # other scripts' digits, superscripts
        digit[i] = chr(first[i]).isdigit()
    return digit


def _other_figures(span: Span, text_a: str, tokens_a, text_b: str, tokens_b, least: int = _FIGURES) -> bool:
    """Whether the two sides of a span hold ``least`` figures each and share few of them."""
    fa = _figures(text_a, tokens_a, span.a0, span.a1)
    fb = _figures(text_b, tokens_b, span.b0, span.b1)
    return min(len(fa), len(fb)) >= least and word_dice(fa, fb) < 0.5


def _crosses(span: Span, exact: list[Span]) -> bool:
    """Whether a paraphrase span holds most of one side of an exact passage whose other side lies
    outside it: it spans text known to be copied from elsewhere (reordered paragraphs)."""
    for e in exact:
        if min(e.a1 - e.a0, e.b1 - e.b0) < _CROSSED_WORDS:
            continue
        in_a = 2 * (min(span.a1, e.a1) - max(span.a0, e.a0)) >= e.a1 - e.a0
        in_b = 2 * (min(span.b1, e.b1) - max(span.b0, e.b0)) >= e.b1 - e.b0
        meets_a = span.a0 < e.a1 and e.a0 < span.a1
        meets_b = span.b0 < e.b1 and e.b0 < span.b1
        if (in_a and not meets_b) or (in_b and not meets_a):
            return True
    return False


def align(text_a: str, tokens_a, shingles_a: np.ndarray, text_b: str, tokens_b, shingles_b: np.ndarray, *,
          shingle_size: int, min_passage_words: int, max_gap_words: int,
          paraphrase_min_words: int = 0, min_fragment_words: int = 0, look_again: bool = False) -> list[Passage]:
    """Every passage the two texts share, ordered by position in A.

    ``tokens_*`` are :class:`~dedup.normalize.Tokens` of the texts and ``shingles_*`` their
    shingle hashes (one per token position, see :func:`dedup.shingle.shingle_hashes`).
    With ``paraphrase_min_words`` > 0, passages of paraphrased sentences of at least that many
    words (:mod:`dedup.paraphrase`) are found too and merged with the exact ones they overlap.
    Passages shorter than ``min_fragment_words`` are kept only when they are whole sentences
    on both sides. With ``look_again``, a pair this finds nothing in, although it went through
    paraphrase alignment, gets a second, more lenient look (see :data:`_LOOK_SEED`) that keeps
    only passages sharing their words in order.
    """
    options = dict(shingle_size=shingle_size, min_passage_words=min_passage_words, max_gap_words=max_gap_words,
                   paraphrase_min_words=paraphrase_min_words, min_fragment_words=min_fragment_words,
                   look_again=look_again)
    if (len(text_b), text_b) < (len(text_a), text_a):  # one orientation, so align(a, b) mirrors align(b, a)
        mirrored = _align(text_b, tokens_b, shingles_b, text_a, tokens_a, shingles_a, **options)
        return sorted((_swap(p) for p in mirrored), key=lambda p: (p.a_start, p.b_start))
    return _align(text_a, tokens_a, shingles_a, text_b, tokens_b, shingles_b, **options)


def _swap(p: Passage) -> Passage:
    return Passage(a_start=p.b_start, a_end=p.b_end, b_start=p.a_start, b_end=p.a_end, a_text=p.b_text,
                   b_text=p.a_text, similarity=p.similarity)


def _align(text_a: str, tokens_a, shingles_a: np.ndarray, text_b: str, tokens_b, shingles_b: np.ndarray, *,
           shingle_size: int, min_passage_words: int, max_gap_words: int, paraphrase_min_words: int,
           min_fragment_words: int, look_again: bool) -> list[Passage]:
    points = seeds(shingles_a, shingles_b)
    exact = exact_spans(text_a, tokens_a, text_b, tokens_b, points, shingle_size=shingle_size,
                        max_gap_words=max_gap_words)
    paraphrase = bool(paraphrase_min_words) and not _one_phrase(points, exact, min_passage_words, text_a, tokens_a,
                                                                text_b, tokens_b)
    texts = (text_a, tokens_a, text_b, tokens_b)
    spans = _look(*texts, exact, paraphrase_min_words if paraphrase else 0, min_fragment_words, min_passage_words,
                  _REWORDED_SEED)
    if not spans and paraphrase and look_again:
        spans = [s for s in _look(*texts, exact, max(paraphrase_min_words // _LOOK_SHORTER, 1),
                                  min_fragment_words // _LOOK_SHORTER, min_passage_words, _LOOK_SEED)
                 if _kept_on_second_look(s, *texts, min_fragment_words)]
    return [_passage(span, text_a, tokens_a, text_b, tokens_b) for span in spans]


def _look(text_a: str, tokens_a, text_b: str, tokens_b, exact: list[Span], paraphrase_min_words: int,
          min_fragment_words: int, min_passage_words: int, reworded_seed: float) -> list[Span]:
    """The passages of one look at a pair: the exact spans with the paraphrase passages
    (``paraphrase_min_words`` > 0; sentence seeds from ``reworded_seed`` in a pair without a
    verbatim copy), kept by their lengths and finished."""
    spans = exact
    if paraphrase_min_words:
        ha, hb, found = tokens_a.hashes, tokens_b.hashes, []
        terms_a, terms_b = content_terms(text_a, tokens_a), content_terms(text_b, tokens_b)
        fixed = [(s.a0, s.a1, s.b0, s.b1) for s in spans if min(s.a1 - s.a0, s.b1 - s.b0) >= _FIXED_WORDS]
        alike = _COPIED_SEED if _copied(spans) else reworded_seed
        whole = _whole_copy(spans, len(ha), len(hb))
        for s in [] if whole else sentence_spans(text_a, tokens_a, text_b, tokens_b, min_words=paraphrase_min_words,
                                                 fixed=fixed, min_cosine=alike, min_dice=alike):
            hits = round(s.similarity * (s.a1 - s.a0)), round(s.similarity * (s.b1 - s.b0))
            span = _anchor(Span(s.a0, s.a1, s.b0, s.b1, *hits), terms_a, terms_b)
            if span is not None:
                span = _uncrossed(span, spans, terms_a, terms_b)
            # (a summary shares few of its words with the longer side: Dice at most about 0.25)
            if (span is not None and (s.summary or (not _crosses(span, spans)
                                                    and _uncovered_dice(span, spans, ha, hb) >= _MIN_DICE))
                    and not _other_figures(span, text_a, tokens_a, text_b, tokens_b)):
                found.append(span)
        if alike != _COPIED_SEED:
            found.extend(_word_spans(spans, found, text_a, tokens_a, text_b, tokens_b, min_fragment_words))
        spans = [_corners(span, ha, hb, terms_a, terms_b) for span in merge(spans + found)]
        spans = join([span for span in spans if span is not None], ha, hb)
    spans = [s for s in spans if min(s.a1 - s.a0, s.b1 - s.b0) >= min_passage_words]
    long = [s for s in spans if min(s.a1 - s.a0, s.b1 - s.b0) >= min_fragment_words]
    spans = [span for span in spans
            if span in long or _near(span, long) or (_whole_sentences(text_a, tokens_a, span.a0, span.a1)
                                                     and _whole_sentences(text_b, tokens_b, span.b0, span.b1))]
    return _finished(spans, text_a, tokens_a, text_b, tokens_b)


def _kept_on_second_look(span: Span, text_a: str, tokens_a, text_b: str, tokens_b, min_fragment_words: int) -> bool:
    """Whether a passage of the second look shares half its words (as every passage does), its
    content words in order (:func:`_in_order`), and half its figures if each side holds one. A
    verbatim one shorter than the first look's ``min_fragment_words`` is not: the first look has
    judged it (a stock phrase, a list of names)."""
    dice = word_dice(tokens_a.hashes[span.a0 : span.a1], tokens_b.hashes[span.b0 : span.b1])
    if dice < _LOOK_DICE or (dice >= VERBATIM and min(span.a1 - span.a0, span.b1 - span.b0) < min_fragment_words):
        return False
    return (_in_order(span, text_a, tokens_a, text_b, tokens_b)
            and not _other_figures(span, text_a, tokens_a, text_b, tokens_b, least=1))


def _finished(spans: list[Span], text_a: str, tokens_a, text_b: str, tokens_b) -> list[Span]:
    """The last steps on the kept spans: edges widened to sentences, matches of a repeat dropped
    (:func:`dedup.spans.one_place`), then pieces that widening brought next to each other joined
    (sentences moved within one passage now meet at a sentence bound). Joining again after
    widening gave PAN 2013 random edits +0.003 / +0.005 plagdet (tuning / held-out),
    translation +0.003 / +0.001; before dropping repeats, it joined a repeat to the passage
    next to it."""
    ha, hb = tokens_a.hashes, tokens_b.hashes
    return summaries(join(one_place(_widened(spans, text_a, tokens_a, text_b, tokens_b), ha, hb), ha, hb))


def _widened(spans: list[Span], text_a: str, tokens_a, text_b: str, tokens_b) -> list[Span]:
    """Spans with their edited edges widened to whole sentences (:mod:`dedup.edges`), merged
    where they then overlap on both sides (pieces of one passage). A span that overlaps another
    on one side (one text matched twice) is left as it is."""
    if not spans:
        return spans
    fa, fb = features(text_a, tokens_a), features(text_b, tokens_b)
    wide = []
    for n, span in enumerate(spans):
        if any(meets(span, other) for m, other in enumerate(spans) if m != n):
            wide.append(span)
            continue
        a0, a1, b0, b1 = widen((span.a0, span.a1, span.b0, span.b1), fa, fb, tokens_a.hashes, tokens_b.hashes)
        wide.append(Span(a0, a1, b0, b1, span.hit_a, span.hit_b))
    return merge(wide)


def _near(span: Span, others: list[Span]) -> bool:
    """Whether another passage lies within ``_CONTEXT_WORDS`` of ``span`` on both sides."""
    def gap(x0, x1, y0, y1):
        return max(0, max(x0, y0) - min(x1, y1))
    return any(gap(span.a0, span.a1, o.a0, o.a1) <= _CONTEXT_WORDS and gap(span.b0, span.b1, o.b0, o.b1) <= _CONTEXT_WORDS
               for o in others)


def _whole_sentences(text: str, tokens, first: int, end: int) -> bool:
    """Whether tokens ``[first, end)`` start and end at sentence (or paragraph) boundaries."""
    starts = first == 0 or _boundary_after(text, tokens, first - 1)
    return starts and (end == len(tokens) or _boundary_after(text, tokens, end - 1))




def _passage(span: Span, text_a: str, ta, text_b: str, tb) -> Passage:
    a_start, b_start = int(ta.starts[span.a0]), int(tb.starts[span.b0])
    a_end = _extend_end(text_a, int(ta.ends[span.a1 - 1]))
    b_end = _extend_end(text_b, int(tb.ends[span.b1 - 1]))
    # the share of the two sides' words that the other side holds too (Dice, with repeats): the
    # spans' matched-word counts estimate it for alignment's rules, but add up where spans merge
    similarity = word_dice(ta.hashes[span.a0 : span.a1], tb.hashes[span.b0 : span.b1])
    return Passage(a_start=a_start, a_end=a_end, b_start=b_start, b_end=b_end,
                   a_text=text_a[a_start:a_end], b_text=text_b[b_start:b_end], similarity=round(similarity, 4))
