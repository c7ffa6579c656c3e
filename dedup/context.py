"""Context triples: a third candidate source, for reuse whose words were shuffled or replaced.

Word shingles vanish when every few words of a passage were edited (on PAN 2013's random and
translation obfuscation, the median word 5-gram Jaccard of a reused passage is 0.04), and the
passage windows of the LSH tiers then miss the pair. What survives is which content words stand
near each other. A *context triple* is three consecutive content words (function words dropped,
light stemming, :func:`dedup.sentences.stem`), sorted so that their order does not matter: the
"contextual n-grams" of Torrejón and Ramos (PAN 2013).

Triples are exact hash keys, not MinHashed. Two articles that share at least
:data:`MIN_SHARED` triples are a candidate pair, and so are two that share two triples standing
together in both texts (:func:`together`: separate phrases, close to one another), which is how
short reworded passages show. A triple held by many articles is a stock
phrase: as in the LSH tiers, the rule applies to a bucket as it is when an article arrives, in
article order, so only the first :data:`MAX_HOLDERS` holders of a triple pair up through it (a
later holder gets no pair from it, where an LSH bucket would still link it to its first holder:
one shared triple is not evidence enough on its own). The index applies the same rule
(:func:`dedup.buckets.triple_members`), so a query answers what a scan answers.

A triple also vouches for a pair that shares a single passage-tier bucket, too few on its own
(:func:`dedup.candidates.first_holder_pairs`), when the two are its first two holders
(:func:`first_holders`; in the index :func:`dedup.buckets.second_holders`): words nobody had put
together before them, where a stock phrase has had earlier holders.

>>> from dedup.normalize import tokenize_array
>>> a = "The central bank raised interest rates sharply on Tuesday."
>>> b = "On Tuesday, rates of interest were raised sharply by the central bank."
>>> len(np.intersect1d(triple_set(a, tokenize_array(a)), triple_set(b, tokenize_array(b)))) > 0
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .arrays import first_of_runs, groups, sort_carrying, sorted_unique, unpack_pairs
from .compiled import PAIR_MINIMUM, use_kernels
from .normalize import Tokens, fmix64_array
from .sentences import content_terms
from .spill import PartitionedKeys

__all__ = ["MIN_SHARED", "derive_joined", "first_holders", "first_places", "joined_triples", "shared_together", "shared_triples",
           "spilled_first_holders", "spilled_triple_pairs", "together", "triple_pairs", "triple_places", "triple_set",
           "triples"]

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
    return triple_places(text, tokens)[0]


def triple_places(text: str, tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct context triples of one text, and where each first stands (the index
    of its first content word among the text's content words); kept in ``tokens.memo``."""
    def make() -> tuple[np.ndarray, np.ndarray]:
        found = _text_triples(text, tokens)
        if use_kernels(len(found), PAIR_MINIMUM):
            from .kernels import first_place_keys

            return first_place_keys(found)
        entries = first_places(found, np.arange(len(found)))
        return entries[:, 0], entries[:, 1].astype(np.int64)

    return tokens.derived("triple_places", make)


def shared_triples(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens) -> int:
    """How many distinct context triples two texts share."""
    return len(_shared_at(triple_set(text_a, tokens_a), triple_set(text_b, tokens_b))[0])


