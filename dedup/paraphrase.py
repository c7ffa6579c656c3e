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
   are not similar as wholes is split again with a smaller gap.
4. **Filtering.** Clusters overlapping a stronger one on either side are dropped (a repeated
   source text is matched once), and so are clusters shorter than ``min_words``.

All work is sparse matrix algebra (as plain arrays of nonzero entries) over the sentences of one
pair; per-text features are cached.

>>> a = "Farmers grew rice on small plots. They still relied on good harvests for food."
>>> b = "On small plots the farmers grew rice. For food they still relied on harvests that were good."
>>> [(s.a0, s.a1, s.b0, s.b1) for s in sentence_spans(a, tokenize_array(a), b, tokenize_array(b), min_words=4)]
[(0, 14, 0, 17)]
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import xxhash

from .arrays import equal_pairs
from .normalize import Tokens, normalize_token, tokenize_array

__all__ = ["SentenceSpan", "TextFeatures", "features", "sentence_spans"]

_SENTENCE_END = re.compile(r"[.!?;:][\"'”’)\]]*\s")
# Where _SENTENCE_END matches, found in one pass (the closers and space are only looked at, so
# no match hides another).
_SENTENCE_MARK = re.compile(r"[.!?;:](?=[\"'”’)\]]*\s)")
_LINE_BREAK = re.compile(r"\n")
_SUFFIXES = ("ingly", "ings", "ing", "edly", "ed", "ies", "es", "ly", "s")
_STEM_CHARS = 6
_CACHE_SIZE = 512
# English function words: they carry no content, so they give no evidence of reuse.
_STOP = frozenset("""
a about above after again against all almost also although always am among an and another any
are around as at be became because become been before being below between both but by can cannot
could did do does doing done down during each either else enough etc even ever every few for from
further had has have having he her here hers herself him himself his how however i ie if in into
is it its itself just many may me might more most much must my myself neither no nor not now of
off often on once one only onto or other others otherwise our ours ourselves out over own per
rather said same say says she should since so some still such than that the their theirs them
themselves then there therefore these they this those though through thus to together too toward
towards under until up upon us very via was we well were what whatever when where whether which
while who whom whose why will with within without would yet you your yours yourself
""".split())


def stem(key: str) -> str:
    """A light stemmer: strip one common English suffix, then keep the first six letters.

    >>> stem("governments"), stem("governing"), stem("farming")
    ('govern', 'govern', 'farm')
    """
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            key = key[: -len(suffix)]
            break
    return key[:_STEM_CHARS]


@dataclass(frozen=True, eq=False)
class TextFeatures:
    """One text's sentences and content words, in token coordinates.

    ``bounds[s]:bounds[s + 1]`` are the tokens of sentence ``s``; ``terms`` and ``term_sentence``
    list every content word (stem hash) and the sentence it is in.
    """

    bounds: np.ndarray
    terms: np.ndarray
    term_sentence: np.ndarray

    @property
    def sentences(self) -> int:
        return len(self.bounds) - 1


def _boundaries(text: str, tokens: Tokens) -> np.ndarray:
    """Token indices where a new sentence starts (always including 0 and ``len(tokens)``).

    A sentence ends after token ``t`` when the gap before token ``t + 1`` holds a line break, or
    starts with sentence punctuation and a space, unless token ``t`` looks like an abbreviation
    (``Mr.``, ``U.S.``) and the punctuation is a period. The text is searched once for both
    kinds of mark, and each mark is placed in its gap by binary search.
    """
    starts, ends = tokens.starts, tokens.ends
    count = len(starts)
    if count == 0:
        return np.zeros(1, dtype=np.int64)
    breaks = np.array([m.start() for m in _LINE_BREAK.finditer(text)], dtype=np.int64)
    after = np.searchsorted(ends, breaks, side="right") - 1  # the token before each line break
    marks = np.array([m.start() for m in _SENTENCE_MARK.finditer(text)], dtype=np.int64)
    t = np.minimum(np.searchsorted(ends, marks), count - 1)
    opening = (t < count - 1) & (ends[t] == marks)  # the mark opens the gap after token t
    cuts = after[(after >= 0) & (after < count - 1)].tolist()
    for token, mark in zip(t[opening].tolist(), marks[opening].tolist()):
        word = text[starts[token] : ends[token]]
        if not (len(word) <= 3 and (word[:1].isupper() or "." in word)) or text[mark] in "!?;:":
            cuts.append(token)
    return np.unique(np.array([-1, *cuts, count - 1], dtype=np.int64)) + 1


