"""Paraphrase alignment: passages whose words were shuffled, replaced or translated back and forth.

Exact seeds (shared shingles, :mod:`dedup.align`) vanish when nearly every fifth word of a passage
was edited. This stage follows the sentence-based text alignment of Sanchez-Perez, Sidorov and
Gelbukh (PAN 2014):

1. **Sentences.** Each text is cut at sentence ends and line breaks (token coordinates).
2. **Seeds.** Every sentence of A is compared with every sentence of B by tf-idf cosine and Dice
   over content words (stopwords dropped, light stemming, inverse *sentence* frequency over both
   texts). A sentence pair above both thresholds is a seed ``(i, j)``.
3. **Extension.** Seeds are clustered: sorted by A sentence, cut where two neighbours are more
   than ``max_gap`` sentences apart, then the same in B order, until stable. Sentence order
   inside a passage does not matter (random obfuscation shuffles it). A cluster whose two sides
   are not similar as wholes is split again with a smaller gap. A cluster's outermost sentence
   on one side is let go when it lies apart from the others and each of its seeds pairs it with
   a sentence that has a seed at least as strong elsewhere in the cluster (:func:`_trimmed`).
4. **Summaries.** A run of sentences on one side whose seeds are scattered over a stretch of the
   other side several times as long is one passage too (Sanchez-Perez et al. treat summaries
   apart as well): the clustering above cuts it into pieces.
5. **Filtering.** Clusters overlapping a stronger one on either side are dropped (a repeated
   source text is matched once), and so are clusters shorter than ``min_words``.

All work is sparse matrix algebra, on plain arrays of nonzero entries, over the sentences of one
pair; per-text features (:mod:`dedup.sentences`) are cached. A process that runs the compiled
kernels (:mod:`dedup.compiled`) takes them for the seeds and for steps 3 and 4, with the same
results to the bit.

>>> a = "Farmers grew rice on small plots. They still relied on good harvests for food."
>>> b = "On small plots the farmers grew rice. For food they still relied on harvests that were good."
>>> from dedup.normalize import tokenize_array
>>> [(s.a0, s.a1, s.b0, s.b1) for s in sentence_spans(a, tokenize_array(a), b, tokenize_array(b), min_words=4)]
[(0, 14, 0, 17)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .arrays import equal_pairs
from .compiled import PAIR_MINIMUM, use_kernels
from .normalize import Tokens
from .sentences import Entries, TextFeatures, features

__all__ = ["SentenceSpan", "TextFeatures", "features", "sentence_spans"]


@dataclass(frozen=True)
class SentenceSpan:
    """A paraphrased passage: tokens ``[a0, a1)`` of A and ``[b0, b1)`` of B, with its cosine, its
    number of seed sentence pairs, and whether one side summarises the other."""

    a0: int
    a1: int
    b0: int
    b1: int
    similarity: float
    seeds: int
    summary: bool = False


def _split(seeds: np.ndarray, column: int, max_gap: int) -> list[np.ndarray]:
    """Cut seeds, sorted on ``column``, wherever neighbours are more than ``max_gap`` apart.

    Seeds with no such gap come back as one group as they are (order inside a group is of no
    consequence), which spares sorting them.
    """
    values = seeds[:, column]
    if len(seeds) < 2 or int(values.max()) - int(values.min()) <= max_gap:
        return [seeds]
    ordered = seeds[np.lexsort((seeds[:, 1 - column], seeds[:, column]))]
    cuts = np.flatnonzero(np.diff(ordered[:, column]) > max_gap) + 1
    return np.split(ordered, cuts)


def _cluster(seeds: np.ndarray, max_gap: int) -> list[np.ndarray]:
    """Group seeds that lie within ``max_gap`` sentences of each other on both sides."""
    groups, column = [seeds], 0
    while True:
        split = [part for g in groups for part in _split(g, column, max_gap)]
        if len(split) == len(groups) and column == 1:
            return split
        stable = len(split) == len(groups)
        groups, column = split, 1 - column
        if stable and column == 0:
            return groups


@dataclass(frozen=True, eq=False)
class _Pair:
    """What extension needs about one pair: content-word codes per side (in text order, so
    sentence ranges are slices), their sentences, and the isf weights."""

    codes_a: np.ndarray
    sent_a: np.ndarray
    codes_b: np.ndarray
    sent_b: np.ndarray
    isf: np.ndarray

    def vector(self, codes: np.ndarray, sentence: np.ndarray, first: int, last: int) -> np.ndarray:
        lo, hi = np.searchsorted(sentence, first, "left"), np.searchsorted(sentence, last, "right")
        return np.bincount(codes[lo:hi], minlength=len(self.isf)) * self.isf

    def cosine(self, group: np.ndarray) -> float:
        """Cosine of the tf-idf vectors of the whole A and B sentence ranges of a seed group."""
        va = self.vector(self.codes_a, self.sent_a, int(group[:, 0].min()), int(group[:, 0].max()))
        vb = self.vector(self.codes_b, self.sent_b, int(group[:, 1].min()), int(group[:, 1].max()))
        denom = np.linalg.norm(va) * np.linalg.norm(vb)
        return float(va @ vb / denom) if denom else 0.0


def _frequency(e: Entries, other: Entries) -> np.ndarray:
    """How many sentences of both texts hold each term of ``e``'s vocabulary (both non-empty)."""
    at = np.minimum(np.searchsorted(other.vocab, e.vocab), len(other.vocab) - 1)
    return e.frequency + np.where(other.vocab[at] == e.vocab, other.frequency[at], 0)


