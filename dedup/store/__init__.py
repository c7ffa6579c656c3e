"""Storage backends of :class:`dedup.index.DedupIndex`: an embedded SQLite file, or a Redis server.

Both hold, per article, its id, text, metadata (JSON), its LSH band keys (raw little-endian
int64 bytes, never pickled) and its shingle set (see :class:`NewRow`), and an inverted table from
band key to the articles holding it.
Articles are numbered by a ``seq`` that only grows, so "the first member of a bucket" (the
boilerplate rule of :func:`dedup.candidates.pairs_from_packed`) means the earliest stored article.

A backend offers::

    read_settings() -> dict | None           create(settings) -> dict (the stored ones if raced)
    lookup(keys, cap) -> (keys, seqs)        sorted by (key, seq): who holds each band key (all
                                             holders, or at least the first ``cap`` of each)
    fetch_shingles(seqs) -> {seq: shingles}  fetch(seqs) -> list[StoredRow]
    fetch_places(seqs) -> {seq: places}
    get(id) -> StoredRow | None
    write(rows, on_conflict, cap) -> [outcome]    remove(id) -> bool, count(), contains(id)
    transaction()  (a context manager)       close()
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NewRow", "StoredRow", "open_store"]

FORMAT = "dedup-index"
FORMAT_VERSION = 7  # 3: shingle sets stored; a key filter in SQLite files; 4: context triples stored as keys;
# 5: removals counted (look-ups skip keys known to be full, see fullkeys), known full keys stored in SQLite files,
# SQLite bands WITHOUT ROWID; 6: the places of context triples stored; 7: a key filter of 128 MB, 4 bits per key


@dataclass(frozen=True)
class NewRow:
    """An article to write: its band keys are sorted, unique int64; ``shingles`` are the top 32
    bits of its shingle hashes, sorted and unique (uint32), which tell without its text whether
    it shares enough shingles with another article to be aligned at all; ``places`` are its
    context triple keys (sorted int64) with the place each first stands at in their low bits
    (see :func:`dedup.buckets.triple_places`), which tell whether shared triples stand together."""

    id: str
    text: str
    meta: str
    keys: np.ndarray
    shingles: np.ndarray
    places: np.ndarray


@dataclass(frozen=True)
class StoredRow:
    seq: int
    id: str
    text: str
    meta: str


def open_store(location: str, *, create: bool = True):
    """A backend for a file path or a ``redis://host:port/db`` URL."""
    if location.startswith(("redis://", "rediss://", "unix://")):
        from .redis import RedisStore

        return RedisStore(location)
    from .sqlite import SQLiteStore

    return SQLiteStore(location, create=create)
