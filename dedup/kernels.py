"""Compiled loops of the hot paths: tokenising, MinHash signing, LSH band keys, and the index's
key filter.

Each kernel does in one pass what the numpy code does in a dozen passes over arrays as long as
the text (tokenising) or ``num_perm`` times as long as the shingles (signing): about ten times
less CPU on a chunk of news articles. They are plain loops compiled by numba, imported only
when an input is large enough to repay loading them (:mod:`dedup.compiled`); the numpy code
serves smaller inputs. Tests hold each kernel equal, on random inputs, to that numpy code and
to the readable definitions: the :data:`dedup.normalize._TOKEN` regex and
:func:`dedup.normalize.key_hash` for :func:`tokenize_codes`; datasketch's ``MinHash`` for the
signatures.

The machine code is cached (``cache=True``) next to this file in ``__pycache__`` or, where
that is read-only, in numba's cache directory for the user (``NUMBA_CACHE_DIR`` overrides
both), so only a machine's first run compiles (about ten seconds); without any writable place
the kernels compile in every process that loads them. ``nogil=True``: threads may share them.
"""

from __future__ import annotations

import numba
import numpy as np

from .normalize import _DIGIT, _DROP, _JOINER, _PERIOD, _WORD

__all__ = ["band_keys", "filter_keys", "insert_terms", "json_integers", "lookup_terms", "sign_documents", "sign_windows", "text_shingles", "tokenize_codes"]

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
    capacity = n // 2 + 1  # tokens are separated by at least one character
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
    return starts[:count].copy(), ends[:count].copy(), hashes[:count].copy(), foreign[:count].copy()


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