def _shared_at(keys_a: np.ndarray, keys_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the keys two sorted arrays of distinct keys share stand in each."""
    if use_kernels(len(keys_a) + len(keys_b), PAIR_MINIMUM):
        from .kernels import sorted_intersection

        return sorted_intersection(keys_a, keys_b)
    _, in_a, in_b = np.intersect1d(keys_a, keys_b, assume_unique=True, return_indices=True)
    return in_a, in_b


def _text_triples(text: str, tokens: Tokens) -> np.ndarray:
    """The context triples of one text in text order (kept in ``tokens.memo``)."""
    def make() -> np.ndarray:
        terms = content_terms(text, tokens)
        return triples(terms[terms != 0])

    return tokens.derived("triples", make)


# Triples stand together when they form at least _TOGETHER_RUNS separate runs whose heads lie
# within _TOGETHER_WITHIN content words of one another, in both texts; a run is a chain of triples
# less than _APART content words apart (overlapping triples: one shared phrase gives one run, as
# does a stock phrase however long). Each shared triple counts at its first place in each text.
# Measured (first places, counted triples) on a 20,000-article news-like corpus and PAN 2013:
# pairs sharing exactly two counted triples number 49,414 in the news; 336 of them stand together
# (875 if triples 2 apart were separate runs, 44,646 if adjacent ones were), and they hold 24 more
# of PAN's 1,000 random-obfuscation (03) pairs and 21 more translation (04) pairs. Counting triples
# rather than runs made aligning the news pairs found by triples cost 31 % more CPU for no
# passage more (3 together; 4 cost PAN 04 0.007 plagdet).
_TOGETHER_RUNS = 2
_TOGETHER_WITHIN = 40
_APART = 3
_PLACE_LIMIT = (1 << 24) - 1  # places beyond count as this one (texts of 16 million content words)


def together(group: np.ndarray, places_a: np.ndarray, places_b: np.ndarray, groups_count: int,
             count: int = _TOGETHER_RUNS, within: int = _TOGETHER_WITHIN) -> np.ndarray:
    """For each group of shared triples (``group[k]`` numbers the pair that triple ``k`` is
    shared by), whether they stand together in both texts: ``count`` separate runs within
    ``within`` content words, given each triple's first place in text a and in text b.

    >>> together(np.array([0, 0, 1, 1]), np.array([5, 30, 5, 6]), np.array([90, 70, 1, 9]), 2).tolist()
    [True, False]
    """
    return _close_runs(group, places_a, groups_count, count, within) & _close_runs(group, places_b, groups_count,
                                                                                   count, within)


def _close_runs(group: np.ndarray, places: np.ndarray, groups_count: int, count: int, within: int) -> np.ndarray:
    """Per group: whether ``count`` run heads among its ``places`` lie within ``within``."""
    found = np.zeros(groups_count, dtype=bool)
    if len(group) == 0:
        return found
    places = np.minimum(places.astype(np.int64), _PLACE_LIMIT)
    order = np.argsort(group.astype(np.int64) * (_PLACE_LIMIT + 1) + places)  # by group, then place
    group, places = group[order], places[order]
    head = np.r_[True, (group[1:] != group[:-1]) | (places[1:] - places[:-1] >= _APART)]
    group, places = group[head], places[head]
    shift = count - 1
    if shift == 0:
        found[group] = True
        return found
    close = (group[shift:] == group[:-shift]) & (places[shift:] - places[:-shift] <= within)
    found[group[shift:][close]] = True
    return found


def shared_together(text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens, count: int = _TOGETHER_RUNS,
                    within: int = _TOGETHER_WITHIN) -> bool:
    """Whether all the context triples two texts share stand together (:func:`together`): a
    reworded passage, not one stock phrase or triples met by chance across two texts.

    >>> from dedup.normalize import tokenize_array
    >>> a = "Regional authorities closed the crossing to freight traffic until repairs to the bridge are finished."
    >>> b = "Until repairs to the bridge are finished, regional authorities closed the crossing to freight traffic."
    >>> shared_together(a, tokenize_array(a), b, tokenize_array(b))
    True
    >>> shared_together(a, tokenize_array(a), b, tokenize_array(b), count=3)
    False
    """
    keys_a, places_a = triple_places(text_a, tokens_a)
    keys_b, places_b = triple_places(text_b, tokens_b)
    in_a, in_b = _shared_at(keys_a, keys_b)
    if use_kernels(len(keys_a) + len(keys_b), PAIR_MINIMUM):
        from .kernels import close_runs

        return (close_runs(places_a[in_a], count, within, _APART, _PLACE_LIMIT)
                and close_runs(places_b[in_b], count, within, _APART, _PLACE_LIMIT))
    return bool(together(np.zeros(len(in_a), dtype=np.int64), places_a[in_a], places_b[in_b], 1, count, within)[0])


def joined_triples(texts: list[str], tokens: Tokens,
                   first_token: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``(triple, text, place)`` entries of many texts tokenised together
    (:func:`dedup.normalize.tokenize_joined`), repeats included; no triple spans two texts.

    Returns the triple hashes, the index of the text each belongs to and its place in that text
    (the index of its first content word among the text's content words), in text order.
    """
    terms = content_terms("\n".join(texts), tokens)
    content = np.flatnonzero(terms != 0)
    owner = np.searchsorted(first_token, content, side="right") - 1
    keys = triples(terms[content])
    if len(keys) == 0:
        return keys, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(first_of_runs(owner))  # owners ascend: each text's first
    place = np.arange(len(owner)) - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
    first = owner[: len(keys)]
    same = first == owner[_SIZE - 1 :]
    return keys[same], first[same], place[: len(keys)][same]


def derive_joined(texts: list[str], whole: Tokens, first_token: np.ndarray, parts: list[Tokens]) -> None:
    """Put each text's terms and context triples in its ``parts[i].memo`` (what
    :func:`dedup.sentences.content_terms` and :func:`triple_places` start from), made for all
    the texts at once from their joined tokens (``whole``, from
    :func:`dedup.normalize.tokenize_joined`): one compiled term look-up and one triple hash per
    batch instead of a dozen numpy calls per text."""
    keys, owner, _ = joined_triples(texts, whole, first_token)
    terms = np.split(whole.memo["terms"], first_token[1:])
    triple_cuts = np.searchsorted(owner, np.arange(1, len(parts)))
    for tokens, own_terms, own_triples in zip(parts, terms, np.split(keys, triple_cuts)):
        tokens.memo.setdefault("terms", own_terms)
        tokens.memo.setdefault("triples", own_triples)


def first_places(packed: np.ndarray, places: np.ndarray) -> np.ndarray:
    """``(n, 2)`` uint64 rows ``(packed entry, place)``: each distinct packed ``(triple, article)``
    entry once, sorted, with its first place.

    >>> first_places(np.array([9, 4, 9], dtype=np.uint64), np.array([7, 5, 2])).tolist()
    [[4, 5], [9, 2]]
    """
    if len(packed) == 0:
        return np.empty((0, 2), dtype=np.uint64)
    packed, places = sort_carrying(packed, places.astype(np.uint64))
    starts = np.flatnonzero(first_of_runs(packed))
    if len(starts) < len(packed):
        places = np.minimum.reduceat(places, starts)
    return np.column_stack([packed[starts], places])


def triple_pairs(entries: np.ndarray, key_mask: np.uint64, owner_mask: np.uint64,
                 max_bucket_size: int = MAX_HOLDERS) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Pairs of articles sharing at least :data:`MIN_SHARED` triples, or two that stand
    :func:`together`, from ``(n, 2)`` rows ``(packed entry, place)`` (:func:`first_places`; the
    entry's top bits the triple, low bits the article, as :mod:`dedup.candidates` packs band keys).

    Only a triple's first ``max_bucket_size`` holders (in article order) pair through it.
    Returns the sorted ``(m, 2)`` pairs ``i < j``, whether each pair's triples stand together
    (such a pair is aligned even when it shares almost no shingle), and counts for the report.
    """
    codes, _, stats = _bucket_codes(entries, key_mask, owner_mask, max_bucket_size)
    pairs, close = _shared_enough(codes)
    stats.update(candidate_pairs=len(pairs), together_pairs=int(close.sum()))
    return pairs, close, stats


def spilled_triple_pairs(parts: Iterable[np.ndarray], folder: str | Path, key_mask: np.uint64, owner_mask: np.uint64,
                         max_bucket_size: int = MAX_HOLDERS) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """:func:`triple_pairs` of entries given in parts, each holding every entry of its triples
    (:class:`dedup.spill.PartitionedKeys` by their top bits), in bounded memory: each part's
    pair codes go to files by a hash of the pair, and each of those files is counted on its own.
    A million news articles hold about 270 million triple entries.

    Each part's :func:`first_holders` go to files of their own, read back by
    :func:`spilled_first_holders` with the same ``folder``."""
    spilled = PartitionedKeys(folder, "triple-pairs", _PARTS, by="hash", columns=2)
    firsts = PartitionedKeys(folder, _FIRST_HOLDERS, _PARTS, by="hash")
    total = {"min_shared": MIN_SHARED, "max_holders": max_bucket_size, "items": 0, "buckets_shared": 0,
             "buckets_oversized": 0}
    for entries in parts:
        codes, first_two, stats = _bucket_codes(entries, key_mask, owner_mask, max_bucket_size)
        for name in ("items", "buckets_shared", "buckets_oversized"):
            total[name] += stats[name]
        spilled.append(codes)
        firsts.append(first_two)
    found = [_shared_enough(codes) for codes in spilled.parts()]
    pairs = np.concatenate([p for p, _ in found]) if found else np.empty((0, 2), dtype=np.int64)
    close = np.concatenate([c for _, c in found]) if found else np.empty(0, dtype=bool)
    if len(pairs):
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        pairs, close = pairs[order], close[order]
    total.update(candidate_pairs=len(pairs), together_pairs=int(close.sum()))
    return pairs, close, total


_PARTS = 16  # files the triple entries and their pair codes are spread over
_FIRST_HOLDERS = "first-holders"


def spilled_first_holders(folder: str | Path) -> Iterator[np.ndarray]:
    """The codes of :func:`first_holders` that :func:`spilled_triple_pairs` wrote to ``folder``,
    a file at a time (each file's codes sorted and distinct; a code is in one file only)."""
    for codes in PartitionedKeys(folder, _FIRST_HOLDERS, _PARTS, by="hash").parts():
        yield sorted_unique(codes)


def first_holders(entries: np.ndarray, key_mask: np.uint64, owner_mask: np.uint64) -> np.ndarray:
    """The pairs of articles that are the first two holders (in article order) of a triple held
    by two or more, as sorted distinct codes ``i << 32 | j`` (uint64), from rows as
    :func:`triple_pairs` takes them.

    >>> entries = np.array([[7 << 40 | 3, 0], [7 << 40 | 1, 0], [7 << 40 | 2, 0], [8 << 40 | 4, 0]], dtype=np.uint64)
    >>> [(int(c) >> 32, int(c) & 0xFFFFFFFF) for c in first_holders(entries, ~np.uint64((1 << 40) - 1), np.uint64((1 << 40) - 1))]
    [(1, 2)]
    """
    entries = first_places(entries[:, 0], entries[:, 1])
    if len(entries) < 2:
        return np.empty(0, dtype=np.uint64)
    keys, owners = entries[:, 0] & key_mask, entries[:, 0] & owner_mask
    return _first_two(owners, *groups(keys[1:] != keys[:-1]))


def _first_two(owners: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Sorted distinct codes of each group's first two owners (groups of two or more)."""
    two = starts[sizes >= 2]
    return sorted_unique(owners[two] << np.uint64(32) | owners[two + 1])


def _bucket_codes(entries: np.ndarray, key_mask: np.uint64, owner_mask: np.uint64,
                  max_bucket_size: int) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """``(m, 2)`` uint64 rows: a pair code ``i << 32 | j`` (``i < j``) per triple that pairs
    them, with the triple's places ``place_i << 32 | place_j``; the :func:`first_holders`; and
    counts."""
    entries = first_places(entries[:, 0], entries[:, 1])  # one entry per (triple, article), sorted
    stats = {"min_shared": MIN_SHARED, "max_holders": max_bucket_size, "items": len(entries), "buckets_shared": 0,
             "buckets_oversized": 0}
    if len(entries) < 2:
        return np.empty((0, 2), dtype=np.uint64), np.empty(0, dtype=np.uint64), stats
    packed, places = entries[:, 0], entries[:, 1]
    keys, owners = packed & key_mask, packed & owner_mask
    starts, sizes = groups(keys[1:] != keys[:-1])
    stats["buckets_shared"] = int((sizes >= 2).sum())
    stats["buckets_oversized"] = int((sizes > max_bucket_size).sum())
    rows = []
    for size in np.unique(np.minimum(sizes[sizes >= 2], max_bucket_size)).tolist():
        at = starts[np.minimum(sizes, max_bucket_size) == size][:, None] + np.arange(size)
        i, j = np.triu_indices(size, 1)
        rows.append(np.column_stack([owners[at[:, i]].ravel() << np.uint64(32) | owners[at[:, j]].ravel(),
                                     places[at[:, i]].ravel() << np.uint64(32) | places[at[:, j]].ravel()]))
    return (np.concatenate(rows) if rows else np.empty((0, 2), dtype=np.uint64)), _first_two(owners, starts, sizes), stats


def _shared_enough(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``(i, j)`` pairs whose code occurs at least :data:`MIN_SHARED` times or whose triples
    stand :func:`together`, sorted, and whether they stand together."""
    if len(rows) == 0:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=bool)
    codes, places = sort_carrying(rows[:, 0], rows[:, 1])
    starts, sizes = groups(codes[1:] != codes[:-1])
    # Most pairs share one triple: only the places of pairs sharing two or more are looked at.
    group = np.repeat(np.arange(len(starts)), sizes)
    several = np.flatnonzero(sizes[group] >= 2)
    group, places = group[several], places[several]
    close = together(group, (places >> np.uint64(32)).astype(np.int64),
                     (places & np.uint64(0xFFFFFFFF)).astype(np.int64), len(starts))
    kept = (sizes >= MIN_SHARED) | close
    return unpack_pairs(codes[starts[kept]].astype(np.int64)), close[kept]