def _boundaries_slow(text: str, tokens: Tokens) -> np.ndarray:
    """:func:`_boundaries` gap by gap: the reference the fast form is tested against."""
    cuts = [0]
    starts, ends = tokens.starts.tolist(), tokens.ends.tolist()
    for t in range(len(starts) - 1):
        gap = text[ends[t] : starts[t + 1]]
        if "\n" in gap:
            cuts.append(t + 1)
        elif _SENTENCE_END.match(gap):
            word = text[starts[t] : ends[t]]
            if not (len(word) <= 3 and (word[:1].isupper() or "." in word)) or gap[0] in "!?;:":
                cuts.append(t + 1)
    cuts.append(len(starts))
    return np.unique(np.array(cuts, dtype=np.int64))


_features_cache: OrderedDict[str, TextFeatures] = OrderedDict()
_term_cache: dict[int, int] = {}  # token key hash -> term


def _term(raw: str) -> int:
    """Hash of the stem of a raw word, 0 for a function word or a one- or two-letter word."""
    key = normalize_token(raw)
    content = key not in _STOP and (len(key) >= 3 or key.isdigit())
    return xxhash.xxh3_64_intdigest(stem(key).encode("utf-8")) | 1 if content else 0


def _terms(text: str, tokens: Tokens) -> np.ndarray:
    """:func:`_term` of every token. A term depends on the normalised key alone, so it is looked
    up by the key's hash, and only words never seen before are stemmed."""
    hashes = tokens.hashes.tolist()
    values = list(map(_term_cache.get, hashes))
    if None in values:
        if len(_term_cache) >= 1_000_000:
            _term_cache.clear()
        starts, ends = tokens.starts.tolist(), tokens.ends.tolist()
        for t in [t for t, value in enumerate(values) if value is None]:
            value = _term_cache.get(hashes[t])
            if value is None:
                value = _term_cache[hashes[t]] = _term(text[starts[t] : ends[t]])
            values[t] = value
    return np.fromiter(values, dtype=np.uint64, count=len(values))


def features(text: str, tokens: Tokens | None = None) -> TextFeatures:
    """The :class:`TextFeatures` of ``text`` (cached: alignment meets each text many times)."""
    found = _features_cache.get(text)
    if found is not None:
        _features_cache.move_to_end(text)
        return found
    tokens = tokens if tokens is not None else tokenize_array(text)
    bounds = _boundaries(text, tokens) if len(tokens) else np.array([0], dtype=np.int64)
    terms = _terms(text, tokens)
    sentence_of = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    content = terms != 0
    found = TextFeatures(bounds, terms[content], sentence_of[content])
    _features_cache[text] = found
    if len(_features_cache) > _CACHE_SIZE:
        _features_cache.popitem(last=False)
    return found


@dataclass(frozen=True)
class SentenceSpan:
    """A paraphrased passage: tokens ``[a0, a1)`` of A and ``[b0, b1)`` of B, with its cosine."""

    a0: int
    a1: int
    b0: int
    b1: int
    similarity: float
    seeds: int


