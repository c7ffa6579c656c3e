"""Deterministic tuning / held-out splits and subsamples, by hashing stable keys.

A key's split never depends on which other keys are present, so adding data or taking a
``--quick`` subsample does not move anything between the parts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

__all__ = ["SPLITS", "sample", "split_of"]

SPLITS = ("tuning", "held-out")


def _hash(salt: str, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{salt}:{key}".encode()).digest()[:8], "big")


def split_of(key: str) -> str:
    """``"tuning"`` or ``"held-out"``, about half each, fixed per key.

    Examples
    --------
    >>> split_of("suspicious-document00005 source-document01090") in SPLITS
    True
    """
    return SPLITS[_hash("split", key) % 2]


def sample(keys: Iterable[str], n: int | None) -> list[str]:
    """A fixed pseudo-random choice of ``n`` keys (all of them if ``n`` is None), in input order."""
    keys = list(keys)
    if n is None or n >= len(keys):
        return keys
    chosen = set(sorted(keys, key=lambda k: _hash("sample", k))[:n])
    return [k for k in keys if k in chosen]
