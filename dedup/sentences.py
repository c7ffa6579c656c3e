"""Per-text features for paraphrase alignment: sentences and the content words in each.

Computed once per text and cached, since alignment meets each text in many pairs. Besides the
content words in text order, a text keeps its sentence-by-term count matrix as nonzero entries
and each term's sentence frequency, so that comparing two texts needs no sorting of either.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import xxhash

from .arrays import groups, sorted_unique
from .compiled import PAIR_MINIMUM, use_kernels
from .normalize import Tokens, normalize_token, tokenize_array

__all__ = ["TextFeatures", "content_terms", "features", "looks_abbreviated", "stem"]

_SENTENCE_END = re.compile(r"[.!?;:][\"'”’)\]]*\s")
# Where _SENTENCE_END matches, found in one pass (the closers and space are only looked at, so
# no match hides another).
_SENTENCE_MARK = re.compile(r"[.!?;:](?=[\"'”’)\]]*\s)")
_LINE_BREAK = re.compile(r"\n")
# Sentence punctuation after a space (" . "): web text whose links were stripped ("under Title
# VII of the , the (ADEA) and the . It was established"). 5 % of the sentence ends in PAN 2013's
# documents; cutting there gave PAN 2013 (tuning half, gold pairs aligned one by one) 03 +0.003,
# 04 +0.002 plagdet (held-out +0.003, +0.005), 02 equal, 05 -0.006 (held-out +0.005).
_SPACED_END = re.compile(r"\s+[.!?;:][\"'”’)\]]*\s")
_SUFFIXES = ("ingly", "ings", "ing", "edly", "ed", "ies", "es", "ly", "s")
_STEM_CHARS = 6
# Enough for the articles of one alignment batch (500 candidate pairs), a few MB.
_CACHE_SIZE = 1024
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
class Entries:
    """A text's sentence-by-term count matrix as its nonzero entries, by sentence then term.

    ``sentence``, ``term`` and ``count`` give each entry; ``by_term`` orders the entries by term
    (stably); ``vocab`` lists the text's distinct terms (sorted), ``frequency`` how many
    sentences hold each, and ``vocab_index`` each entry's place in ``vocab``; ``size`` is the
    number of distinct terms per sentence.
    """

    sentence: np.ndarray
    term: np.ndarray
    count: np.ndarray
    by_term: np.ndarray
    vocab: np.ndarray
    frequency: np.ndarray
    vocab_index: np.ndarray
    size: np.ndarray


def _entries(terms: np.ndarray, sentence: np.ndarray, sentences: int) -> Entries:
    if use_kernels(len(terms), PAIR_MINIMUM):
        from .kernels import sentence_entries

        return Entries(*sentence_entries(terms, sentence, sentences))
    return _entries_numpy(terms, sentence, sentences)


def _entries_numpy(terms: np.ndarray, sentence: np.ndarray, sentences: int) -> Entries:
    """:func:`_entries` with numpy (:func:`dedup.kernels.sentence_entries` is the compiled form)."""
    order = np.lexsort((terms, sentence))
    s, t = sentence[order], terms[order]
    first, count = groups((s[1:] != s[:-1]) | (t[1:] != t[:-1])) if len(t) else (order, order)
    s, t = s[first], t[first]
    vocab, index, frequency = np.unique(t, return_inverse=True, return_counts=True)
    return Entries(s, t, count, np.argsort(t, kind="stable"), vocab, frequency, index.reshape(-1),
                   np.bincount(s, minlength=sentences))


@dataclass(frozen=True, eq=False)
class TextFeatures:
    """One text's sentences and content words, in token coordinates.

    ``bounds[s]:bounds[s + 1]`` are the tokens of sentence ``s``; ``terms`` and ``term_sentence``
    list every content word (stem hash) and the sentence it is in; ``entries`` counts them.
    """

    bounds: np.ndarray
    terms: np.ndarray
    term_sentence: np.ndarray
    entries: Entries

    @property
    def sentences(self) -> int:
        return len(self.bounds) - 1


# A word this short that starts with a capital or holds a period (``Mr``, ``U.S``, ``e.g``) may
# be an abbreviation: a period after it does not end the sentence.
_ABBREVIATION_CHARS = 3


def looks_abbreviated(word: str) -> bool:
    """Whether a period after ``word`` may close an abbreviation rather than a sentence.

    >>> looks_abbreviated("Mr"), looks_abbreviated("U.S"), looks_abbreviated("it"), looks_abbreviated("Bank")
    (True, True, False, False)
    """
    return len(word) <= _ABBREVIATION_CHARS and (word[:1].isupper() or "." in word)


def _boundaries(text: str, tokens: Tokens) -> np.ndarray:
    """Token indices where a new sentence starts (always including 0 and ``len(tokens)``).

    A sentence ends after token ``t`` when the gap before token ``t + 1`` holds a line break,
    starts with sentence punctuation and a space, unless token ``t`` looks like an abbreviation
    (``Mr.``, ``U.S.``) and the punctuation is a period, or starts with spaces, then sentence
    punctuation and a space (``the . It``). The text is searched once for both
    kinds of mark, and each mark is placed in its gap by binary search.
    """
    starts, ends = tokens.starts, tokens.ends
    count = len(starts)
    if count == 0:
        return np.zeros(1, dtype=np.int64)
    if use_kernels(count, PAIR_MINIMUM) and text.isascii():
        from .kernels import sentence_bounds

        return sentence_bounds(np.frombuffer(text.encode("ascii"), np.uint8), starts, ends, _ABBREVIATION_CHARS)
    breaks = np.array([m.start() for m in _LINE_BREAK.finditer(text)], dtype=np.int64)
    after = np.searchsorted(ends, breaks, side="right") - 1  # the token before each line break
    marks = np.array([m.start() for m in _SENTENCE_MARK.finditer(text)], dtype=np.int64)
    t = np.searchsorted(ends, marks, side="right") - 1  # the last token ending at or before each mark
    inside = (t >= 0) & (t < count - 1)
    t, marks = t[inside], marks[inside]
    opening = ends[t] == marks  # the mark opens the gap after token t
    # A longer word is no abbreviation (looks_abbreviated): only the short ones are looked at.
    closed, opening_marks = t[opening], marks[opening]
    short = ends[closed] - starts[closed] <= _ABBREVIATION_CHARS
    cuts = [after[(after >= 0) & (after < count - 1)], closed[~short]]
    looked_at = []
    for token, mark in zip(closed[short].tolist(), opening_marks[short].tolist()):
        if not looks_abbreviated(text[starts[token] : ends[token]]) or text[mark] in "!?;:":
            looked_at.append(token)
    spaced = ~opening & (marks < starts[t + 1])  # the mark stands further into the gap
    looked_at.extend(token for token, mark in zip(t[spaced].tolist(), marks[spaced].tolist())
                     if text[ends[token] : mark].isspace())
    ends_at = np.concatenate([np.array([-1, count - 1, *looked_at], dtype=np.int64), *cuts])
    return sorted_unique(ends_at) + 1


def _boundaries_slow(text: str, tokens: Tokens) -> np.ndarray:
    """:func:`_boundaries` gap by gap: the reference the fast form is tested against."""
    cuts = [0]
    starts, ends = tokens.starts.tolist(), tokens.ends.tolist()
    for t in range(len(starts) - 1):
        gap = text[ends[t] : starts[t + 1]]
        if "\n" in gap:
            cuts.append(t + 1)
        elif _SPACED_END.match(gap):
            cuts.append(t + 1)
        elif _SENTENCE_END.match(gap):
            word = text[starts[t] : ends[t]]
            if not looks_abbreviated(word) or gap[0] in "!?;:":
                cuts.append(t + 1)
    cuts.append(len(starts))
    return np.unique(np.array(cuts, dtype=np.int64))


# Sentences shorter than this many tokens are joined to the next: hard-wrapped lines, headings and
# list items are too short to compare (PAN 2013 03 tuning plagdet +0.01 against cutting at every
# line break).
_MIN_SENTENCE = 6


def _joined_short(bounds: np.ndarray, shortest: int) -> np.ndarray:
    """Sentence bounds with every sentence shorter than ``shortest`` tokens joined to the next
    (hard-wrapped lines and headings cut text into pieces too short to compare)."""
    kept = [0]
    for b in bounds[1:-1].tolist():
        if b - kept[-1] >= shortest:
            kept.append(b)
    last = int(bounds[-1])
    if len(kept) > 1 and last - kept[-1] < shortest:
        kept.pop()
    kept.append(last)
    return np.array(kept, dtype=np.int64)


_features_cache: OrderedDict[str, TextFeatures] = OrderedDict()


class _TermTable:
    """Token key hash -> term for every word met so far, so that a word is stemmed once: a dict
    looked up token by token, or, once this process runs the compiled kernels
    (:mod:`dedup.compiled`), an open-addressing table that :func:`dedup.kernels.lookup_terms`
    searches for all the tokens of a text or a signing chunk in one call (measured on news-like
    articles of 450 words whose words are all known: 11 µs per article against 96 µs for the dict).
    New words are stemmed in Python either way, which costs about 15 µs each."""

    _LIMIT = 1_000_000  # words kept at most, so that an endless vocabulary cannot exhaust memory
    _KERNEL_MIN_TOKENS = 1 << 17  # a signing chunk this large switches the process to the kernels

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.known: dict[int, int] = {}
        self.keys = np.zeros(1 << 12, dtype=np.uint64)  # capacity a power of two, at most half full
        self.values = np.zeros(1 << 12, dtype=np.uint64)
        self.size = 0

    def terms(self, text: str, tokens: Tokens) -> np.ndarray:
        if len(self.known) + self.size >= self._LIMIT:
            self.clear()
        if use_kernels(len(tokens.hashes), self._KERNEL_MIN_TOKENS):
            return self._by_table(text, tokens)
        return self._by_dict(text, tokens)

    def _by_dict(self, text: str, tokens: Tokens) -> np.ndarray:
        hashes = tokens.hashes.tolist()
        values = list(map(self.known.get, hashes))
        if None in values:
            starts, ends = tokens.starts.tolist(), tokens.ends.tolist()
            for t in [t for t, value in enumerate(values) if value is None]:
                value = values[t] = _term(text[starts[t] : ends[t]])
                self.known[hashes[t]] = value
        return np.fromiter(values, dtype=np.uint64, count=len(values))

    def _by_table(self, text: str, tokens: Tokens) -> np.ndarray:
        from .kernels import insert_terms, lookup_terms

        terms, missing = lookup_terms(self.keys, self.values, tokens.hashes)
        if missing.any():
            where = np.flatnonzero(missing)
            new, first = np.unique(tokens.hashes[where], return_index=True)
            spans = zip(tokens.starts[where[first]].tolist(), tokens.ends[where[first]].tolist())
            values = np.fromiter((_term(text[start:end]) for start, end in spans), dtype=np.uint64, count=len(new))
            terms[where] = values[np.searchsorted(new, tokens.hashes[where])]
            while 2 * (self.size + len(new)) > len(self.keys):
                self._grow()
            self.size += insert_terms(self.keys, self.values, new, values)
        return terms

    def _grow(self) -> None:
        from .kernels import insert_terms

        held = self.keys != 0
        keys, values = self.keys[held], self.values[held]
        self.keys, self.values = np.zeros(2 * len(self.keys), np.uint64), np.zeros(2 * len(self.keys), np.uint64)
        insert_terms(self.keys, self.values, keys, values)


_term_table = _TermTable()


def _term(raw: str) -> int:
    """Hash of the stem of a raw word, 0 for a function word or a one- or two-letter word."""
    key = normalize_token(raw)
    content = key not in _STOP and (len(key) >= 3 or key.isdigit())
    return xxhash.xxh3_64_intdigest(stem(key).encode("utf-8")) | 1 if content else 0


def _terms(text: str, tokens: Tokens) -> np.ndarray:
    """:func:`_term` of every token. A term depends on the normalised key alone, so it is looked
    up by the key's hash, and only words never seen before are stemmed."""
    return _term_table.terms(text, tokens)


def features(text: str, tokens: Tokens | None = None) -> TextFeatures:
    """The :class:`TextFeatures` of ``text`` (cached: alignment meets each text many times)."""
    found = _features_cache.get(text)
    if found is not None:
        _features_cache.move_to_end(text)
        return found
    tokens = tokens if tokens is not None else tokenize_array(text)
    bounds = _boundaries(text, tokens) if len(tokens) else np.array([0], dtype=np.int64)
    if len(bounds) > 2:
        bounds = _joined_short(bounds, _MIN_SENTENCE)
    terms = content_terms(text, tokens)
    sentence_of = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    content = terms != 0
    terms, sentence_of = terms[content], sentence_of[content]
    found = TextFeatures(bounds, terms, sentence_of, _entries(terms, sentence_of, len(bounds) - 1))
    _features_cache[text] = found
    if len(_features_cache) > _CACHE_SIZE:
        _features_cache.popitem(last=False)
    return found




def content_terms(text: str, tokens: Tokens) -> np.ndarray:
    """The term of every token (a stem hash, 0 for a function word), in text order (kept in
    ``tokens.memo``)."""
    return tokens.derived("terms", lambda: _terms(text, tokens))
