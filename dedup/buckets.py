"""Which stored articles a new one meets in the index, and which of them are worth aligning.

The index bands each article exactly as :func:`dedup.scan` does (:func:`document_keys`), finds
who shares a bucket with it under the same boilerplate rule (:func:`bucket_members`), and drops
the pairs that :func:`~dedup.detect.compare_documents` would reject for sharing too few shingles
before reading their text (:func:`may_pair`), so a query answers exactly what a scan reports.
Context triples (:mod:`dedup.context`) are stored as keys too, and pair articles under the
scan's rule for them (:func:`triple_members`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .arrays import distinct, first_of_runs, groups, ranks, sort_carrying, split_by_count
from .candidates import KEY_MASK, OWNER_MASK, sorted_unique, tiers
from .config import Config
from .context import MAX_HOLDERS, MIN_SHARED, together, triple_set
from .context import triple_places as context_places
from .detect import _MIN_SHARED_SHINGLES, Document, _shared
from .lsh import band_keys
from .signature import sign

__all__ = ["arranged", "arrivals", "bucket_members", "bucket_pairs", "document_keys", "is_triple",
           "may_pair", "pair_codes", "second_holders", "shingle_tops", "split_codes", "triple_members", "triple_places"]

# The top two bits of a stored key say what it is: 00 a document band, 10 a passage band, 01 a
# context triple.
_PASSAGE_TIER = np.uint64(1 << 63)
_TRIPLE = np.uint64(1 << 62)
_TAG_SHIFT = np.uint64(2)


def document_keys(documents: list[Document], config: Config) -> list[np.ndarray]:
    """Each document's LSH band keys of both tiers and its context triples, as sorted unique
    int64 (one batch of signing)."""
    sigs = sign([d.shingles for d in documents], num_perm=config.num_perm, seed=config.seed,
                window_size=config.window_size)
    document_tier, passage_tier = tiers(config)  # banded exactly as a scan bands them
    doc_keys = band_keys(sigs.documents, document_tier.bands, document_tier.rows)
    win_keys = band_keys(sigs.windows, passage_tier.bands, passage_tier.rows)
    doc_keys = doc_keys >> _TAG_SHIFT
    win_keys = (win_keys >> _TAG_SHIFT) | _PASSAGE_TIER
    bounds = np.searchsorted(sigs.window_owner, np.arange(len(documents) + 1))
    triples = [_stored_triples(triple_set(d.article.text, d.tokens)) for d in documents]
    # The top 40 bits, as a scan packs them (the low bits number the article in the stores).
    return [sorted_unique(np.concatenate([doc_keys[i], win_keys[bounds[i]:bounds[i + 1]].ravel(), triples[i]])
                          & KEY_MASK).view(np.int64) for i in range(len(documents))]


def _stored_triples(triples: np.ndarray) -> np.ndarray:
    """Context triple hashes as stored keys (tagged; their top 40 bits are kept, see below)."""
    return (triples >> _TAG_SHIFT) | _TRIPLE


def triple_places(document: Document) -> np.ndarray:
    """A document's stored context triple keys, sorted, with the place each first stands at
    (:func:`dedup.context.triple_places`) in the low bits (int64; what the stores keep)."""
    keys, places = context_places(document.article.text, document.tokens)
    stored = _stored_triples(keys) & KEY_MASK  # sorted, as the keys are: both steps keep their order
    if len(stored) == 0:
        return stored.view(np.int64)
    starts = np.flatnonzero(first_of_runs(stored))
    if len(starts) < len(stored):  # masked keys may meet: the first place counts
        stored, places = stored[starts], np.minimum.reduceat(places, starts)
    return (stored | np.minimum(places.astype(np.uint64), OWNER_MASK)).view(np.int64)


def is_triple(keys: np.ndarray) -> np.ndarray:
    """Which of these stored keys (int64) are context triples rather than LSH band keys."""
    return (keys.view(np.uint64) >> np.uint64(62)) == 1


def arranged(keylists: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The keys of all these lists (each sorted; stored keys, whose low ``OWNER_BITS`` are zero)
    sorted by key and then list, and the list each one comes from: ``(keys, owner)``."""
    if not keylists:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Each key with its list's number in its low bits, sorted as one array: one sorted run per
    # list, which a stable sort merges (faster than a stable argsort of the keys).
    packed = np.sort(np.concatenate(keylists) | np.repeat(np.arange(len(keylists)), [len(k) for k in keylists]),
                     kind="stable")
    return packed & _KEY_BITS, packed & _LOW_BITS