def _entries(sentence: np.ndarray, codes: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One text's sentence-by-term count matrix as its nonzero entries in row-major order:
    ``(sentence, term code, count)``."""
    keys, counts = np.unique(sentence * width + codes, return_counts=True)
    return keys // width, keys % width, counts


def _matrices(fa: TextFeatures, fb: TextFeatures):
    """Sentence-by-term count entries of both texts over their joint vocabulary, the isf, and
    every content word's vocabulary code.

    Plain arrays rather than scipy sparse matrices: for two articles of a few dozen sentences,
    building sparse matrix objects costs far more than the arithmetic.
    """
    vocab, codes = np.unique(np.concatenate([fa.terms, fb.terms]), return_inverse=True)
    ca, cb = codes[: len(fa.terms)], codes[len(fa.terms) :]
    ea, eb = _entries(fa.term_sentence, ca, len(vocab)), _entries(fb.term_sentence, cb, len(vocab))
    df = np.bincount(ea[1], minlength=len(vocab)) + np.bincount(eb[1], minlength=len(vocab))
    isf = np.log((fa.sentences + fb.sentences) / np.maximum(df, 1))
    return ea, eb, isf, ca, cb


def _unit_rows(entries: tuple[np.ndarray, np.ndarray, np.ndarray], weights: np.ndarray, rows: int) -> np.ndarray:
    """Values of the entries weighted by ``weights`` and scaled so that each row has unit length
    (empty rows stay zero). Row sums run in entry order, as a CSR row sum does."""
    row, col, count = entries
    w = count * weights[col]
    norms = np.sqrt(np.bincount(row, weights=w * w, minlength=rows))
    return w / np.maximum(norms, 1e-12)[row]


def _seeds(ea, eb, isf: np.ndarray, sentences: tuple[int, int], min_cosine: float, min_dice: float) -> np.ndarray:
    """Sentence pairs ``(i, j)`` similar enough by tf-idf cosine and by Dice.

    Each pair of entries with the same term code adds one product to the cosine of its two
    sentences and one shared term to their Dice, summed in the order of the A entries' codes (the
    order of a CSR product, so the cosines are those of ``A @ B.T``).
    """
    ua, ub = _unit_rows(ea, isf, sentences[0]), _unit_rows(eb, isf, sentences[1])
    p, q = equal_pairs(ea[1], eb[1])
    if len(p) == 0:
        return np.empty((0, 2), dtype=np.int64)
    cells, slot = np.unique(ea[0][p] * sentences[1] + eb[0][q], return_inverse=True)
    cos = np.bincount(slot, weights=ua[p] * ub[q])
    shared = np.bincount(slot)
    i, j = cells // sentences[1], cells % sentences[1]
    size_a, size_b = np.bincount(ea[0], minlength=sentences[0]), np.bincount(eb[0], minlength=sentences[1])
    dice = 2 * shared / np.maximum(size_a[i] + size_b[j], 1)
    keep = (cos >= min_cosine) & (dice >= min_dice)
    return np.column_stack([i[keep], j[keep]]).astype(np.int64)


def _split(seeds: np.ndarray, column: int, max_gap: int) -> list[np.ndarray]:
    """Cut seeds, sorted on ``column``, wherever neighbours are more than ``max_gap`` apart."""
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


def sentence_spans(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens, *, min_words: int,
                   min_cosine: float = 0.33, min_dice: float = 0.33, max_gap: int = 4,
                   min_fragment_cosine: float = 0.34) -> list[SentenceSpan]:
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
    ea, eb, isf, ca, cb = _matrices(fa, fb)
    points = _seeds(ea, eb, isf, (fa.sentences, fb.sentences), min_cosine, min_dice)
    if len(points) == 0:
        return []
    pair = _Pair(ca, fa.term_sentence, cb, fb.term_sentence, isf)
    spans = []
    for group, similarity in _extend(points, pair, max_gap, min_fragment_cosine):
        i0, i1 = int(group[:, 0].min()), int(group[:, 0].max())
        j0, j1 = int(group[:, 1].min()), int(group[:, 1].max())
        spans.append(SentenceSpan(int(fa.bounds[i0]), int(fa.bounds[i1 + 1]), int(fb.bounds[j0]),
                                  int(fb.bounds[j1 + 1]), round(similarity, 4), len(group)))
    return _filter(spans, min_words)
