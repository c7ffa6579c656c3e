"""Compiled loops of the hot paths: tokenising, MinHash signing, LSH band keys, the index's key
filter, and the per-pair steps of alignment.

Each kernel does in one pass what the numpy code does in a dozen passes over arrays as long as
the text (tokenising) or ``num_perm`` times as long as the shingles (signing): about ten times
less CPU on a chunk of news articles. Alignment meets small arrays (a few hundred words per
pair), where numpy's cost is its calls, not its loops: the kernels for seeds, chains, sentence
features, the clustering of sentence seeds and the set comparisons of a pair do one call each.
They are plain loops compiled by numba, imported only when an input is large enough to repay
loading them (:mod:`dedup.compiled`); the numpy code serves smaller inputs. Tests hold each
kernel equal, on random inputs, to that numpy code and to the readable definitions: the
:data:`dedup.normalize._TOKEN` regex and :func:`dedup.normalize.key_hash` for
:func:`tokenize_codes`; datasketch's ``MinHash`` for the signatures.

The machine code is cached (``cache=True``) next to this file in ``__pycache__`` or, where
that is read-only, in numba's cache directory for the user (``NUMBA_CACHE_DIR`` overrides
both), so only a machine's first run compiles (about 15 seconds); without any writable place
the kernels compile in every process that loads them. ``nogil=True``: threads may share them.
"""

from __future__ import annotations

import numba
import numpy as np

from .normalize import _DIGIT, _DROP, _JOINER, _PERIOD, _WORD

__all__ = ["band_keys", "chain_points", "close_runs", "consistent_seeds", "filter_keys", "first_place_keys",
           "insert_terms", "joint_entry_codes", "json_integers", "lookup_terms", "merge_sorted",
           "multiset_shared", "packed_ranges", "packed_spans", "radix_sort", "range_vectors",
           "seed_clusters", "seed_points", "sentence_bounds", "sentence_entries", "sentence_frequencies",
           "sentence_seeds", "sentence_tally", "sign_documents", "sign_windows", "sorted_intersection",
           "summary_groups", "text_shingles", "tokenize_codes"]

_COMMA = ord(",")
_M1, _M2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)


def _jit(function):
    """Compile ``function`` lazily, caching its machine code where there is a place for it."""
    try:
        return numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # numba found no writable cache directory
        return numba.njit(nogil=True)(function)


@_jit
def _fmix64(h):
    """MurmurHash3's 64-bit finaliser (:func:`dedup.normalize.fmix64_array`)."""
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    return h ^ (h >> _S33)


@_jit
def _joins(code, before, after):
    """Whether a joiner character (class bits known) with these neighbours' class bits belongs
    to a token: both neighbours are word characters, and a comma needs two digits."""
    if (before & _WORD) == 0 or (after & _WORD) == 0:
        return False
    return code != _COMMA or ((before & _DIGIT) != 0 and (after & _DIGIT) != 0)


@_jit
def tokenize_codes(codes, keys, classes, lower, weights, length_weight):
    """Tokens of a text given as code points (uint8; any code above 127 may stand for every
    other character), in one pass.

    A character's class bits are ``classes[keys[i]]``: ``keys`` is the text itself for ASCII
    text (and ``classes`` the ASCII table), or the text's precomputed class bits (and
    ``classes`` the identity). Returns ``(starts, ends, hashes, foreign)``: each token's span,
    its key hash, and whether it holds a character beyond ASCII (its hash is then left 0, for
    the caller to compute from the full Unicode normalisation).
    """
    n = len(codes)
    # Every token starts a run of word characters (joiners only join runs), so the runs bound the
    # tokens: one cheap pass sizes the arrays (n // 2 + 1 entries each would be 35 MB for 2.8 MB
    # of text, and their pages fault in as they are written).
    capacity, previous = 0, False
    for i in range(n):
        word = (classes[keys[i]] & _WORD) != 0
        capacity += word and not previous
        previous = word
    starts = np.empty(capacity, dtype=np.int64)
    ends = np.empty(capacity, dtype=np.int64)
    hashes = np.zeros(capacity, dtype=np.uint64)
    foreign = np.zeros(capacity, dtype=np.bool_)
    count, i = 0, 0
    while i < n:
        here = classes[keys[i]]
        if (here & _WORD) == 0:  # a token starts at a word character (a joiner needs one before it)
            i += 1
            continue
        start, wide, digits, periods = i, False, False, False
        # The key hash (dedup.normalize.key_hash of normalize_token) is summed as the token is
        # read: lower case; apostrophes, commas and periods dropped. A token holding a digit keeps
        # its periods, which is known only at its end: such a rare token is summed again.
        total, kept = np.uint64(0), 0
        while True:
            code = codes[i]
            wide |= code > 127
            digits |= (here & _DIGIT) != 0
            if (here & (_DROP | _PERIOD)) == 0:
                total += np.uint64(lower[code]) * weights[kept & 63]
                kept += 1
            elif (here & _PERIOD) != 0:
                periods = True
            i += 1
            if i == n:
                break
            # Whether character i still belongs to the token (the rule of
            # dedup.normalize._token_mask), inline: a helper taking the arrays for every
            # character would cost reference counting.
            here = classes[keys[i]]
            if (here & _WORD) == 0 and not ((here & _JOINER) != 0 and i < n - 1
                                            and _joins(codes[i], classes[keys[i - 1]], classes[keys[i + 1]])):
                break
        starts[count], ends[count], foreign[count] = start, i, wide
        if not wide:
            if digits and periods:
                total, kept = np.uint64(0), 0
                for k in range(start, i):
                    if (classes[keys[k]] & _DROP) == 0:
                        total += np.uint64(lower[codes[k]]) * weights[kept & 63]
                        kept += 1
            hashes[count] = _fmix64(total + np.uint64(kept) * length_weight)
        count += 1
    return starts[:count], ends[:count], hashes[:count], foreign[:count]