def arrivals(keylists: list[np.ndarray], stored_keys: np.ndarray,
             arranged_keys: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, ...]:
    """The new articles' keys grouped by key, each holder ranked among the key's holders.

    Each key's holders are its stored ones, then the new articles holding it, in order. Returns
    ``(keys, owner, starts, lo, stored, group, earlier)``: the keys sorted (stably, so one key's
    new holders stay in article order) with each one's article; each key group's start, first
    stored holder and number of stored holders; and per entry its group and how many new
    articles hold the key before it. ``arranged_keys`` is :func:`arranged` of ``keylists``, when
    the caller has it already.
    """
    keys, owner = arranged(keylists) if arranged_keys is None else arranged_keys
    if len(keys) == 0:
        none = np.empty(0, np.int64)
        return keys, owner, none, none, none, none, none
    starts, sizes = groups(keys[1:] != keys[:-1])
    lo = np.searchsorted(stored_keys, keys[starts], "left")
    stored = np.searchsorted(stored_keys, keys[starts], "right") - lo
    group = np.repeat(np.arange(len(starts)), sizes)
    return keys, owner, starts, lo, stored, group, np.arange(len(keys)) - starts[group]


def _place_table(entries: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted ``key | number`` and each one's place, from triple places by article number."""
    if not entries:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    places = np.concatenate(list(entries.values()))
    numbers = np.repeat(np.fromiter(entries, dtype=np.int64, count=len(entries)), [len(e) for e in entries.values()])
    return sort_carrying((places & _KEY_BITS) | numbers, places & _LOW_BITS)


def _places_of(table: tuple[np.ndarray, np.ndarray], keys: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """The place of each key in the article numbered alongside it (``table`` from
    :func:`_place_table`); -1 where the table does not have it: a stored article that another
    worker removed or replaced after its keys were looked up (a Redis index reads without a
    snapshot). Such an article is gone from the answer anyway: its row is not found either."""
    found, places = table
    wanted = keys | numbers
    if len(found) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(found, wanted), len(found) - 1)
    return np.where(found[at] == wanted, places[at], -1)


_KEY_BITS = np.int64(~int(OWNER_MASK))  # KEY_MASK as int64
_LOW_BITS = np.int64(OWNER_MASK)  # an article's number, or a triple's place


def pair_codes(article: np.ndarray, member: np.ndarray) -> np.ndarray:
    """``(article, member)`` pairs (members may be negative) as one sortable int64 each."""
    return article << 40 | (member + (1 << 39))


def split_codes(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``(article, member)`` pairs of :func:`pair_codes`."""
    return code >> 40, (code & ((1 << 40) - 1)) - (1 << 39)


def bucket_members(keylists: list[np.ndarray], stored_keys: np.ndarray, stored_seqs: np.ndarray,
                   max_bucket_size: int, passage_min_buckets: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Who shares a bucket with each new article ``j`` (in order) when it arrives.

    Members are stored seqs (positive) or earlier new articles ``i`` (encoded ``-(i + 1)``).
    ``stored_keys``/``stored_seqs`` are the stored holders of the keys, sorted by (key, seq).
    A bucket already holding ``max_bucket_size`` articles yields only its first member. A member
    counts when it shares a document-tier bucket or ``passage_min_buckets`` passage-tier ones,
    as in :func:`dedup.candidates.candidate_pairs`.
    Returns ``(article, member)``: the distinct pairs, sorted by article, then member.
    """
    return split_codes(bucket_pairs(keylists, stored_keys, stored_seqs, max_bucket_size, passage_min_buckets)[0])


def bucket_pairs(keylists: list[np.ndarray], stored_keys: np.ndarray, stored_seqs: np.ndarray,
                 max_bucket_size: int, passage_min_buckets: int = 1,
                 arranged_keys: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`bucket_members` as sorted :func:`pair_codes`, and the sorted codes of the pairs
    that share passage-tier buckets but too few of them (as
    :func:`dedup.candidates.candidate_pairs` returns them too). ``arranged_keys`` as in
    :func:`arrivals`."""
    if not sum(len(k) for k in keylists):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    keys, owner, starts, lo, stored, group, earlier = arrivals(keylists, stored_keys, arranged_keys)
    # The holder at rank r of a group meets the r before it, or only the first once r reaches the cap.
    held = stored[group] + earlier
    met = np.flatnonzero(held > 0)
    group, earlier, held, owner_met = group[met], earlier[met], held[met], owner[met]
    whole = held < max_bucket_size
    from_stored, from_new = np.where(whole, stored[group], 0), np.where(whole, earlier, 0)
    capped = np.flatnonzero(~whole)
    first_new = -owner[starts[group[capped]]] - 1
    first_stored = stored_seqs[np.minimum(lo[group[capped]], len(stored_seqs) - 1)] if len(stored_seqs) else first_new
    article = np.concatenate([np.repeat(owner_met, from_stored), np.repeat(owner_met, from_new), owner_met[capped]])
    member = np.concatenate([stored_seqs[np.repeat(lo[group], from_stored) + ranks(from_stored)],
                             -owner[np.repeat(starts[group], from_new) + ranks(from_new)] - 1,
                             np.where(stored[group[capped]] > 0, first_stored, first_new)])
    # Passage-tier keys have the top bit set (negative as int64); a document-tier one is enough alone.
    weight = np.where(keys[starts[group]] < 0, 1, passage_min_buckets)
    weight = np.concatenate([np.repeat(weight, from_stored), np.repeat(weight, from_new), weight[capped]])
    return split_by_count(pair_codes(article, member), passage_min_buckets, weight)


def second_holders(keylists: list[np.ndarray], stored_keys: np.ndarray, stored_seqs: np.ndarray,
                   arrived: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """The sorted :func:`pair_codes` ``(j, member)`` of each new article ``j`` (in order) that is
    the second holder of one of its keys (context triples) when it arrives, with the first
    holder: a stored seq, or an earlier new article (members as in :func:`bucket_members`).
    ``stored_keys``/``stored_seqs`` are as there (a key's first holders suffice: two say it is
    not the second). :func:`dedup.context.first_holders` is the scan's rule. ``arrived`` is
    :func:`arrivals` of these keys, when the caller has it already (:func:`triple_members` takes
    it too); ``keylists`` are then not read.
    """
    keys, owner, starts, lo, stored, group, earlier = arrived or arrivals(keylists, stored_keys)
    if len(keys) == 0:
        return np.empty(0, np.int64)
    second = np.flatnonzero(stored[group] + earlier == 1)
    group = group[second]
    first = -owner[starts[group]] - 1  # the first new holder, unless the key has a stored one
    held = stored[group] == 1
    first[held] = stored_seqs[lo[group[held]]]
    return sorted_unique(pair_codes(owner[second], first))


def shingle_tops(document: Document) -> np.ndarray:
    """The distinct top 32 bits of a document's shingle hashes, sorted (what the store keeps)."""
    tops = (document.shingle_set >> np.uint64(32)).astype(np.uint32)
    return distinct(tops)


def may_pair(a: Document, a_tops: np.ndarray, b_tops: np.ndarray) -> bool:
    """``False`` only for a pair that :func:`~dedup.detect.compare_documents` rejects for sharing
    fewer than ``_MIN_SHARED_SHINGLES`` shingles, decided from the stored tops of ``b``'s shingles
    without reading or tokenising its text (a pair found by context triples is aligned anyway,
    and not asked about).

    Exact, not approximate: when ``a``'s shingles have distinct tops, every shingle the two share
    gives a distinct shared top, so fewer shared tops means fewer shared shingles. A pair with a
    collision among ``a``'s tops, or with a tiny shingle set, is left to ``compare_documents``.
    """
    if len(a_tops) < max(len(a.shingle_set), _MIN_SHARED_SHINGLES) or len(b_tops) < _MIN_SHARED_SHINGLES:
        return True
    return _shared(a_tops, b_tops) >= _MIN_SHARED_SHINGLES


def triple_members(keylists: list[np.ndarray], places: list[np.ndarray], stored_keys: np.ndarray,
                   stored_seqs: np.ndarray, stored_places: Callable[[list[int]], dict[int, np.ndarray]],
                   max_holders: int = MAX_HOLDERS, min_shared: int = MIN_SHARED,
                   arrived: tuple[np.ndarray, ...] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who shares at least ``min_shared`` context triples with each new article ``j`` (in order)
    when it arrives, or two that stand together (:func:`dedup.context.together`), counting a
    triple only while fewer than ``max_holders`` hold it (the rule of
    :func:`dedup.context.triple_pairs`).

    ``keylists`` hold only triple keys; ``places[j]`` are article ``j``'s triple places
    (:func:`triple_places`, all of them), ``stored_places(seqs)`` gives stored articles' places
    by seq. Members are as in :func:`bucket_members`; ``arrived`` as in :func:`second_holders`.
    Returns ``(article, member, together)``.
    """
    empty = np.empty(0, np.int64)
    keys, owner, starts, lo, stored, group, earlier = arrived or arrivals(keylists, stored_keys)
    if len(keys) == 0:
        return empty, empty, np.empty(0, dtype=bool)
    held = stored[group] + earlier
    met = np.flatnonzero((held > 0) & (held < max_holders))
    group, earlier, owner_met = group[met], earlier[met], owner[met]
    from_stored = stored[group]
    article = np.concatenate([np.repeat(owner_met, from_stored), np.repeat(owner_met, earlier)])
    member = np.concatenate([stored_seqs[np.repeat(lo[group], from_stored) + ranks(from_stored)],
                             -owner[np.repeat(starts[group], earlier) + ranks(earlier)] - 1])
    key = np.concatenate([np.repeat(keys[starts[group]], from_stored), np.repeat(keys[starts[group]], earlier)])
    codes = pair_codes(article, member)
    order = np.argsort(codes, kind="stable")
    codes, article, member, key = codes[order], article[order], member[order], key[order]
    if len(codes) == 0:
        return empty, empty, np.empty(0, dtype=bool)
    first, sizes = groups(codes[1:] != codes[:-1])
    pair = np.repeat(np.arange(len(first)), sizes)
    # Places are needed only where two or more triples are shared.
    asked = np.flatnonzero(sizes[pair] >= 2)
    others = member[asked]
    involved = np.unique(np.concatenate([article[asked], -others[others < 0] - 1])).tolist()
    new = _place_table({j: places[j] for j in involved})
    place_a = _places_of(new, key[asked], article[asked])
    seqs = np.unique(others[others > 0]).tolist()
    place_b = np.zeros(len(asked), dtype=np.int64)
    if seqs:
        outside = others > 0
        place_b[outside] = _places_of(_place_table(stored_places(seqs)), key[asked][outside], others[outside])
    inside = others < 0
    place_b[inside] = _places_of(new, key[asked][inside], -others[inside] - 1)
    close = together(pair[asked], place_a, place_b, len(first))
    kept = (sizes >= min_shared) | close
    article, member = split_codes(codes[first[kept]])
    return article, member, close[kept]