def _unit_rows(f: TextFeatures, isf: np.ndarray) -> np.ndarray:
    """Entry values weighted by their term's ``isf`` and scaled so that each sentence's vector has
    unit length. Sums run over the entries in term order within a sentence, as a CSR row sum does."""
    e = f.entries
    w = e.count * isf[e.vocab_index]
    norms = np.sqrt(np.bincount(e.sentence, weights=w * w, minlength=f.sentences))
    return w / np.maximum(norms, 1e-12)[e.sentence]


# Sentence pairs are tallied in a dense table up to this size, and by sorting beyond it.
_DENSE_CELLS = 1 << 16


def _tally(cells: np.ndarray, weights: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``cells`` with the sum of their ``weights`` (added in array order) and their count."""
    if size <= _DENSE_CELLS:
        counts = np.bincount(cells, minlength=size)
        found = np.flatnonzero(counts)
        return found, np.bincount(cells, weights=weights, minlength=size)[found], counts[found]
    found, slot = np.unique(cells, return_inverse=True)
    return found, np.bincount(slot, weights=weights), np.bincount(slot)


# A seed carries its cosine as an integer in millionths, so that seeds stay one integer array
# through clustering and filtering, and ties stay ties.
_STRENGTH_SCALE = 1_000_000


def _seeds(fa: TextFeatures, fb: TextFeatures, min_cosine: float, min_dice: float) -> np.ndarray:
    """Sentence pairs ``(i, j, strength)`` similar enough by tf-idf cosine and by Dice of their
    terms; ``strength`` is their cosine in millionths (:data:`_STRENGTH_SCALE`).

    Each pair of entries with the same term adds one product to the cosine of its two sentences
    and one shared term to their Dice; the products of a sentence pair are summed in term order,
    as in a CSR product ``A @ B.T``.
    """
    ea, eb = fa.entries, fb.entries
    total = fa.sentences + fb.sentences
    compiled = use_kernels(len(ea.term) + len(eb.term), PAIR_MINIMUM)
    if compiled:
        from .kernels import sentence_frequencies, sentence_seeds

        frequency_a, frequency_b = sentence_frequencies(ea.vocab, ea.frequency, eb.vocab, eb.frequency)
    else:
        frequency_a, frequency_b = _frequency(ea, eb), _frequency(eb, ea)
    # (the logarithms are numpy's on both paths, so that both give the same isf to the bit)
    isf_a, isf_b = np.log(total / np.maximum(frequency_a, 1)), np.log(total / np.maximum(frequency_b, 1))
    if compiled:
        i, j, cos = sentence_seeds(ea.term, ea.sentence, ea.count, ea.vocab_index, isf_a, ea.size, eb.term,
                                   eb.sentence, eb.count, eb.vocab_index, isf_b, eb.size, eb.by_term, _DENSE_CELLS,
                                   min_cosine, min_dice)
    else:
        ua, ub = _unit_rows(fa, isf_a), _unit_rows(fb, isf_b)
        width = fb.sentences
        p, q = equal_pairs(ea.term, eb.term, order=eb.by_term)
        cells, cos, shared = _tally(ea.sentence[p] * width + eb.sentence[q], ua[p] * ub[q], fa.sentences * width)
        i, j = cells // width, cells % width
        dice = 2 * shared / np.maximum(ea.size[i] + eb.size[j], 1)
        keep = (cos >= min_cosine) & (dice >= min_dice)
        i, j, cos = i[keep], j[keep], cos[keep]
    return np.column_stack([i, j, np.round(cos * _STRENGTH_SCALE)]).astype(np.int64)


def _pair(fa: TextFeatures, fb: TextFeatures) -> _Pair:
    """Both texts' content words as codes of their joint vocabulary, with its isf."""
    ea, eb = fa.entries, fb.entries
    vocab = np.union1d(ea.vocab, eb.vocab)
    df = np.zeros(len(vocab), dtype=np.int64)
    df[np.searchsorted(vocab, ea.vocab)] += ea.frequency
    df[np.searchsorted(vocab, eb.vocab)] += eb.frequency
    codes_a, codes_b = np.searchsorted(vocab, fa.terms), np.searchsorted(vocab, fb.terms)
    isf = np.log((fa.sentences + fb.sentences) / np.maximum(df, 1))
    return _Pair(codes_a, fa.term_sentence, codes_b, fb.term_sentence, isf)


@dataclass(frozen=True, eq=False)
class _Joint:
    """:class:`_Pair` for the kernels: each text's entries (:class:`dedup.sentences.Entries`: a
    sentence's terms with their counts) with their term as a code of the joint vocabulary, and
    its isf. A kernel that made :class:`_Pair`'s codes looked up each word by binary search: 34 µs
    a pair at 20k, where this walk of the two vocabularies takes 7."""

    sentence_a: np.ndarray
    count_a: np.ndarray
    code_a: np.ndarray
    sentence_b: np.ndarray
    count_b: np.ndarray
    code_b: np.ndarray
    isf: np.ndarray


def _joint(fa: TextFeatures, fb: TextFeatures) -> _Joint:
    """The :class:`_Joint` of two texts, with the isf of :func:`_pair` to the bit."""
    from .kernels import joint_entry_codes

    ea, eb = fa.entries, fb.entries
    code_a, code_b, df = joint_entry_codes(ea.vocab, ea.frequency, ea.vocab_index, eb.vocab, eb.frequency,
                                           eb.vocab_index)
    isf = np.log((fa.sentences + fb.sentences) / np.maximum(df, 1))
    return _Joint(ea.sentence, ea.count, code_a, eb.sentence, eb.count, code_b, isf)


def _extend(seeds, pair: _Pair, max_gap: int, min_fragment_cosine: float) -> list[tuple[np.ndarray, float]]:
    """Clusters of seeds whose whole fragments are similar; weak clusters are re-cut tighter."""
    found = []
    for group in _cluster(seeds, max_gap):
        similarity = pair.cosine(group)
        if similarity >= min_fragment_cosine or max_gap == 0:
            found.append((group, similarity))
        else:
            found.extend(_extend(group, pair, max_gap - 1, min_fragment_cosine))
    return found


# A cluster's outermost sentence on one side is let go (see _trimmed) only when more than this
# many sentences lie between it and the next sentence of the cluster on that side. Measured on
# PAN 2013 (tuning half, gold pairs aligned one by one), against no trimming: random edits (03)
# 0.895 -> 0.898 plagdet (precision 0.927 -> 0.935), translation (04) 0.899 -> 0.905, summaries
# (05) 0.409 -> 0.408, verbatim (02) equal; held-out 03 +0.004, 04 +0.010. Trimming next to the
# cluster's other sentences too (0 here) gave 03 0.895; 2 gave 0.896. Keeping only seeds that are
# the strongest of both their sentences, before clustering, gave 03 0.886 and 05 0.398 (random
# edits and summaries split and join sentences, so one sentence has two true partners). With at
# least two seeds left, as now: 03 0.898 / 0.905 (tuning / held-out), 04 0.904 / 0.910, 05
# 0.409 / 0.402.
_TRIM_GAP = 1


def _trimmed(group: np.ndarray) -> np.ndarray:
    """A seed cluster without the outermost sentences that only look alike.

    The seeds of one sentence are often several: a short or topical sentence resembles more
    than one sentence of the other side. When such a look-alike lies a few sentences beyond the
    reused passage, it stretches the cluster's side over text that was not reused. So an
    outermost sentence on one side is let go, again and again, when it lies more than
    :data:`_TRIM_GAP` sentences from the cluster's next one there and each of its seeds pairs
    it with a sentence that has a seed at least as strong elsewhere in the cluster (its true
    partner). At least two seeds stay: one sentence pair alone does not tell a partner from a
    look-alike (a news story and another outlet's different story of one event, each with one
    sentence on one fact, became a passage: news-reuse tuning pair F1 0.989 -> 0.983).

    >>> group = np.array([[0, 0, 900], [1, 1, 800], [4, 1, 500]])  # sentence 4 of A: a look-alike
    >>> _trimmed(group).tolist()
    [[0, 0, 900], [1, 1, 800]]
    >>> _trimmed(np.array([[0, 0, 900], [4, 0, 500]])).tolist()  # one seed would be left
    [[0, 0, 900], [4, 0, 500]]
    """
    while len(group) > 2:
        loose = _loose_edge(group)
        if loose is None or np.count_nonzero(~loose) < 2:
            break
        group = group[~loose]
    return group


def _loose_edge(group: np.ndarray) -> np.ndarray | None:
    """Which seeds hold an outermost sentence that :func:`_trimmed` lets go, if any."""
    for side in (0, 1):
        sentences = np.unique(group[:, side])
        if len(sentences) < 2:
            continue
        for edge, inner in ((sentences[-1], sentences[-2]), (sentences[0], sentences[1])):
            if abs(int(edge) - int(inner)) <= _TRIM_GAP:
                continue
            at = group[:, side] == edge
            rest = group[~at]
            if all(_partnered(seed, rest, 1 - side) for seed in group[at]):
                return at
    return None


def _partnered(seed: np.ndarray, rest: np.ndarray, side: int) -> bool:
    """Whether ``seed``'s sentence on ``side`` has a seed at least as strong among ``rest``."""
    strengths = rest[rest[:, side] == seed[side], 2]
    return len(strengths) > 0 and int(strengths.max()) >= int(seed[2])


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _filter(spans: list[SentenceSpan], min_words: int) -> list[SentenceSpan]:
    """Strongest first; drop spans that overlap a kept one on either side, and short ones."""
    kept: list[SentenceSpan] = []
    for span in sorted(spans, key=lambda s: (-s.seeds * s.similarity, s.a0, s.b0)):
        if min(span.a1 - span.a0, span.b1 - span.b0) < min_words:
            continue
        if any(_overlap(span.a0, span.a1, k.a0, k.a1) or _overlap(span.b0, span.b1, k.b0, k.b1) for k in kept):
            continue
        kept.append(span)
    return sorted(kept, key=lambda s: (s.a0, s.b0))


def _reach(f: TextFeatures, sentences: np.ndarray) -> int:
    """Words from the first to the last of ``sentences``."""
    return int(f.bounds[sentences.max() + 1] - f.bounds[sentences.min()])


def _consistent(points: np.ndarray, fa: TextFeatures, fb: TextFeatures, fixed: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Drop seeds that contradict a verbatim passage: a sentence mostly inside a fixed passage
    (token span ``(a0, a1, b0, b1)``) is aligned where it was copied to, so a seed pairing it with
    a sentence outside the passage's other side is a look-alike (a later sentence on the same
    topic), not reuse."""
    if not fixed or len(points) == 0:
        return points
    if use_kernels(len(points), PAIR_MINIMUM):
        from .kernels import consistent_seeds

        return points[consistent_seeds(points, fa.bounds, fb.bounds, np.array(fixed, dtype=np.int64))]
    a_lo, a_hi = fa.bounds[points[:, 0]], fa.bounds[points[:, 0] + 1]
    b_lo, b_hi = fb.bounds[points[:, 1]], fb.bounds[points[:, 1] + 1]
    keep = np.ones(len(points), dtype=bool)
    for a0, a1, b0, b1 in fixed:
        inside_a = 2 * (np.minimum(a_hi, a1) - np.maximum(a_lo, a0)) >= a_hi - a_lo
        inside_b = 2 * (np.minimum(b_hi, b1) - np.maximum(b_lo, b0)) >= b_hi - b_lo
        meets_a = (a_lo < a1) & (a0 < a_hi)
        meets_b = (b_lo < b1) & (b0 < b_hi)
        keep &= ~(inside_a & ~meets_b) & ~(inside_b & ~meets_a)
    return points[keep]


# A summary: a run of sentences on one side (seeds at most _SUMMARY_GAP sentences apart), of at
# least _SUMMARY_SENTENCES sentences, matched to sentences scattered over a stretch of the other
# side _SUMMARY_RATIO times as long (in words), fewer than _SUMMARY_ADJACENT of them right after
# another one (a reused passage, even edited, keeps its sentences together). Measured on PAN 2013
# (tuning, gold pairs aligned one by one): summaries (05) 0.195 -> 0.349 plagdet; 03, 04 and 02
# within 0.001. Without the scatter rule and the upper ratio, 05 reached 0.367 but 03 lost 0.004
# and 04 0.006 (look-alike sentences far apart taken as a summary of a reused passage).
_SUMMARY_GAP = 1
_SUMMARY_SENTENCES = 3
_SUMMARY_RATIO = (3, 12)
_SUMMARY_ADJACENT = 0.5


def _summaries(points: np.ndarray, pair: _Pair, fa: TextFeatures, fb: TextFeatures,
               min_fragment_cosine: float) -> list[SentenceSpan]:
    """Passages where a run of sentences on one side summarises a longer stretch of the other."""
    found = []
    for short in (0, 1):
        for group in _split(points, short, _SUMMARY_GAP):
            if len(np.unique(group[:, short])) < _SUMMARY_SENTENCES:
                continue
            i0, i1 = int(group[:, 0].min()), int(group[:, 0].max())
            j0, j1 = int(group[:, 1].min()), int(group[:, 1].max())
            words = int(fa.bounds[i1 + 1] - fa.bounds[i0]), int(fb.bounds[j1 + 1] - fb.bounds[j0])
            low, high = _SUMMARY_RATIO
            if not low * words[short] <= words[1 - short] <= high * words[short]:
                continue
            if np.mean(np.diff(np.unique(group[:, 1 - short])) == 1) >= _SUMMARY_ADJACENT:
                continue
            similarity = pair.cosine(group)
            if similarity >= min_fragment_cosine:
                found.append(SentenceSpan(int(fa.bounds[i0]), int(fa.bounds[i1 + 1]), int(fb.bounds[j0]),
                                          int(fb.bounds[j1 + 1]), round(similarity, 4), len(group), summary=True))
    return found


def sentence_spans(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens, *, min_words: int,
                   min_cosine: float = 0.33, min_dice: float = 0.33, max_gap: int = 4,
                   min_fragment_cosine: float = 0.34,
                   fixed: list[tuple[int, int, int, int]] = ()) -> list[SentenceSpan]:
    """Passages of whole sentences that the two texts share in meaning, strongest kept on overlap.

    Parameters
    ----------
    min_words : int
        Shortest passage kept, in words, on both sides.
    min_cosine, min_dice : float
        How similar two sentences must be (tf-idf cosine, and Dice of their content words) to
        seed a passage.
    max_gap : int
        Most sentences between two seeds of one passage, on either side.
    min_fragment_cosine : float
        Tf-idf cosine the two sides of a passage must reach as wholes.
    """
    fa, fb = features(text_a, tokens_a), features(text_b, tokens_b)
    if len(fa.terms) == 0 or len(fb.terms) == 0:
        return []
    points = _consistent(_seeds(fa, fb, min_cosine, min_dice), fa, fb, list(fixed))
    if len(points) == 0 or min(_reach(fa, points[:, 0]), _reach(fb, points[:, 1])) < min_words:
        return []  # every passage lies within the sentences the seeds reach: too short
    if use_kernels(len(fa.terms) + len(fb.terms), PAIR_MINIMUM):
        spans = _compiled_spans(points, _joint(fa, fb), fa, fb, max_gap, min_fragment_cosine)
    else:
        spans = _numpy_spans(points, _pair(fa, fb), fa, fb, max_gap, min_fragment_cosine)
    return _filter(spans, min_words)


def _numpy_spans(points: np.ndarray, pair: _Pair, fa: TextFeatures, fb: TextFeatures, max_gap: int,
                 min_fragment_cosine: float) -> list[SentenceSpan]:
    """The passages of the seeds ``points``, before filtering: clusters (trimmed) and summaries."""
    spans = []
    for group, similarity in _extend(points, pair, max_gap, min_fragment_cosine):
        trimmed = _trimmed(group)
        if len(trimmed) < len(group):
            group, similarity = trimmed, pair.cosine(trimmed)
        i0, i1 = int(group[:, 0].min()), int(group[:, 0].max())
        j0, j1 = int(group[:, 1].min()), int(group[:, 1].max())
        spans.append(SentenceSpan(int(fa.bounds[i0]), int(fa.bounds[i1 + 1]), int(fb.bounds[j0]),
                                  int(fb.bounds[j1 + 1]), round(similarity, 4), len(group)))
    spans.extend(_summaries(points, pair, fa, fb, min_fragment_cosine))
    return spans


def _compiled_spans(points: np.ndarray, pair: _Joint, fa: TextFeatures, fb: TextFeatures, max_gap: int,
                    min_fragment_cosine: float) -> list[SentenceSpan]:
    """:func:`_numpy_spans` with the kernels, to the bit: the clustering, the trimming and the
    summaries' tests run compiled, and the cosines of a batch of seed groups are computed
    together (:func:`_cosines`)."""
    clusters = _compiled_extend(points, np.arange(len(points)), pair, max_gap, min_fragment_cosine)
    return [_span(fa, fb, *cluster) for cluster in clusters] + _compiled_summaries(points, pair, fa, fb,
                                                                                   min_fragment_cosine)


def _compiled_summaries(points: np.ndarray, pair: _Joint, fa: TextFeatures, fb: TextFeatures,
                        min_fragment_cosine: float) -> list[SentenceSpan]:
    """:func:`_summaries` with the kernels."""
    from .kernels import summary_groups

    low, high = _SUMMARY_RATIO
    seeds, ranges = summary_groups(points, fa.bounds, fb.bounds, _SUMMARY_GAP, _SUMMARY_SENTENCES, low, high,
                                   _SUMMARY_ADJACENT)
    if len(ranges) == 0:  # (all but 3 of the 20k benchmark's 2,861 pairs that reach this step)
        return []
    return [_span(fa, fb, sentences, n, similarity, summary=True)
            for sentences, n, similarity in zip(ranges.tolist(), seeds.tolist(), _cosines(pair, ranges))
            if similarity >= min_fragment_cosine]


def _span(fa: TextFeatures, fb: TextFeatures, sentences: list[int], seeds: int, similarity: float,
          summary: bool = False) -> SentenceSpan:
    """The passage of the sentences ``(i0, i1, j0, j1)``, first and last on each side."""
    i0, i1, j0, j1 = sentences
    return SentenceSpan(int(fa.bounds[i0]), int(fa.bounds[i1 + 1]), int(fb.bounds[j0]), int(fb.bounds[j1 + 1]),
                        round(similarity, 4), seeds, summary)


def _compiled_extend(points: np.ndarray, rows: np.ndarray, pair: _Joint, max_gap: int,
                     min_fragment_cosine: float) -> list[tuple[list[int], int, float]]:
    """:func:`_extend` of the seeds ``rows`` of ``points``, then :func:`_trimmed` of each cluster, with
    the kernels: each cluster's sentence range ``(i0, i1, j0, j1)``, number of seeds and cosine."""
    from .kernels import seed_clusters

    members, starts, ranges, kept, trimmed = seed_clusters(points, rows, max_gap, _TRIM_GAP)
    # The trimmed clusters' cosines come in the same batch, even for clusters that are cut again
    # (in 159 of the 20k benchmark's 2,861 pairs that reach this step): a second batch would cost more.
    cosines, ranges = _cosines(pair, ranges), ranges.tolist()
    found = []
    for g, (seeds, t) in enumerate(zip(kept.tolist(), trimmed.tolist())):
        if cosines[g] >= min_fragment_cosine or max_gap == 0:
            found.append((ranges[t], seeds, cosines[t]))
        else:
            found.extend(_compiled_extend(points, members[starts[g]:starts[g + 1]], pair, max_gap - 1,
                                          min_fragment_cosine))
    return found


# Seed groups whose tf-idf vectors (vocabulary-long rows) are made in one kernel call, at most this
# many values a side: one call for any pair of news articles (a few groups of about 500 terms).
_VECTOR_CELLS = 1 << 18


def _cosines(pair: _Joint, ranges: np.ndarray) -> list[float]:
    """:meth:`_Pair.cosine` of each seed group given by its sentence range ``(i0, i1, j0, j1)``,
    to the bit.

    The kernel makes the vectors (counts times isf, as ``np.bincount(...) * isf``); numpy sums
    their products: ``np.matmul`` of stacks of single vectors computes each row's sum with BLAS's
    dot product, as ``va @ vb`` and ``np.linalg.norm`` (``sqrt(x.dot(x))``) do, whose order of
    additions (several partial sums) a loop in the kernel would not follow. The few square roots
    and quotients are Python's, correctly rounded as numpy's are.
    """
    from .kernels import range_vectors

    found = []
    step = max(1, _VECTOR_CELLS // len(pair.isf))
    for start in range(0, len(ranges), step):
        rows = range_vectors(ranges[start:start + step], pair.sentence_a, pair.count_a, pair.code_a, pair.sentence_b,
                             pair.count_b, pair.code_b, pair.isf)
        groups = len(rows) // 2  # A's vectors, then B's
        norms = [math.sqrt(s) for s in np.matmul(rows[:, None, :], rows[:, :, None]).ravel().tolist()]
        dots = np.matmul(rows[:groups, None, :], rows[groups:, :, None]).ravel().tolist()
        found += [dot / (a * b) if a * b else 0.0 for dot, a, b in zip(dots, norms[:groups], norms[groups:])]
    return found