@_jit
def text_shingles(hashes, first_token, words, size, multipliers, position_weight):
    """Shingles of many texts from the token hashes of the texts joined, and a hash of each
    text's word sequence (:func:`dedup.candidates.joined_shingles` with numpy).

    Text ``t`` has ``words[t]`` tokens from ``first_token[t]``. Returns ``(shingles, counts,
    content)``: the texts' ``size``-word shingle hashes in text order (none spans two texts),
    each text's shingle count, and its content hash (0 for a text without words).
    """
    counts = np.empty(len(words), dtype=np.int64)
    for t in range(len(words)):  # loops, not array expressions: those slow the first compilation
        counts[t] = max(words[t] - size + 1, 0)
    shingles = np.empty(counts.sum(), dtype=np.uint64)
    content = np.zeros(len(words), dtype=np.uint64)
    k = 0
    for t in range(len(words)):
        first = first_token[t]
        for i in range(first, first + counts[t]):
            total = np.uint64(0)
            for offset in range(size):
                total += hashes[i + offset] * multipliers[offset]
            shingles[k] = _fmix64(total)
            k += 1
        if words[t] > 0:
            total = np.uint64(0)
            for position in range(words[t]):
                total += _fmix64(hashes[first + position] ^ (np.uint64(position) * position_weight))
            content[t] = _fmix64(total + np.uint64(words[t]))
    return shingles, counts, content


@_jit
def _fmix32(h):
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    h ^= h >> np.uint32(16)
    h = np.uint32(h * np.uint32(0x85EBCA6B))
    h ^= h >> np.uint32(13)
    h = np.uint32(h * np.uint32(0xC2B2AE35))
    return h ^ (h >> np.uint32(16))


@_jit
def _block_minimum(shingles, start, end, a, b, out):
    """``out[p]`` = the least permuted 32-bit hash of ``shingles[start:end]`` under permutation
    ``p``: datasketch's affine32 scheme, ``a * fmix32(top 32 bits) + b`` wrapping mod 2^32."""
    for p in range(len(a)):
        out[p] = np.uint32(0xFFFFFFFF)
    for row in range(start, end):
        hv = _fmix32(np.uint32(shingles[row] >> np.uint64(32)))
        for p in range(len(a)):
            v = np.uint32(a[p] * hv + b[p])
            if v < out[p]:
                out[p] = v


