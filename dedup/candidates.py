"""Candidate pairs from the two LSH tiers, computed chunk by chunk and band by band.

Per chunk of articles (in a worker process): tokens, shingles, signatures of the whole articles
and of their passage windows, and each signature's LSH band keys. A band key is packed together
with its article's index into one uint64 (top bits: key, low :data:`OWNER_BITS` bits: article),
so finding the articles that share a bucket is one sort per band. Only these packed keys travel
between processes and stay in memory; tokens and shingles are recomputed later for the few
articles that turn out to be in candidate pairs.

Two tiers:

``document``
    whole-article signatures, banded for ``0.6 * threshold`` so that pairs at the near-duplicate
    threshold are found with near certainty;
``passage``
    signatures of overlapping windows of ``window_size`` shingles, in ``passage_bands`` bands
    of ``passage_rows`` rows, so that a shared passage inside otherwise different articles
    makes the pair a candidate.

The miss probability the bands imply is ``(1 - s**rows)**bands`` for a signature pair of
Jaccard ``s`` (see :func:`dedup.lsh.miss_probability`); it is reported in the scan's stats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .arrays import first_of_runs, in_sorted, pack_pairs, sorted_unique, split_by_count, unpack_pairs
from .compiled import start, use_kernels
from .config import Config
from .lsh import band_keys, band_params, even_odds, miss_probability
from .context import first_holders, first_places, joined_triples, triple_pairs
from .normalize import Tokens, fmix64_array, tokenize_joined
from .pieces import piece_entries, piece_pairs
from .shingle import _POSITION_MULTIPLIERS, shingle_hashes
from .signature import sign_joined

__all__ = ["ChunkKeys", "KEY_MASK", "OWNER_BITS", "OWNER_MASK", "TierPlan", "candidate_pairs", "candidate_triples",
           "candidates_of_texts", "first_holder_pairs", "load_kernels", "pairs_from_packed", "shared_at_least", "sign_chunk",
           "sorted_unique", "tiers", "unique_pairs"]

OWNER_BITS = 24  # up to 16.7 million articles per scan
OWNER_MASK = np.uint64((1 << OWNER_BITS) - 1)  # the bits of a packed key that number its article
KEY_MASK = ~OWNER_MASK  # the bits of a band key that a packed key keeps
_CONTENT_WEIGHT = 0x9E3779B97F4A7C15  # mixes a word's position into its content hash
_KERNEL_MIN_TOKENS = 1 << 17  # chunks this large are shingled by the compiled kernel (see dedup.compiled)


@dataclass(frozen=True)
class TierPlan:
    """How one tier is banded; ``threshold`` is the Jaccard it is banded for (the document
    tier) or at which a pair becomes a candidate with even odds (the passage tier)."""

    name: str
    threshold: float
    bands: int
    rows: int


def tiers(config: Config) -> tuple[TierPlan, TierPlan]:
    """The document and passage tiers for these settings."""
    document = round(config.threshold * 0.6, 4)
    bands, rows = config.passage_bands, config.passage_rows
    return (TierPlan("document", document, *band_params(document, config.num_perm)),
            TierPlan("passage", round(even_odds(bands, rows), 4), bands, rows))


@dataclass(frozen=True, eq=False)
class ChunkKeys:
    """What signing one chunk of articles yields: packed band keys per tier, and word counts.

    ``documents`` is ``(n, bands)`` and ``windows`` ``(n_windows, bands)``, both uint64 packed
    with the global article index. ``shingles[i]`` is 0 for an article shorter than a shingle.
    ``content[i]`` hashes article ``i``'s sequence of normalised words (exact copies share it).
    ``triples`` is ``(n_triples, 2)``: each article's distinct context triples (:mod:`dedup.context`),
    packed the same way, with the place each first stands at (:func:`dedup.context.first_places`).
    ``pieces`` is ``(n_shingles, 2)``: each article's distinct shingles, packed the same way, with
    the place each first stands at (:func:`dedup.pieces.piece_entries`).
    """

    documents: np.ndarray
    windows: np.ndarray
    triples: np.ndarray
    pieces: np.ndarray
    words: np.ndarray
    shingles: np.ndarray
    content: np.ndarray  # a hash of each article's normalised words: equal for exact copies


def _pack(keys: np.ndarray, owners: np.ndarray) -> np.ndarray:
    keys &= KEY_MASK  # in place: these arrays are the largest a chunk makes
    keys |= owners.astype(np.uint64)[:, None]
    return keys


def sign_chunk(texts: list[str], first_index: int, config: Config) -> ChunkKeys:
    """Tokenise, shingle, sign and band a chunk of articles numbered from ``first_index``."""
    joined = tokenize_joined(texts)
    shingles, words, counts, content = joined_shingles(texts, config.shingle_size, joined=joined)
    present = np.flatnonzero(counts > 0)
    document_tier, passage_tier = tiers(config)
    signatures = sign_joined(shingles, counts[present], num_perm=config.num_perm, seed=config.seed,
                             window_size=config.window_size)
    owners = present + first_index
    documents = _pack(band_keys(signatures.documents, document_tier.bands, document_tier.rows), owners)
    windows = _pack(band_keys(signatures.windows, passage_tier.bands, passage_tier.rows),
                    owners[signatures.window_owner])
    triples, triple_owner, places = joined_triples(texts, joined[0], joined[2])
    keep = counts[triple_owner] > 0  # as for signatures: articles shorter than a shingle take no part
    triples = first_places(_pack(triples[keep][:, None], triple_owner[keep] + first_index).ravel(), places[keep])
    pieces = piece_entries(shingles, counts, np.arange(len(counts)) + first_index, KEY_MASK)
    return ChunkKeys(documents, windows, triples, pieces, words, counts, content)


def load_kernels(config: Config) -> None:
    """Sign with the compiled kernels from now on, and load them (on a machine's first run,
    compile them) now: worker processes forked afterwards inherit them instead of each paying
    for loading them (about 0.8 s) or, on a first run, all compiling them at once."""
    start()
    sign_chunk(["one short article to run every kernel of signing once"], 0, config)
    from .kernels import radix_sort  # the large sorts of signing and of the candidate pairs

    radix_sort(np.zeros(1, np.uint64), np.zeros(1, np.uint64))


def joined_shingles(texts: list[str], size: int, *, joined: tuple[Tokens, np.ndarray, np.ndarray] | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shingles of many texts as one array (in text order), with each text's word and shingle
    count and a hash of its sequence of normalised words.

    Tokenises the texts joined by newlines in one pass and drops the shingles that would span
    two texts. ``joined`` is :func:`dedup.normalize.tokenize_joined` of the texts, if already made.
    """
    whole, _, first_token = joined if joined is not None else tokenize_joined(texts)
    words = np.diff(np.r_[first_token, len(whole.starts)])
    if use_kernels(len(whole.hashes), _KERNEL_MIN_TOKENS):
        from .kernels import text_shingles

        shingles, counts, content = text_shingles(whole.hashes, first_token, words, size, _POSITION_MULTIPLIERS,
                                                   np.uint64(_CONTENT_WEIGHT))
    else:
        shingles, counts, content = _text_shingles_numpy(whole.hashes, first_token, words, size)
    return shingles, words, counts, content


