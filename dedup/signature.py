"""MinHash signatures of whole articles and of passage windows, computed in batches with numpy.

Signatures are bit-identical to :class:`datasketch.MinHash` with ``scheme="affine32"`` (its
default), the same ``num_perm`` and ``seed``, and ``hashfunc=dedup.shingle.shingle_hash32``, so a
signature made here can be wrapped in a ``datasketch.LeanMinHash`` and used with datasketch's own
LSH classes (see :func:`to_minhash`).

A *window* is ``window_size`` consecutive shingles; windows start every ``window_size // 2``
shingles, so any passage of ``1.5 * window_size`` shingles or more fully contains one window.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

__all__ = ["Signatures", "permutations", "sign", "sign_documents", "to_minhash"]

SCHEME = "affine32"
_ROWS_PER_CHUNK = 1 << 13  # rows of the (shingles x num_perm) matrix computed at once: 4 MB at 128


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` uint32 arrays of datasketch's affine32 permutations for this seed."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _permuted(shingles: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The (len(shingles), num_perm) matrix of permuted 32-bit hashes."""
    hv = _fmix32((shingles >> np.uint64(32)).astype(np.uint32))
    rows = np.multiply.outer(hv, a)  # uint32 arithmetic wraps: the permutation is mod 2^32
    rows += b
    return rows


@dataclass(frozen=True, eq=False)
class Signatures:
    """Signatures of a batch of documents.

    ``documents[i]`` is document ``i``'s signature; ``windows[k]`` is window ``k``'s, which
    belongs to document ``window_owner[k]``. All arrays are uint32 except ``window_owner``.
    """

    documents: np.ndarray
    windows: np.ndarray
    window_owner: np.ndarray


def _block_starts(lengths: np.ndarray, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Start rows (in the concatenated shingle array) of every block, and each block's document."""
    blocks_per_doc = -(-lengths // stride)
    owner = np.repeat(np.arange(len(lengths)), blocks_per_doc)
    first_block = np.cumsum(blocks_per_doc) - blocks_per_doc
    doc_offset = np.cumsum(lengths) - lengths
    local = (np.arange(len(owner)) - first_block[owner]) * stride
    return doc_offset[owner] + local, owner


def _block_minima(shingles: np.ndarray, starts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minimum permuted hash of every block, computed a chunk of whole blocks at a time."""
    out = np.empty((len(starts), len(a)), dtype=np.uint32)
    ends = np.append(starts[1:], len(shingles))
    first = 0
    while first < len(starts):
        last = max(first + 1, int(np.searchsorted(ends, starts[first] + _ROWS_PER_CHUNK, side="right")))
        rows = _permuted(shingles[starts[first] : ends[last - 1]], a, b)
        out[first:last] = np.minimum.reduceat(rows, starts[first:last] - starts[first], axis=0)
        first = last
    return out


def sign(shingle_arrays: list[np.ndarray], *, num_perm: int, seed: int, window_size: int) -> Signatures:
    """Sign every document (each a non-empty array of 64-bit shingle hashes) and its windows."""
    a, b = permutations(num_perm, seed)
    lengths = np.array([len(s) for s in shingle_arrays], dtype=np.int64)
    if len(lengths) == 0:
        empty = np.empty((0, num_perm), dtype=np.uint32)
        return Signatures(empty, empty, np.empty(0, dtype=np.int64))
    if lengths.min() < 1:
        raise ValueError("every document needs at least one shingle")
    stride = max(1, window_size // 2)
    starts, owner = _block_starts(lengths, stride)
    blocks = _block_minima(np.concatenate(shingle_arrays), starts, a, b)
    first_block = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    documents = np.minimum.reduceat(blocks, first_block, axis=0)
    # A window is two neighbouring blocks of one document; a one-block document is one window.
    joined = np.flatnonzero(owner[1:] == owner[:-1])
    single = first_block[np.bincount(owner, minlength=len(lengths))[owner[first_block]] == 1]
    windows = np.concatenate([np.minimum(blocks[joined], blocks[joined + 1]), blocks[single]])
    window_owner = np.concatenate([owner[joined], owner[single]])
    order = np.argsort(window_owner, kind="stable")
    return Signatures(documents, windows[order], window_owner[order])


def sign_documents(shingle_arrays: list[np.ndarray], *, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """Whole-document signatures only: an ``(n_docs, num_perm)`` uint32 array."""
    a, b = permutations(num_perm, seed)
    lengths = np.array([len(s) for s in shingle_arrays], dtype=np.int64)
    if len(lengths) == 0:
        return np.empty((0, num_perm), dtype=np.uint32)
    starts = np.cumsum(lengths) - lengths
    return _block_minima(np.concatenate(shingle_arrays), starts, a, b)


def to_minhash(signature: np.ndarray, *, seed: int) -> LeanMinHash:
    """Wrap a signature row as a datasketch ``LeanMinHash`` (for datasketch's LSH classes)."""
    return LeanMinHash(seed=seed, hashvalues=signature.astype(np.uint32), scheme=SCHEME)
