"""Verbatim pieces first held together: a fourth candidate source, for heavily edited reuse.

Random edits that delete most words of a passage leave a few short verbatim pieces (a word
5-gram here, a 6-word phrase there) scattered over it: too few shingles for a passage-tier
window (24 shingles) to collide, and too few neighbouring content words for context triples.
What such pieces have that stock phrases do not is that hardly anybody wrote them before: the
two articles are among the first :data:`MAX_HOLDERS` holders of each, in article order.

Every distinct word shingle of an article is an exact key here, packed with the article's index
(as :mod:`dedup.candidates` packs band keys) and the place it first stands at (its first word).
Each two of a shingle's first :data:`MAX_HOLDERS` holders pair through it, and a pair of articles
is a candidate when the shingles it pairs through form at least :data:`MIN_PIECES` separate
pieces: runs of shingles that follow each other on both sides, so one shared phrase, however
long, is one piece. A shingle pairs at most three pairs, so these pairs grow with the number of
distinct shingles, about linearly with the corpus.

Measured (the benchmark's PAN 2013 scan, tuning / held-out): the 01-03 pair F1 0.968 / 0.964 ->
0.977 / 0.975 (pair recall 0.940 / 0.934 -> 0.956 / 0.954), random edits (03) 0.8805 / 0.8845 ->
0.894 / 0.901, no PAN 01 (no reuse) pair more; the news-reuse set, Clough-Stevenson and the
verbatim category unchanged. On the 20,000-article news-like corpus 226 more candidate pairs
(12,062, +1.9 %) and the same 2,801 reported pairs; on Reuters-21578 (19,043 articles) 393 more
reported pairs (12,032), mostly templated notices (earnings tables, bond terms) that share two
stock phrases with figures in them. With only the first two holders: pair F1 0.975 / 0.974, 03
0.891 / 0.899, 106 more candidates at 20k, 132 more Reuters pairs; the first five: no pair more
held out and one more PAN 01 false pair. The persistent index does not apply this rule (it
stores no shingle keys): a query can miss a pair that a scan reports through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .arrays import groups, unpack_pairs
from .context import first_places
from .spill import PartitionedKeys

__all__ = ["MAX_HOLDERS", "MIN_PIECES", "piece_entries", "piece_pairs", "piece_rows", "spilled_piece_pairs"]

MIN_PIECES = 2
MAX_HOLDERS = 3  # a shingle pairs each two of its first MAX_HOLDERS holders
_PARTS = 16  # files the pair rows are spread over


def piece_entries(shingles: np.ndarray, counts: np.ndarray, owners: np.ndarray, key_mask: np.uint64) -> np.ndarray:
    """``(n, 2)`` uint64 rows ``(packed shingle | article, first place)``, sorted, one per distinct
    shingle of each article, from the shingles of several texts in text order (``counts[k]`` of
    them belong to text ``k``, whose article index is ``owners[k]``)."""
    counts = np.asarray(counts, dtype=np.int64)
    if len(shingles) == 0:
        return np.empty((0, 2), dtype=np.uint64)
    starts = np.cumsum(counts) - counts
    place = np.arange(len(shingles), dtype=np.uint64) - np.repeat(starts, counts).astype(np.uint64)
    packed = (shingles & key_mask) | np.repeat(np.asarray(owners, dtype=np.uint64), counts)
    return first_places(packed, place)


def piece_rows(entries: np.ndarray, key_mask: np.uint64, owner_mask: np.uint64,
               max_holders: int = MAX_HOLDERS) -> np.ndarray:
    """``(m, 2)`` uint64 rows, one per shingle and pair of its first ``max_holders`` holders (in
    article order): the pair's code ``i << 32 | j`` (``i < j``) and their places ``place_i << 32 |
    place_j``, from rows as :func:`piece_entries` makes them (those of one shingle all together).

    >>> mask = np.uint64((1 << 24) - 1)
    >>> e = np.array([[5 << 24 | 1, 4], [5 << 24 | 3, 9], [5 << 24 | 7, 0], [6 << 24 | 2, 1]], dtype=np.uint64)
    >>> [(int(c) >> 32, int(c) & 0xFFFFFFFF, int(p) >> 32, int(p) & 0xFFFFFFFF) for c, p in piece_rows(e, ~mask, mask, 2)]
    [(1, 3, 4, 9)]
    """
    entries = first_places(entries[:, 0], entries[:, 1]) if len(entries) else entries
    if len(entries) < 2:
        return np.empty((0, 2), dtype=np.uint64)
    keys, owners, places = entries[:, 0] & key_mask, entries[:, 0] & owner_mask, entries[:, 1]
    starts, sizes = groups(keys[1:] != keys[:-1])
    rows = []
    for later in range(1, max_holders):  # holder ``later`` of each shingle with every earlier one
        at = starts[sizes > later]
        for earlier in range(later):
            i, j = at + earlier, at + later
            rows.append(np.column_stack([owners[i] << np.uint64(32) | owners[j],
                                         places[i] << np.uint64(32) | places[j]]))
    return np.concatenate(rows) if rows else np.empty((0, 2), dtype=np.uint64)


def _enough_pieces(rows: np.ndarray) -> np.ndarray:
    """The ``(i, j)`` pairs whose rows (:func:`piece_rows`) form at least :data:`MIN_PIECES`
    pieces, sorted: a piece is a run of shingles each one word after the last on both sides."""
    if len(rows) < MIN_PIECES:
        return np.empty((0, 2), dtype=np.int64)
    order = np.lexsort((rows[:, 1], rows[:, 0]))  # by pair, then place in the first article
    codes, places = rows[order, 0], rows[order, 1]
    place_a = (places >> np.uint64(32)).astype(np.int64)
    place_b = (places & np.uint64(0xFFFFFFFF)).astype(np.int64)
    same = codes[1:] == codes[:-1]
    follows = (np.diff(place_a) == 1) & (np.diff(place_b) == 1)
    starts, sizes = groups(~same)
    breaks = np.r_[0, np.cumsum(same & ~follows)]  # pieces begun after each pair's first
    pieces = breaks[starts + sizes - 1] - breaks[starts] + 1
    return unpack_pairs(codes[starts[pieces >= MIN_PIECES]].astype(np.int64))


def piece_pairs(entries: np.ndarray, key_mask: np.uint64, owner_mask: np.uint64) -> np.ndarray:
    """The sorted ``(i, j)`` pairs that are the first two holders of shingles forming at least
    :data:`MIN_PIECES` separate pieces, from every article's rows (:func:`piece_entries`)."""
    return _enough_pieces(piece_rows(entries, key_mask, owner_mask))


def spilled_piece_pairs(parts: Iterable[np.ndarray], folder: str | Path, key_mask: np.uint64,
                        owner_mask: np.uint64) -> tuple[np.ndarray, dict[str, Any]]:
    """:func:`piece_pairs` of entries given in parts, each holding every entry of its shingles
    (:class:`dedup.spill.PartitionedKeys` by their top bits), in bounded memory: each part's rows
    go to files by a hash of the pair, and each of those files is counted on its own. Returns the
    pairs and counts for the report."""
    spilled = PartitionedKeys(folder, "piece-pairs", _PARTS, by="hash", columns=2)
    items = shared = 0
    for entries in parts:
        items += len(entries)
        rows = piece_rows(entries, key_mask, owner_mask)
        shared += len(rows)
        spilled.append(rows)
    found = [_enough_pieces(rows) for rows in spilled.parts()]
    pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)
    if len(pairs):
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return pairs, {"min_pieces": MIN_PIECES, "items": items, "shingles_shared": shared, "candidate_pairs": len(pairs)}