def _text_shingles_numpy(hashes: np.ndarray, first_token: np.ndarray, words: np.ndarray,
                         size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each text's shingles, shingle count and content hash, from the joined texts' token hashes
    (:func:`dedup.kernels.text_shingles` is the compiled form)."""
    shingles = shingle_hashes(hashes, size)
    counts = np.maximum(words - size + 1, 0)
    keep = np.zeros(len(shingles) + 1, dtype=np.int64)  # +1/-1 marks: each text's valid shingle range
    np.add.at(keep, first_token[counts > 0], 1)
    np.add.at(keep, (first_token + counts)[counts > 0], -1)
    return shingles[np.cumsum(keep[:-1]) > 0], counts, _content_hashes(hashes, first_token, words)


def _content_hashes(hashes: np.ndarray, first_token: np.ndarray, words: np.ndarray) -> np.ndarray:
    """One hash per text of its word sequence (position-weighted sum of mixed word hashes)."""
    if len(hashes) == 0:
        return np.zeros(len(words), dtype=np.uint64)
    position = (np.arange(len(hashes)) - np.repeat(first_token, words)).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = fmix64_array(hashes ^ (position * np.uint64(_CONTENT_WEIGHT)))
        sums = np.zeros(len(words), dtype=np.uint64)
        nonempty = words > 0
        sums[nonempty] = np.add.reduceat(mixed, first_token[nonempty])
        return np.where(nonempty, fmix64_array(sums + words.astype(np.uint64)), np.uint64(0))



def pairs_from_packed(packed: np.ndarray, max_bucket_size: int) -> tuple[np.ndarray, int, int]:
    """Pairs of articles sharing a bucket, from one band's packed keys.

    Returns ``(pairs, shared_buckets, oversized_buckets)``; ``pairs`` is ``(m, 2)`` int64 with
    ``i < j``. A bucket with more than ``max_bucket_size`` articles (boilerplate) pairs its first
    ``max_bucket_size`` with each other and links each later one to the first, as the index meets
    them (:func:`dedup.buckets.bucket_members`), so the work stays linear in the bucket size.
    """
    packed = sorted_unique(packed)  # one entry per (key, article)
    keys = packed & KEY_MASK
    owners = (packed & OWNER_MASK).astype(np.int64)
    starts = np.flatnonzero(first_of_runs(keys))
    sizes = np.diff(np.r_[starts, len(keys)])
    pairs = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_bucket_size)]).tolist():
        members = owners[starts[sizes == size][:, None] + np.arange(size)]  # one row per bucket
        i, j = np.triu_indices(size, 1)
        pairs.append(np.column_stack([members[:, i].ravel(), members[:, j].ravel()]))
    big = np.flatnonzero(sizes > max_bucket_size)
    if len(big):  # as the index meets them: the first max_bucket_size pair fully, the later ones with the first
        members = owners[starts[big][:, None] + np.arange(max_bucket_size)]
        i, j = np.triu_indices(max_bucket_size, 1)
        pairs.append(np.column_stack([members[:, i].ravel(), members[:, j].ravel()]))
    for first, size in zip(starts[big].tolist(), sizes[big].tolist()):
        members = owners[first : first + size]
        pairs.append(np.column_stack([np.full(size - max_bucket_size, members[0]), members[max_bucket_size:]]))
    pairs = np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.int64)
    return pairs, int((sizes >= 2).sum()), len(big)


def unique_pairs(pairs: list[np.ndarray]) -> np.ndarray:
    """Sorted unique ``(i, j)`` rows from several arrays of pairs."""
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    both = np.concatenate(pairs)
    return unpack_pairs(sorted_unique(pack_pairs(both)))


def shared_at_least(pairs: list[np.ndarray], times: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique ``(i, j)`` rows that occur at least ``times`` times in ``pairs``, and the
    sorted codes (:func:`~dedup.arrays.pack_pairs`) of the distinct rows that occur fewer times."""
    none = np.empty(0, dtype=np.int64)
    if times <= 1:
        return unique_pairs(pairs), none
    if not pairs:
        return np.empty((0, 2), dtype=np.int64), none
    both = np.concatenate(pairs)
    kept, short = split_by_count(pack_pairs(both), times)
    return unpack_pairs(kept), short


def candidate_pairs(keys: list[list[np.ndarray]], config: Config) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Pairs of articles that share a bucket in any band of the document tier, or at least
    ``passage_min_buckets`` buckets of the passage tier, computed one band at a time.

    ``keys[t]`` holds the packed key arrays (one per chunk) of tier ``t`` as :func:`sign_chunk`
    made them. Returns the sorted unique pairs, the sorted codes (:func:`~dedup.arrays.pack_pairs`)
    of the pairs that share passage-tier buckets but fewer than ``passage_min_buckets`` (for
    :func:`first_holder_pairs`), and per-tier counts for the report.
    """
    found, stats, short = [], {}, np.empty(0, dtype=np.int64)
    for plan, chunks in zip(tiers(config), keys):
        pairs, shared, oversized = [], 0, 0
        for band in range(plan.bands):
            # One band's column gathered from every chunk: no copy of all keys at once.
            column = np.concatenate([chunk[:, band] for chunk in chunks]) if chunks else np.empty(0, np.uint64)
            band_pairs, band_shared, band_oversized = pairs_from_packed(column, config.max_bucket_size)
            pairs.append(band_pairs)
            shared += band_shared
            oversized += band_oversized
        needed = config.passage_min_buckets if plan.name == "passage" else 1
        tier_pairs, too_few = shared_at_least(pairs, needed)
        if plan.name == "passage":
            short = too_few
        stats[f"lsh_{plan.name}"] = {
            "threshold": plan.threshold, "bands": plan.bands, "rows": plan.rows, "items": sum(len(c) for c in chunks),
            "buckets_shared": shared, "buckets_oversized": oversized, "candidate_pairs": len(tier_pairs),
            **({"min_shared_buckets": needed, "pairs_below_min_shared_buckets": len(too_few)} if needed > 1 else {}),
            "miss_probability": {f"jaccard_{s}": round(miss_probability(s, plan.bands, plan.rows), 6)
                                 for s in (0.3, 0.5, 0.8)},
        }
        found.append(tier_pairs)
    return unique_pairs(found), short, stats


def first_holder_pairs(short: np.ndarray, firsts: Iterable[np.ndarray]) -> np.ndarray:
    """The pairs sharing too few passage-tier buckets (``short``, sorted codes, from
    :func:`candidate_pairs`) whose two articles are the first two holders of a context triple
    (``firsts``: sorted codes of :func:`dedup.context.first_holders`, in parts), as sorted
    ``(i, j)`` rows: candidates too.

    One shared bucket is most often a stock phrase that was the minimum of two windows by
    chance, and such pairs grow with the square of the corpus; a triple gives one pair of first
    holders at most, so these pairs grow with the corpus. Measured: PAN 2013 random edits +0.004
    plagdet and no false pair more on the no-reuse set, for 3.9 % more candidate pairs on a
    20,000-article news-like corpus and 8.5 % more at 100,000.
    """
    found = [codes[in_sorted(codes, short)] for codes in (c.astype(np.int64, copy=False) for c in firsts)]
    return unpack_pairs(sorted_unique(np.concatenate(found))) if found else np.empty((0, 2), dtype=np.int64)


def candidates_of_texts(texts: list[str], config: Config) -> np.ndarray:
    """Candidate pairs (indices into ``texts``) of a small batch, in one process."""
    chunk = sign_chunk(texts, 0, config)
    pairs, short, _ = candidate_pairs([[chunk.documents], [chunk.windows]], config)
    firsts = first_holders(chunk.triples, KEY_MASK, OWNER_MASK)
    return unique_pairs([pairs, candidate_triples([chunk.triples])[0], first_holder_pairs(short, [firsts]),
                         piece_pairs(chunk.pieces, KEY_MASK, OWNER_MASK)])


def candidate_triples(chunks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Pairs of articles sharing context triples (:func:`dedup.context.triple_pairs`), from the
    triple entries of every chunk: the pairs, whether their triples stand together, and counts
    for the report."""
    entries = np.concatenate(chunks) if chunks else np.empty((0, 2), np.uint64)
    return triple_pairs(entries, KEY_MASK, OWNER_MASK)
