"""Context triples: a third candidate source, for reuse whose words were shuffled or replaced.

Word shingles vanish when every few words of a passage were edited (on PAN 2013's random and
translation obfuscation, the median word 5-gram Jaccard of a reused passage is 0.04), and the
passage windows of the LSH tiers then miss the pair. What survives is which content words stand
near each other. A *context triple* is three consecutive content words (function words dropped,
light stemming, :func:`dedup.sentences.stem`), sorted so that their order does not matter: the
"contextual n-grams" of Torrejón and Ramos (PAN 2013).

Triples are exact hash keys, not MinHashed. Two articles that share at least
:data:`MIN_SHARED` triples are a candidate pair. A triple held by many articles is a stock
phrase: as in the LSH tiers, the rule applies to a bucket as it is when an article arrives, in
article order, so only the first :data:`MAX_HOLDERS` holders of a triple pair up through it (a
later holder gets no pair from it, where an LSH bucket would still link it to its first holder:
one shared triple is not evidence enough on its own). The index applies the same rule
(:func:`dedup.buckets.triple_members`), so a query answers what a scan answers.

>>> from dedup.normalize import tokenize_array
>>> a = "The central bank raised interest rates sharply on Tuesday."
>>> b = "On Tuesday, rates of interest were raised sharply by the central bank."
>>> len(np.intersect1d(triple_set(a, tokenize_array(a)), triple_set(b, tokenize_array(b)))) > 0
True
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .arrays import counted_at_least, groups, sorted_unique, unpack_pairs
from .normalize import Tokens, fmix64_array
from .sentences import content_terms
from .spill import PartitionedKeys

__all__ = ["MIN_SHARED", "joined_triples", "shared_together", "shared_triples", "spilled_triple_pairs", "triple_pairs",
           "triple_set", "triples"]

# Two articles sharing at least MIN_SHARED triples, counted only while a triple has fewer than
# MAX_HOLDERS holders (more make it a stock phrase), are a candidate pair. Measured on PAN 2013
# (all 5,057 documents) and a 20,000-article news-like corpus (benchmarks/.cache): at least 2
# shared found 92% of the random-obfuscation pairs (03) but made 59,000 candidate pairs of the
# news, none of them reportable (4 times the LSH tiers' 14,000, and 2.5 times the scan's CPU);
# 3 find 87% of 03, 92% of 04, with 9,600 news candidates; 4 only 81% of 03. 5 holders rather
# than 3 (84% of 03, 5,200) or 20 (88%, and the earnings templates of Reuters-21578 share many
# triples).
MIN_SHARED = 3
MAX_HOLDERS = 5
_SIZE = 3
_WEIGHTS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def triples(terms: np.ndarray) -> np.ndarray:
    """Hash of each run of three consecutive ``terms`` (nonzero), independent of their order."""
    if len(terms) < _SIZE:
        return np.empty(0, dtype=np.uint64)
    a, b, c = terms[:-2], terms[1:-1], terms[2:]
    low = np.minimum(np.minimum(a, b), c)
    high = np.maximum(np.maximum(a, b), c)
    middle = a ^ b ^ c ^ low ^ high  # the one left when the smallest and largest are taken out
    with np.errstate(over="ignore"):
        mixed = low * _WEIGHTS[0] + middle * _WEIGHTS[1] + high * _WEIGHTS[2]
    return fmix64_array(mixed)


def triple_set(text: str, tokens: Tokens) -> np.ndarray:
    """The sorted distinct context triples of one text (kept in ``tokens.memo``)."""
    return tokens.derived("triple_set", lambda: sorted_unique(_text_triples(text, tokens)))


def shared_triples(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens) -> int:
    """How many distinct context triples two texts share."""
    return len(np.intersect1d(triple_set(text_a, tokens_a), triple_set(text_b, tokens_b), assume_unique=True))


def _text_triples(text: str, tokens: Tokens) -> np.ndarray:
    """The context triples of one text in text order (kept in ``tokens.memo``)."""
    def make() -> np.ndarray:
        terms = content_terms(text, tokens)
        return triples(terms[terms != 0])

    return tokens.derived("triples", make)


def _together(positions: np.ndarray, count: int, within: int) -> bool:
    """Whether ``count`` of the sorted ``positions`` lie within ``within`` of one another."""
    return len(positions) >= count and bool(np.any(positions[count - 1 :] - positions[: len(positions) - count + 1] <= within))


# A pair found by triples that shares almost no shingle is aligned only if its shared triples
# stand in this many separate runs (triples at consecutive positions: one shared phrase gives a
# run) within _TOGETHER_WITHIN content words of one another in both texts. Measured: counting
# triples rather than runs, 3 together made aligning the 20k news-like scan's pairs take 31 % more
# CPU for no passage more (3,361 such pairs, mostly one stock phrase), and 4 took 7 % more and
# cost PAN 2013 04 0.007 plagdet. Of those 20k pairs, 3,136 share one run, 141 two or more (147
# shared 4 triples together); PAN 2013 04 gains 0.008/0.012 plagdet (tuning/held-out) over 4
# triples, 03 -0.001/+0.001.
_TOGETHER_RUNS = 2
_TOGETHER_WITHIN = 40


def shared_together(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens, count: int = _TOGETHER_RUNS,
                    within: int = _TOGETHER_WITHIN) -> bool:
    """Whether the two texts share context triples in ``count`` separate runs that stand within
    ``within`` content words of one another in both: a reworded passage, not one stock phrase or
    triples met by chance across two texts.

    >>> from dedup.normalize import tokenize_array
    >>> a = "Regional authorities closed the crossing to freight traffic until repairs to the bridge are finished."
    >>> b = "Until repairs to the bridge are finished, regional authorities closed the crossing to freight traffic."
    >>> shared_together(a, tokenize_array(a), b, tokenize_array(b))
    True
    >>> shared_together(a, tokenize_array(a), b, tokenize_array(b), count=3)
    False
    """
    ta, tb = _text_triples(text_a, tokens_a), _text_triples(text_b, tokens_b)
    shared = np.intersect1d(triple_set(text_a, tokens_a), triple_set(text_b, tokens_b), assume_unique=True)
    if len(shared) == 0:
        return False
    return (_together(_run_heads(np.flatnonzero(np.isin(ta, shared))), count, within)
            and _together(_run_heads(np.flatnonzero(np.isin(tb, shared))), count, within))


def _run_heads(positions: np.ndarray) -> np.ndarray:
    """The first of each run of consecutive sorted ``positions``."""
    return positions[np.r_[True, np.diff(positions) > 1]] if len(positions) else positions


def joined_triples(texts: list[str], tokens: Tokens, first_token: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``(triple, text)`` entries of many texts tokenised together
    (:func:`dedup.normalize.tokenize_joined`), repeats included; no triple spans two texts.

    Returns the triple hashes and the index of the text each belongs to, in text order.
    """
    terms = content_terms("\n".join(texts), tokens)
    content = np.flatnonzero(terms != 0)
    owner = np.searchsorted(first_token, content, side="right") - 1
    keys = triples(terms[content])
    if len(keys) == 0:
        return keys, np.empty(0, dtype=np.int64)
    first = owner[: len(keys)]
    same = first == owner[_SIZE - 1 :]
    return keys[same], first[same]