@_jit
def sign_windows(shingles, lengths, stride, a, b):
    """Signatures of documents (``lengths[d]`` consecutive shingles each) and of their windows.

    Each document is cut into blocks of ``stride`` shingles; a window is two neighbouring blocks
    (a one-block document is one window). Returns ``(documents, windows, window_owner)`` with
    windows in document order. (Plain loops throughout: array expressions would add seconds to
    the first compilation.)
    """
    num_perm = len(a)
    n_windows = 0
    for d in range(len(lengths)):
        n_windows += max((lengths[d] + stride - 1) // stride - 1, 1)
    documents = np.empty((len(lengths), num_perm), dtype=np.uint32)
    windows = np.empty((n_windows, num_perm), dtype=np.uint32)
    window_owner = np.empty(n_windows, dtype=np.int64)
    previous = np.empty(num_perm, dtype=np.uint32)
    current = np.empty(num_perm, dtype=np.uint32)
    row, w = 0, 0
    for d in range(len(lengths)):
        end = row + lengths[d]
        blocks = (lengths[d] + stride - 1) // stride
        for k in range(blocks):
            _block_minimum(shingles, row + k * stride, min(row + (k + 1) * stride, end), a, b, current)
            for p in range(num_perm):
                documents[d, p] = current[p] if k == 0 else min(documents[d, p], current[p])
            if k > 0 or blocks == 1:
                for p in range(num_perm):
                    windows[w, p] = current[p] if blocks == 1 else min(previous[p], current[p])
                window_owner[w] = d
                w += 1
            previous, current = current, previous
        row = end
    return documents, windows, window_owner


@_jit
def sign_documents(shingles, lengths, a, b):
    """Whole-document signatures only: ``lengths[d]`` consecutive shingles per document."""
    documents = np.empty((len(lengths), len(a)), dtype=np.uint32)
    row = 0
    for d in range(len(lengths)):
        _block_minimum(shingles, row, row + lengths[d], a, b, documents[d])
        row += lengths[d]
    return documents


@_jit
def band_keys(signatures, bands, rows, multipliers, band_weight):
    """A 64-bit key per (item, band) of uint32 signatures (:func:`dedup.lsh.band_keys`)."""
    keys = np.empty((len(signatures), bands), dtype=np.uint64)
    for i in range(len(signatures)):
        for band in range(bands):
            total = np.uint64(band) * band_weight
            for r in range(rows):
                total += np.uint64(signatures[i, band * rows + r]) * multipliers[r]
            total ^= total >> np.uint64(31)
            total *= np.uint64(0xBF58476D1CE4E5B9)
            keys[i, band] = total ^ (total >> np.uint64(29))
    return keys


@_jit
def lookup_terms(table_keys, table_values, hashes):
    """Each token hash's term in an open-addressing table (linear probing; key 0 marks an empty
    slot, so a hash of 0 is never found). Returns the terms (0 where missing) and which were
    missing."""
    mask = np.uint64(len(table_keys) - 1)
    terms = np.zeros(len(hashes), dtype=np.uint64)
    missing = np.zeros(len(hashes), dtype=np.bool_)
    for i in range(len(hashes)):
        key = hashes[i]
        if key == 0:
            missing[i] = True
            continue
        slot = key & mask
        while True:
            held = table_keys[slot]
            if held == key:
                terms[i] = table_values[slot]
                break
            if held == 0:
                missing[i] = True
                break
            slot = (slot + np.uint64(1)) & mask
    return terms, missing


@_jit
def insert_terms(table_keys, table_values, keys, values):
    """Put ``keys`` (nonzero) and their ``values`` into the table of :func:`lookup_terms` (with
    room to spare); returns how many keys were new."""
    mask = np.uint64(len(table_keys) - 1)
    added = 0
    for i in range(len(keys)):
        key = keys[i]
        if key == 0:
            continue
        slot = key & mask
        while table_keys[slot] != 0 and table_keys[slot] != key:
            slot = (slot + np.uint64(1)) & mask
        if table_keys[slot] == 0:
            added += 1
        table_keys[slot] = key
        table_values[slot] = values[i]
    return added


@_jit
def filter_keys(bits, keys, owner_bits, spread, slot_bits, hashes, mark):
    """The key filter's bits of each key (:func:`dedup.store.keyfilter._slots`: the key's bits
    above ``owner_bits``, plus 0 to ``hashes - 1`` times an odd multiplicative hash of them) in
    one pass: with ``mark``, set them and return nothing useful; else return whether all are set."""
    held = np.ones(len(keys), dtype=np.bool_)
    slot_mask = (np.uint64(1) << np.uint64(slot_bits)) - np.uint64(1)
    top = np.uint64(64 - slot_bits)
    for i in range(len(keys)):
        key = np.uint64(keys[i]) >> np.uint64(owner_bits)
        step = ((key * spread) >> top) | np.uint64(1)
        for h in range(hashes):
            s = (key + np.uint64(h) * step) & slot_mask
            byte, bit = s >> np.uint64(3), np.uint8(1) << np.uint8(s & np.uint64(7))
            if mark:
                bits[byte] |= bit
            elif bits[byte] & bit == 0:
                held[i] = False
                break
    return held


_DIGIT_BITS = 8  # a radix sort's digit: 8 passes of 256 counters (which stay in the L1 cache)
_DIGITS = 64 // _DIGIT_BITS
_DIGIT_MASK = np.uint64((1 << _DIGIT_BITS) - 1)


@_jit
def radix_sort(values, payload):
    """``values`` (uint64) sorted, and ``payload`` (same length, or empty) in the same order: a
    stable least-significant-digit radix sort, whose counts for every digit are taken in one
    pass and which skips the digits that all values share (the high bits of pair codes). On the
    scan's arrays of a few hundred thousand keys, about a quarter of the time of ``np.sort``
    and a third of ``np.argsort``'s (see :func:`dedup.arrays.sort_carrying`)."""
    n = len(values)
    carry = len(payload) == n
    counts = np.zeros((_DIGITS, 1 << _DIGIT_BITS), np.int64)
    for v in values:
        for d in range(_DIGITS):
            counts[d, (v >> np.uint64(d * _DIGIT_BITS)) & _DIGIT_MASK] += 1
    a, b = values.copy(), np.empty_like(values)
    pa, pb = payload.copy(), np.empty_like(payload)
    for d in range(_DIGITS):
        shift = np.uint64(d * _DIGIT_BITS)
        row = counts[d]
        if n == 0 or row[(a[0] >> shift) & _DIGIT_MASK] == n:
            continue  # every value has this digit: the order stays
        total = 0
        for digit in range(1 << _DIGIT_BITS):
            count = row[digit]
            row[digit] = total
            total += count
        for k in range(n):
            v = a[k]
            digit = (v >> shift) & _DIGIT_MASK
            at = row[digit]
            row[digit] = at + 1
            b[at] = v
            if carry:
                pb[at] = pa[k]
        a, b = b, a
        pa, pb = pb, pa
    return a, pa


@_jit
def _ascii_space(c):
    """Whether ASCII code ``c`` is whitespace as ``str.isspace`` and the regex ``\\s`` see it
    (tab to carriage return, the four separators 28-31, space)."""
    return 9 <= c <= 13 or 28 <= c <= 32


@_jit
def _closes(c):
    """An ASCII character that may follow sentence punctuation before the space: ``"')]``."""
    return c == 34 or c == 39 or c == 41 or c == 93


@_jit
def _mark(c):
    """Sentence punctuation: ``.!?;:``."""
    return c == 46 or c == 33 or c == 63 or c == 59 or c == 58


@_jit
def sentence_bounds(codes, starts, ends, abbreviation_chars):
    """:func:`dedup.sentences._boundaries` of an ASCII text (``codes``, its bytes): the token
    indices where a sentence starts, 0 and the token count included, gap by gap as
    :func:`dedup.sentences._boundaries_slow` reads them (a line break; spaces, then sentence
    punctuation, closers and a space; or sentence punctuation, closers and a space, after a
    word that does not look abbreviated unless the punctuation is not a period)."""
    count = len(starts)
    cuts = np.empty(count + 1, np.int64)
    cuts[0] = 0
    n = 1
    for t in range(count - 1):
        g0, g1 = ends[t], starts[t + 1]
        cut = False
        for c in range(g0, g1):
            if codes[c] == 10:
                cut = True
                break
        if not cut and g0 < g1:
            c = g0
            spaced = _ascii_space(codes[c])
            while c < g1 and _ascii_space(codes[c]):
                c += 1
            if c < g1 and _mark(codes[c]):
                mark = codes[c]
                c += 1
                while c < g1 and _closes(codes[c]):
                    c += 1
                if c < g1 and _ascii_space(codes[c]):
                    if spaced or mark != 46:
                        cut = True
                    else:  # a period right after the word: not after an abbreviation (``Mr.``, ``U.S.``)
                        w0, w1 = starts[t], ends[t]
                        short = w1 - w0 <= abbreviation_chars
                        capital = 65 <= codes[w0] <= 90
                        dotted = False
                        for k in range(w0, w1):
                            if codes[k] == 46:
                                dotted = True
                        cut = not (short and (capital or dotted))
        if cut:
            cuts[n] = t + 1
            n += 1
    if count > 0:
        cuts[n] = count
        n += 1
    return cuts[:n]


@_jit
def merge_sorted(a, b):
    """The sorted values of two sorted arrays, ``a``'s first where they are equal (what a
    stable sort of both, one after the other, gives) in one pass: a quarter of the time of
    ``np.sort(..., kind="stable")``, which finds the two runs and merges them too."""
    out = np.empty(len(a) + len(b), dtype=a.dtype)
    i = j = k = 0
    while i < len(a) and j < len(b):  # without a branch on which comes first (a quarter faster)
        x, y = a[i], b[j]
        first = x <= y
        out[k] = x if first else y
        i += first
        j += 1 - first
        k += 1
    out[k : k + len(a) - i] = a[i:]
    out[k + len(a) - i :] = b[j:]
    return out


@_jit
def packed_spans(entries, keys, owner):
    """Where each of ``keys`` (sorted, low bits zero) has its packed entries (``key | owner``) in
    ``entries`` (sorted): ``(lo, hi)`` as ``np.searchsorted`` gives them for ``keys`` and
    ``keys | owner``. One pass along both, galloping over the entries between two keys: for many
    keys against a long run of entries (a chunk's against the recent ones), where a binary search
    per key would read the run at random and a step per entry would read all of it."""
    lo = np.empty(len(keys), dtype=np.int64)
    hi = np.empty(len(keys), dtype=np.int64)
    n = len(entries)
    i = 0  # entries before i are below the key
    for k in range(len(keys)):
        key = keys[k]
        if i < n and entries[i] < key:
            below, step = i, 1  # entries[below] < key; gallop until an entry is not
            ahead = below + step
            while ahead < n and entries[ahead] < key:
                below = ahead
                step *= 2
                ahead = below + step
            i = _first_not_below(entries, key, below + 1, min(ahead, n))
        lo[k] = i
        i = _past_key(entries, i, key | owner)
        hi[k] = i
    return lo, hi


@_jit
def packed_ranges(entries, sample, step, keys, owner):
    """Where each of ``keys`` (sorted, low bits zero) has its packed entries in ``entries``
    (sorted): ``(lo, hi)`` as ``np.searchsorted`` gives them for ``keys`` and ``keys | owner``.
    ``sample`` is ``entries[::step]``: small enough to stay in the processor's cache, it gives
    each key's block of ``step`` entries, read once. A binary search of millions of entries
    reads memory at random about 23 times per key (2 ms for a query's 837 keys)."""
    lo = np.empty(len(keys), dtype=np.int64)
    hi = np.empty(len(keys), dtype=np.int64)
    n = len(entries)
    for k in range(len(keys)):
        key = keys[k]
        i = max(_first_not_below(sample, key, 0, len(sample)) - 1, 0) * step
        while i < n and entries[i] < key:
            i += 1
        lo[k] = i
        hi[k] = _past_key(entries, i, key | owner)
    return lo, hi


@_jit
def _first_not_below(values, key, a, b):
    """The first index in ``[a, b)`` whose value (sorted) is not below ``key``, or ``b``."""
    while a < b:
        middle = (a + b) >> 1
        if values[middle] < key:
            a = middle + 1
        else:
            b = middle
    return a


@_jit
def _past_key(entries, i, last):
    """The index just past the entries from ``i`` on that are at most ``last`` (sorted)."""
    while i < len(entries) and entries[i] <= last:
        i += 1
    return i


@_jit
def json_integers(values, out):
    """Write ``values`` (int64) into ``out`` (uint8, at least 21 bytes per value and 2 more) as
    the JSON array ``json.dumps(values.tolist())`` would, without spaces; returns the length
    written. Without the GIL, unlike ``json.dumps``, so that a thread may encode while others run."""
    ten = np.uint64(10)
    digits = np.empty(20, dtype=np.uint8)
    n = 0
    out[n] = 91  # [
    n += 1
    for i in range(len(values)):
        if i:
            out[n] = 44  # ,
            n += 1
        value = values[i]
        if value < 0:
            out[n] = 45  # -
            n += 1
            magnitude = np.uint64(-(value + 1)) + np.uint64(1)  # also for the smallest int64
        else:
            magnitude = np.uint64(value)
        k = 0
        while True:
            digits[k] = np.uint8(48 + magnitude % ten)
            k += 1
            magnitude //= ten
            if magnitude == 0:
                break
        while k:
            k -= 1
            out[n] = digits[k]
            n += 1
    out[n] = 93  # ]
    return n + 1


@_jit
def seed_points(shingles_a, shingles_b, max_multiplicity):
    """Every ``(i, j)`` with ``shingles_a[i] == shingles_b[j]``, sorted by ``i`` then ``j``,
    leaving out a shingle held ``m`` times in A and ``n`` in B when ``m * n`` exceeds
    ``max_multiplicity`` (:func:`dedup.chains.seeds`).

    B's shingles go into an open-addressing table (linear probing on the low bits of the
    hash), each distinct one with its positions chained in ascending order; A's are looked up
    once to count them and once to emit their points."""
    size = 16
    while size < 2 * len(shingles_b):
        size *= 2
    mask = np.uint64(size - 1)
    keys = np.zeros(size, dtype=np.uint64)
    used = np.zeros(size, dtype=np.bool_)
    head = np.full(size, -1, dtype=np.int64)
    in_b = np.zeros(size, dtype=np.int64)
    in_a = np.zeros(size, dtype=np.int64)
    following = np.full(len(shingles_b), -1, dtype=np.int64)
    for j in range(len(shingles_b) - 1, -1, -1):  # backwards, so that each chain ascends
        value = shingles_b[j]
        slot = value & mask
        while used[slot] and keys[slot] != value:
            slot = (slot + np.uint64(1)) & mask
        used[slot] = True
        keys[slot] = value
        following[j] = head[slot]
        head[slot] = j
        in_b[slot] += 1
    slot_of = np.full(len(shingles_a), -1, dtype=np.int64)
    for i in range(len(shingles_a)):
        value = shingles_a[i]
        slot = value & mask
        while used[slot] and keys[slot] != value:
            slot = (slot + np.uint64(1)) & mask
        if used[slot]:
            slot_of[i] = slot
            in_a[slot] += 1
    total = 0
    for i in range(len(shingles_a)):
        slot = slot_of[i]
        if slot >= 0 and in_a[slot] * in_b[slot] <= max_multiplicity:
            total += in_b[slot]
    points = np.empty((total, 2), dtype=np.int64)
    k = 0
    for i in range(len(shingles_a)):
        slot = slot_of[i]
        if slot >= 0 and in_a[slot] * in_b[slot] <= max_multiplicity:
            j = head[slot]
            while j >= 0:
                points[k, 0] = i
                points[k, 1] = j
                k += 1
                j = following[j]
    return points


@_jit
def chain_points(points, reach, few):
    """Greedy chaining of seeds (:func:`dedup.chains.chain_seeds`) in one pass.

    Returns the diagonal runs ``(i, j, length)`` grouped by chain (in order within each), and
    per chain, in order of creation, ``(i_first, j_first, i_last, j_last, seeds, runs)``.
    """
    n = len(points)
    # Diagonal runs: a seed whose (i - 1, j - 1) is a seed too continues that seed's run.
    follower = np.full(n, -1, dtype=np.int64)
    head = np.ones(n, dtype=np.bool_)
    if reach >= 1 and n >= few:
        row = 0  # the first seed of the current row (points sorted by i, then j)
        previous = -1  # the first seed of the row before it, if that row is i - 1
        for k in range(n):
            if k > 0 and points[k, 0] != points[k - 1, 0]:
                previous = row if points[k, 0] == points[k - 1, 0] + 1 else -1
                row = k
            if previous >= 0:
                at = previous + np.searchsorted(points[previous:row, 1], points[k, 1] - 1)
                if at < row and points[at, 1] == points[k, 1] - 1:
                    follower[at] = k
                    head[k] = False
    runs = np.empty((n, 3), dtype=np.int64)
    chain_of = np.empty(n, dtype=np.int64)
    chains = np.zeros((n, 6), dtype=np.int64)
    open_chains = np.empty(n, dtype=np.int64)
    open_count = 0
    run_count = 0
    chain_count = 0
    for k in range(n):
        if not head[k]:
            continue
        i, j = points[k, 0], points[k, 1]
        length, last = 1, k
        while follower[last] >= 0:
            last = follower[last]
            length += 1
        kept = 0
        for o in range(open_count):
            if i - chains[open_chains[o], 2] <= reach:
                open_chains[kept] = open_chains[o]
                kept += 1
        open_count = kept
        best, best_cost = -1, 0
        for o in range(open_count):
            c = open_chains[o]
            di, dj = i - chains[c, 2], j - chains[c, 3]
            if 0 < di <= reach and 0 < dj <= reach:
                cost = max(di, dj) + abs(di - dj)
                if best < 0 or cost < best_cost:
                    best, best_cost = c, cost
        if best < 0:
            best = chain_count
            chain_count += 1
            chains[best, 0], chains[best, 1] = i, j
            open_chains[open_count] = best
            open_count += 1
        chains[best, 2], chains[best, 3] = i + length - 1, j + length - 1
        chains[best, 4] += length
        chains[best, 5] += 1
        runs[run_count, 0], runs[run_count, 1], runs[run_count, 2] = i, j, length
        chain_of[run_count] = best
        run_count += 1
    order = np.argsort(chain_of[:run_count], kind="mergesort")
    return runs[:run_count][order], chains[:chain_count]


@_jit
def sentence_tally(term_a, sentence_a, weight_a, term_b, sentence_b, weight_b, by_term_b, width, size, dense_cells):
    """For each pair of sentences (A sentence times ``width`` plus B sentence) sharing a term:
    the sum of ``weight_a * weight_b`` over their entries with equal terms (added with A's
    entries in order, each with B's in ``by_term_b`` order) and how many such entry pairs there
    are; the pairs ascending. Pairs are tallied in a table of ``size`` cells up to ``dense_cells``
    and by sorting beyond it (:func:`dedup.paraphrase._tally`)."""
    sorted_b = term_b[by_term_b]
    first = np.searchsorted(sorted_b, term_a)
    total = 0
    for p in range(len(term_a)):
        q = first[p]
        while q < len(sorted_b) and sorted_b[q] == term_a[p]:
            q += 1
        total += q - first[p]
    cells = np.empty(total, dtype=np.int64)
    products = np.empty(total, dtype=np.float64)
    k = 0
    for p in range(len(term_a)):
        q = first[p]
        while q < len(sorted_b) and sorted_b[q] == term_a[p]:
            e = by_term_b[q]
            cells[k] = sentence_a[p] * width + sentence_b[e]
            products[k] = weight_a[p] * weight_b[e]
            k += 1
            q += 1
    if size <= dense_cells:
        sums = np.zeros(size, dtype=np.float64)
        counts = np.zeros(size, dtype=np.int64)
        for k in range(total):
            sums[cells[k]] += products[k]
            counts[cells[k]] += 1
        found = np.flatnonzero(counts)
        return found, sums[found], counts[found]
    order = np.argsort(cells, kind="mergesort")
    found = np.empty(total, dtype=np.int64)
    sums = np.zeros(total, dtype=np.float64)
    counts = np.zeros(total, dtype=np.int64)
    m = -1
    for k in range(total):
        cell = cells[order[k]]
        if m < 0 or found[m] != cell:
            m += 1
            found[m] = cell
        sums[m] += products[order[k]]
        counts[m] += 1
    return found[: m + 1], sums[: m + 1], counts[: m + 1]


@_jit
def sentence_frequencies(vocab_a, frequency_a, vocab_b, frequency_b):
    """For each term of either vocabulary (sorted, distinct), how many sentences of both texts
    hold it (:func:`dedup.paraphrase._frequency` both ways): one walk of the two vocabularies."""
    both_a, both_b = frequency_a.copy(), frequency_b.copy()
    in_a, in_b = sorted_intersection(vocab_a, vocab_b)
    for k in range(len(in_a)):
        both_a[in_a[k]] += frequency_b[in_b[k]]
        both_b[in_b[k]] += frequency_a[in_a[k]]
    return both_a, both_b


@_jit
def _unit_rows(count, isf, vocab_index, sentence, sentences):
    """:func:`dedup.paraphrase._unit_rows`, with the same operations in the same order."""
    n = len(count)
    weight = np.empty(n, dtype=np.float64)
    norms = np.zeros(sentences, dtype=np.float64)
    for k in range(n):
        weight[k] = count[k] * isf[vocab_index[k]]
    for k in range(n):
        square = weight[k] * weight[k]
        norms[sentence[k]] += square
    for s in range(sentences):
        norms[s] = max(np.sqrt(norms[s]), 1e-12)
    for k in range(n):
        weight[k] = weight[k] / norms[sentence[k]]
    return weight


@_jit
def sentence_seeds(term_a, sentence_a, count_a, index_a, isf_a, size_a, term_b, sentence_b, count_b, index_b, isf_b,
                   size_b, by_term_b, dense_cells, min_cosine, min_dice):
    """The sentence pairs of :func:`dedup.paraphrase._seeds` (A sentence, B sentence, cosine)
    whose tf-idf cosine and Dice of terms reach ``min_cosine`` and ``min_dice``, from both
    texts' entries and each term's ``isf``: the unit rows, the tally
    (:func:`sentence_tally`) and the Dice in one call."""
    width = len(size_b)
    weight_a = _unit_rows(count_a, isf_a, index_a, sentence_a, len(size_a))
    weight_b = _unit_rows(count_b, isf_b, index_b, sentence_b, width)
    cells, cosine, shared = sentence_tally(term_a, sentence_a, weight_a, term_b, sentence_b, weight_b, by_term_b,
                                           width, len(size_a) * width, dense_cells)
    keep = np.empty(len(cells), dtype=np.bool_)
    for k in range(len(cells)):
        i, j = cells[k] // width, cells[k] % width
        dice = 2 * shared[k] / max(size_a[i] + size_b[j], 1)
        keep[k] = cosine[k] >= min_cosine and dice >= min_dice
    kept = cells[keep]
    return kept // width, kept % width, cosine[keep]


@_jit
def consistent_seeds(points, bounds_a, bounds_b, fixed):
    """Which seeds (rows ``(i, j, strength)``) :func:`dedup.paraphrase._consistent` keeps: none
    whose sentence lies mostly inside a fixed passage (rows ``(a0, a1, b0, b1)``) on one side
    while its partner stays clear of the passage's other side."""
    keep = np.ones(len(points), dtype=np.bool_)
    for k in range(len(points)):
        a_lo, a_hi = bounds_a[points[k, 0]], bounds_a[points[k, 0] + 1]
        b_lo, b_hi = bounds_b[points[k, 1]], bounds_b[points[k, 1] + 1]
        for f in range(len(fixed)):
            a0, a1, b0, b1 = fixed[f, 0], fixed[f, 1], fixed[f, 2], fixed[f, 3]
            inside_a = 2 * (min(a_hi, a1) - max(a_lo, a0)) >= a_hi - a_lo
            inside_b = 2 * (min(b_hi, b1) - max(b_lo, b0)) >= b_hi - b_lo
            meets_a = a_lo < a1 and a0 < a_hi
            meets_b = b_lo < b1 and b0 < b_hi
            if (inside_a and not meets_b) or (inside_b and not meets_a):
                keep[k] = False
                break
    return keep


@_jit
def _split_groups(points, members, starts, column, gap):
    """:func:`dedup.paraphrase._split` of each group of seeds: group ``g`` is the rows
    ``members[starts[g]:starts[g + 1]]`` of ``points`` (none empty). Returns the pieces the same
    way, each group's pieces in place of it, in ascending order of ``column``. The order of the
    seeds inside a piece is of no consequence (a piece stands for its set of seeds)."""
    pieces = np.empty(len(members), dtype=np.int64)
    piece_starts = np.empty(len(members) + 1, dtype=np.int64)
    count = 0
    for g in range(len(starts) - 1):
        lo, hi = starts[g], starts[g + 1]
        values = np.empty(hi - lo, dtype=np.int64)
        for k in range(hi - lo):
            values[k] = points[members[lo + k], column]
        order = np.argsort(values, kind="mergesort")
        for k in range(hi - lo):
            if k == 0 or values[order[k]] - values[order[k - 1]] > gap:
                piece_starts[count] = lo + k
                count += 1
            pieces[lo + k] = members[lo + order[k]]
    piece_starts[count] = len(members)
    return pieces, piece_starts[: count + 1]


@_jit
def _ranges(points, members, starts):
    """Each group's first and last sentence on both sides: rows ``(i0, i1, j0, j1)``."""
    ranges = np.empty((len(starts) - 1, 4), dtype=np.int64)
    for g in range(len(starts) - 1):
        first = members[starts[g]]
        i0 = i1 = points[first, 0]
        j0 = j1 = points[first, 1]
        for k in range(starts[g] + 1, starts[g + 1]):
            i, j = points[members[k], 0], points[members[k], 1]
            i0, i1, j0, j1 = min(i0, i), max(i1, i), min(j0, j), max(j1, j)
        ranges[g, 0], ranges[g, 1], ranges[g, 2], ranges[g, 3] = i0, i1, j0, j1
    return ranges


@_jit
def _partnered(points, rows, side, edge):
    """Whether each seed of ``rows`` whose sentence on ``side`` is ``edge`` pairs it with a
    sentence that has a seed at least as strong among the other ``rows``
    (:func:`dedup.paraphrase._partnered` for each)."""
    other = 1 - side
    for r in rows:
        if points[r, side] != edge:
            continue
        partner = False
        for s in rows:
            if points[s, side] != edge and points[s, other] == points[r, other] and points[s, 2] >= points[r, 2]:
                partner = True
                break
        if not partner:
            return False
    return True


@_jit
def _loose_edge(points, rows, trim_gap):
    """The side and sentence of the outermost sentence that :func:`dedup.paraphrase._trimmed`
    lets go (:func:`dedup.paraphrase._loose_edge`), or side -1 when there is none."""
    for side in range(2):
        values = np.empty(len(rows), dtype=np.int64)
        for k in range(len(rows)):
            values[k] = points[rows[k], side]
        sentences = np.unique(values)
        if len(sentences) < 2:
            continue
        for end in range(2):
            edge, inner = (sentences[-1], sentences[-2]) if end == 0 else (sentences[0], sentences[1])
            if abs(edge - inner) > trim_gap and _partnered(points, rows, side, edge):
                return side, edge
    return -1, 0


@_jit
def _trimmed_size(points, rows, trim_gap):
    """How many seeds of ``rows`` :func:`dedup.paraphrase._trimmed` keeps, and their sentence
    range ``(i0, i1, j0, j1)``."""
    rows = rows.copy()
    while len(rows) > 2:
        side, edge = _loose_edge(points, rows, trim_gap)
        if side < 0:
            break
        rest = np.empty(len(rows), dtype=np.int64)
        n = 0
        for r in rows:
            if points[r, side] != edge:
                rest[n] = r
                n += 1
        if n < 2:
            break
        rows = rest[:n]
    return len(rows), _ranges(points, rows, np.array([0, len(rows)]))[0]


@_jit
def seed_clusters(points, rows, gap, trim_gap):
    """:func:`dedup.paraphrase._cluster` of the seeds ``rows`` of ``points`` (rows ``(i, j,
    strength)``, at least one), and each cluster as :func:`dedup.paraphrase._trimmed` leaves it.

    Returns the clusters as ``(members, starts)`` (cluster ``g`` is the seeds
    ``members[starts[g]:starts[g + 1]]``); sentence ranges ``(i0, i1, j0, j1)``: the clusters'
    in their order, then those of the clusters that trimming made smaller; and for each cluster,
    how many seeds trimming leaves and which of the ranges is the trimmed cluster's.
    """
    members, starts = rows.copy(), np.array([0, len(rows)])
    column = 0
    while True:  # cut on one side, then the other, until a cut on B's side cuts nothing more
        groups = len(starts)
        members, starts = _split_groups(points, members, starts, column, gap)
        if len(starts) == groups and column == 1:
            break
        column = 1 - column
    clusters = len(starts) - 1
    ranges = np.empty((2 * clusters, 4), dtype=np.int64)
    ranges[:clusters] = _ranges(points, members, starts)
    kept = np.empty(clusters, dtype=np.int64)
    trimmed = np.empty(clusters, dtype=np.int64)
    n = clusters
    for g in range(clusters):
        kept[g], sentences = _trimmed_size(points, members[starts[g]:starts[g + 1]], trim_gap)
        trimmed[g] = g
        if kept[g] < starts[g + 1] - starts[g]:
            ranges[n, :] = sentences
            trimmed[g] = n
            n += 1
    return members, starts, ranges[:n], kept, trimmed


@_jit
def summary_groups(points, bounds_a, bounds_b, gap, sentences, low, high, adjacent):
    """The seed groups that :func:`dedup.paraphrase._summaries` asks the cosine of: for each
    side as the short one, the groups of seeds at most ``gap`` sentences apart there with at
    least ``sentences`` sentences there, whose stretch on the other side is ``low`` to ``high``
    times as long in words, and whose sentences on the other side are one apart in fewer than a
    share ``adjacent`` of the steps between them. Returns each group's number of seeds and its
    sentence range ``(i0, i1, j0, j1)``, those of A's side as the short one first."""
    seeds = np.empty(2 * len(points), dtype=np.int64)
    ranges = np.empty((2 * len(points), 4), dtype=np.int64)
    n = 0
    for short in range(2):
        members, starts = _split_groups(points, np.arange(len(points)), np.array([0, len(points)]), short, gap)
        group_ranges = _ranges(points, members, starts)
        for g in range(len(starts) - 1):
            rows = members[starts[g]:starts[g + 1]]
            values = np.empty(len(rows), dtype=np.int64)
            for k in range(len(rows)):
                values[k] = points[rows[k], short]
            if len(np.unique(values)) < sentences:
                continue
            i0, i1, j0, j1 = group_ranges[g, 0], group_ranges[g, 1], group_ranges[g, 2], group_ranges[g, 3]
            words_a, words_b = bounds_a[i1 + 1] - bounds_a[i0], bounds_b[j1 + 1] - bounds_b[j0]
            few, many = (words_a, words_b) if short == 0 else (words_b, words_a)
            if not low * few <= many <= high * few:
                continue
            for k in range(len(rows)):
                values[k] = points[rows[k], 1 - short]
            others = np.unique(values)
            next_to = 0
            for k in range(1, len(others)):
                if others[k] - others[k - 1] == 1:
                    next_to += 1
            if len(others) > 1 and next_to / (len(others) - 1) >= adjacent:
                continue
            seeds[n], ranges[n, :] = len(rows), group_ranges[g]
            n += 1
    return seeds[:n], ranges[:n]


@_jit
def range_vectors(ranges, sentence_a, count_a, code_a, sentence_b, count_b, code_b, isf):
    """The tf-idf vectors of the A and B sentence ranges ``(i0, i1, j0, j1)`` of seed groups, from
    both texts' entries (sentence, count and joint term code; by sentence), equal to those of
    :meth:`dedup.paraphrase._Pair.vector` (term counts times ``isf``): a row for each group's A
    side, then a row for each group's B side."""
    groups = len(ranges)
    rows = np.zeros((2 * groups, len(isf)), dtype=np.float64)
    for g in range(groups):
        lo, hi = np.searchsorted(sentence_a, ranges[g, 0], "left"), np.searchsorted(sentence_a, ranges[g, 1], "right")
        for e in range(lo, hi):
            rows[g, code_a[e]] += count_a[e]
        lo, hi = np.searchsorted(sentence_b, ranges[g, 2], "left"), np.searchsorted(sentence_b, ranges[g, 3], "right")
        for e in range(lo, hi):
            rows[groups + g, code_b[e]] += count_b[e]
    for r in range(2 * groups):
        for t in range(len(isf)):
            rows[r, t] *= isf[t]
    return rows


@_jit
def multiset_shared(xs, ys):
    """How many words two word lists share, taken as multisets (each word counted as often as
    the list holding it fewer times holds it): :func:`dedup.edges.word_dice`'s numerator."""
    return len(sorted_intersection(np.sort(xs), np.sort(ys))[0])


@_jit
def sentence_entries(terms, sentence, sentences):
    """A text's sentence-by-term counts as nonzero entries, by sentence then term
    (:func:`dedup.sentences._entries`; ``sentence`` ascends): each entry's sentence, term and
    count, the entries in term order (stable), the distinct terms with how many sentences hold
    each, each entry's place among them, and each sentence's number of distinct terms."""
    n = len(terms)
    order = np.empty(n, dtype=np.int64)
    start = 0
    while start < n:  # sentences ascend: sort each one's few terms, stably, by insertion
        end = start
        while end < n and sentence[end] == sentence[start]:
            order[end] = end
            end += 1
        for k in range(start + 1, end):
            moving, at = order[k], k
            while at > start and terms[order[at - 1]] > terms[moving]:
                order[at] = order[at - 1]
                at -= 1
            order[at] = moving
        start = end
    entry_sentence = np.empty(n, dtype=np.int64)
    entry_term = np.empty(n, dtype=terms.dtype)
    count = np.empty(n, dtype=np.int64)
    m = -1
    for k in range(n):
        s, t = sentence[order[k]], terms[order[k]]
        if m < 0 or entry_sentence[m] != s or entry_term[m] != t:
            m += 1
            entry_sentence[m], entry_term[m], count[m] = s, t, 0
        count[m] += 1
    m += 1
    entry_sentence, entry_term, count = entry_sentence[:m], entry_term[:m], count[:m]
    by_term = np.argsort(entry_term, kind="mergesort")
    vocab = np.empty(m, dtype=terms.dtype)
    frequency = np.zeros(m, dtype=np.int64)
    vocab_index = np.empty(m, dtype=np.int64)
    v = -1
    for k in range(m):
        e = by_term[k]
        if v < 0 or vocab[v] != entry_term[e]:
            v += 1
            vocab[v] = entry_term[e]
        frequency[v] += 1
        vocab_index[e] = v
    size = np.zeros(sentences, dtype=np.int64)
    for k in range(m):
        size[entry_sentence[k]] += 1
    return entry_sentence, entry_term, count, by_term, vocab[: v + 1], frequency[: v + 1], vocab_index, size


@_jit
def joint_entry_codes(vocab_a, frequency_a, index_a, vocab_b, frequency_b, index_b):
    """Two texts' entries (each the term of place ``index`` in its text's vocabulary) with their
    term as a code of the joint vocabulary (the sorted union of ``vocab_a`` and ``vocab_b``), and
    each joint term's sentence frequency over both (:func:`dedup.paraphrase._pair`): one walk of
    the two vocabularies."""
    at_a = np.empty(len(vocab_a), dtype=np.int64)
    at_b = np.empty(len(vocab_b), dtype=np.int64)
    frequency = np.zeros(len(vocab_a) + len(vocab_b), dtype=np.int64)
    p = q = n = 0
    while p < len(vocab_a) or q < len(vocab_b):
        if q == len(vocab_b) or (p < len(vocab_a) and vocab_a[p] < vocab_b[q]):
            at_a[p], frequency[n] = n, frequency_a[p]
            p += 1
        elif p == len(vocab_a) or vocab_b[q] < vocab_a[p]:
            at_b[q], frequency[n] = n, frequency_b[q]
            q += 1
        else:
            at_a[p], at_b[q], frequency[n] = n, n, frequency_a[p] + frequency_b[q]
            p += 1
            q += 1
        n += 1
    return at_a[index_a], at_b[index_b], frequency[:n]


@_jit
def sorted_intersection(xs, ys):
    """Where the values two sorted arrays share stand in each: index arrays ``(in_x, in_y)`` in
    ascending value order (for arrays of distinct values, ``np.intersect1d(...,
    assume_unique=True, return_indices=True)`` without the values; repeats pair off one by one)."""
    in_x = np.empty(min(len(xs), len(ys)), dtype=np.int64)
    in_y = np.empty(len(in_x), dtype=np.int64)
    p = q = n = 0
    while p < len(xs) and q < len(ys):
        if xs[p] < ys[q]:
            p += 1
        elif ys[q] < xs[p]:
            q += 1
        else:
            in_x[n], in_y[n] = p, q
            n += 1
            p += 1
            q += 1
    return in_x[:n], in_y[:n]


@_jit
def first_place_keys(keys):
    """The distinct ``keys`` (sorted) and the index where each first stands."""
    order = np.argsort(keys, kind="mergesort")
    distinct = np.empty(len(keys), dtype=keys.dtype)
    first = np.empty(len(keys), dtype=np.int64)
    n = 0
    for k in range(len(keys)):
        key = keys[order[k]]
        if n == 0 or distinct[n - 1] != key:
            distinct[n], first[n] = key, order[k]
            n += 1
    return distinct[:n], first[:n]


@_jit
def close_runs(places, count, within, apart, limit):
    """Whether ``count`` run heads among ``places`` lie within ``within`` of one another: a run
    is a chain of places less than ``apart`` apart; places beyond ``limit`` count as ``limit``
    (:func:`dedup.context._close_runs` for one group)."""
    ordered = np.sort(np.minimum(places.astype(np.int64), limit))
    heads = np.empty(len(ordered), dtype=np.int64)
    n = 0
    for k in range(len(ordered)):
        if k == 0 or ordered[k] - ordered[k - 1] >= apart:
            heads[n] = ordered[k]
            n += 1
    shift = count - 1
    for k in range(shift, n):
        if heads[k] - heads[k - shift] <= within:
            return True
    return n > 0 and shift == 0
