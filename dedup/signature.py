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

from .arrays import first_of_runs
from .compiled import use_kernels

__all__ = ["Signatures", "permutations", "sign", "sign_documents", "sign_documents_joined", "sign_joined", "to_minhash"]

SCHEME = "affine32"
_ROWS_PER_CHUNK = 1 << 13  # rows of the (shingles x num_perm) matrix computed at once: 4 MB at 128
_KERNEL_MIN_SHINGLES = 1 << 17  # batches this large are signed by the compiled kernels (see dedup.compiled)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` uint32 arrays of datasketch's affine32 permutations for this seed: drawn
    exactly as ``datasketch.MinHash`` draws them (a test holds the two equal), without importing
    datasketch, which takes about two seconds."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


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


def _block_minima(shingles: np.ndarray, starts: np.ndarray, a: np.ndarray, b: np.ndarray, stride: int) -> np.ndarray:
    """Minimum permuted hash of every block of at most ``stride`` rows starting at ``starts``.

    Each block is padded to exactly ``stride`` rows by repeating its last shingle (a repeat
    never changes a minimum), so the minima are one reshape and one ``min`` per chunk.
    """
    ends = np.append(starts[1:], len(shingles))
    offsets = np.arange(stride)
    out = np.empty((len(starts), len(a)), dtype=np.uint32)
    step = max(1, _ROWS_PER_CHUNK // stride)
    for first in range(0, len(starts), step):
        block_starts, block_ends = starts[first : first + step], ends[first : first + step]
        rows = np.minimum(block_starts[:, None] + offsets, block_ends[:, None] - 1).ravel()
        permuted = _permuted(shingles[rows], a, b).reshape(len(block_starts), stride, len(a))
        out[first : first + len(block_starts)] = permuted.min(axis=1)
    return out


def sign(shingle_arrays: list[np.ndarray], *, num_perm: int, seed: int, window_size: int) -> Signatures:
    """Sign every document (each a non-empty array of 64-bit shingle hashes) and its windows."""
    lengths = np.array([len(s) for s in shingle_arrays], dtype=np.int64)
    joined = np.concatenate(shingle_arrays) if shingle_arrays else np.empty(0, dtype=np.uint64)
    return sign_joined(joined, lengths, num_perm=num_perm, seed=seed, window_size=window_size)


def sign_joined(shingles: np.ndarray, lengths: np.ndarray, *, num_perm: int, seed: int, window_size: int) -> Signatures:
    """:func:`sign` for documents given as one array of shingles and each document's length."""
    a, b = permutations(num_perm, seed)
    if len(lengths) == 0:
        empty = np.empty((0, num_perm), dtype=np.uint32)
        return Signatures(empty, empty, np.empty(0, dtype=np.int64))
    if lengths.min() < 1:
        raise ValueError("every document needs at least one shingle")
    stride = max(1, window_size // 2)
    if use_kernels(len(shingles), _KERNEL_MIN_SHINGLES):
        from .kernels import sign_windows

        return Signatures(*sign_windows(_as_uint64(shingles), lengths.astype(np.int64), stride, a, b))
    return _sign_joined_numpy(shingles, lengths, a, b, stride)


def _as_uint64(shingles: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(shingles, dtype=np.uint64)


def _sign_joined_numpy(shingles: np.ndarray, lengths: np.ndarray, a: np.ndarray, b: np.ndarray,
                       stride: int) -> Signatures:
    """:func:`sign_joined` with numpy (for small batches; :func:`dedup.kernels.sign_windows` is
    the compiled form)."""
    starts, owner = _block_starts(lengths, stride)
    blocks = _block_minima(shingles, starts, a, b, stride)
    first_block = np.flatnonzero(first_of_runs(owner))
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
    lengths = np.array([len(s) for s in shingle_arrays], dtype=np.int64)
    shingles = np.concatenate(shingle_arrays) if shingle_arrays else np.empty(0, dtype=np.uint64)
    return sign_documents_joined(shingles, lengths, num_perm=num_perm, seed=seed)


def sign_documents_joined(shingles: np.ndarray, lengths: np.ndarray, *, num_perm: int = 128,
                          seed: int = 1) -> np.ndarray:
    """:func:`sign_documents` for documents given as one array of shingles and each document's
    length (as :func:`dedup.candidates.joined_shingles` makes them)."""
    a, b = permutations(num_perm, seed)
    lengths = np.asarray(lengths, dtype=np.int64)
    if len(lengths) == 0:
        return np.empty((0, num_perm), dtype=np.uint32)
    if use_kernels(len(shingles), _KERNEL_MIN_SHINGLES):
        from .kernels import sign_documents as signed

        return signed(_as_uint64(shingles), lengths, a, b)
    return _sign_documents_numpy(shingles, lengths, a, b)


def _sign_documents_numpy(shingles: np.ndarray, lengths: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`sign_documents` with numpy (:func:`dedup.kernels.sign_documents` is the compiled form)."""
    stride = 64
    starts, owner = _block_starts(lengths, stride)
    blocks = _block_minima(shingles, starts, a, b, stride)
    return np.minimum.reduceat(blocks, np.flatnonzero(first_of_runs(owner)), axis=0)


def to_minhash(signature: np.ndarray, *, seed: int):
    """Wrap a signature row as a ``datasketch.LeanMinHash`` (for datasketch's LSH classes)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=signature.astype(np.uint32), scheme=SCHEME)