def triple_pairs(packed: np.ndarray, key_mask: np.uint64, owner_mask: np.uint64,
                 max_bucket_size: int = MAX_HOLDERS) -> tuple[np.ndarray, dict[str, Any]]:
    """Pairs of articles sharing at least :data:`MIN_SHARED` triples, from packed keys
    (top bits the triple, low bits the article, as :mod:`dedup.candidates` packs band keys).

    Only a triple's first ``max_bucket_size`` holders (in article order) pair through it.
    Without :data:`MIN_SHARED` triples in such buckets, a pair is not a candidate.
    Returns the sorted ``(m, 2)`` pairs ``i < j`` and counts for the report.
    """
    codes, stats = _bucket_codes(packed, key_mask, owner_mask, max_bucket_size)
    pairs = _shared_enough(codes)
    stats["candidate_pairs"] = len(pairs)
    return pairs, stats


def spilled_triple_pairs(parts: Iterable[np.ndarray], folder: str | Path, key_mask: np.uint64, owner_mask: np.uint64,
                         max_bucket_size: int = MAX_HOLDERS) -> tuple[np.ndarray, dict[str, Any]]:
    """:func:`triple_pairs` of packed keys given in parts, each holding every entry of its
    triples (:class:`dedup.spill.PartitionedKeys` by their top bits), in bounded memory: each
    part's pair codes go to files by a hash of the pair, and each of those files is counted on
    its own. A million news articles hold about 270 million triple entries."""
    spilled = PartitionedKeys(folder, "triple-pairs", _PARTS, by="hash")
    total = {"min_shared": MIN_SHARED, "max_holders": max_bucket_size, "items": 0, "buckets_shared": 0,
             "buckets_oversized": 0, "candidate_pairs": 0}
    for packed in parts:
        codes, stats = _bucket_codes(packed, key_mask, owner_mask, max_bucket_size)
        for name in ("items", "buckets_shared", "buckets_oversized"):
            total[name] += stats[name]
        spilled.append(codes)
    found = [_shared_enough(codes) for codes in spilled.parts()]
    pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if len(pairs) else pairs
    total["candidate_pairs"] = len(pairs)
    return pairs, total


_PARTS = 16  # files the triple entries and their pair codes are spread over


def _bucket_codes(packed: np.ndarray, key_mask: np.uint64, owner_mask: np.uint64,
                  max_bucket_size: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Pair codes ``i << 32 | j`` (``i < j``), one per triple that pairs them, and counts."""
    packed = sorted_unique(packed)  # one entry per (triple, article)
    stats = {"min_shared": MIN_SHARED, "max_holders": max_bucket_size, "items": len(packed), "buckets_shared": 0,
             "buckets_oversized": 0}
    if len(packed) < 2:
        return np.empty(0, dtype=np.uint64), stats
    keys, owners = packed & key_mask, (packed & owner_mask).astype(np.uint64)
    starts, sizes = groups(keys[1:] != keys[:-1])
    stats["buckets_shared"] = int((sizes >= 2).sum())
    stats["buckets_oversized"] = int((sizes > max_bucket_size).sum())
    codes = []
    for size in np.unique(np.minimum(sizes[sizes >= 2], max_bucket_size)).tolist():
        members = owners[starts[np.minimum(sizes, max_bucket_size) == size][:, None] + np.arange(size)]
        i, j = np.triu_indices(size, 1)
        codes.append(members[:, i].ravel() << np.uint64(32) | members[:, j].ravel())
    return (np.concatenate(codes) if codes else np.empty(0, dtype=np.uint64)), stats


def _shared_enough(codes: np.ndarray) -> np.ndarray:
    """The ``(i, j)`` pairs whose code occurs at least :data:`MIN_SHARED` times, sorted."""
    return unpack_pairs(counted_at_least(codes, MIN_SHARED)[0].astype(np.int64))
