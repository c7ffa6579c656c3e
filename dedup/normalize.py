"""Tokens with offsets: words of the original text, normalised for comparison.

Every token keeps its ``[start, end)`` span in the original ``str``; only the *comparison key*
is normalised. Normalisation is a chain of small pure steps, each a ``str -> str`` function:

>>> normalize_token("U.S.")
'us'
>>> normalize_token("Minister’s")
'ministers'
>>> normalize_token("1,000")
'1000'
>>> [t.text for t in tokenize("The U.S.-South Korean talks")]
['The', 'U.S', 'South', 'Korean', 'talks']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import xxhash

__all__ = ["Token", "Tokens", "normalize_token", "tokenize", "tokenize_array"]

# A word, possibly with inner apostrophes or periods (abbreviations: "U.S", "e.g", "don't"),
# or a number with inner separators ("1,000.50"). Hyphens and dashes always split words, so
# "U.S.-South" and "US-South" give the same tokens. Trailing periods are sentence punctuation.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:['’ʼ.]\w+)*")
_APOSTROPHES = str.maketrans("", "", "'’ʼ")
_CACHE_LIMIT = 1_000_000


def _nfkc(token: str) -> str:
    """Fold compatibility forms (ligatures, full-width letters, superscripts)."""
    return token if token.isascii() else unicodedata.normalize("NFKC", token)


def _drop_apostrophes(token: str) -> str:
    """``minister's`` and ``ministers`` compare equal; so do the curly and straight forms."""
    return token.translate(_APOSTROPHES)


def _drop_inner_punctuation(token: str) -> str:
    """``U.S`` → ``US``, ``1,000`` → ``1000``; a decimal point between digits is kept."""
    if any(c.isdigit() for c in token):
        return token.replace(",", "")
    return token.replace(".", "")


NORMALIZERS = (_nfkc, str.casefold, _drop_apostrophes, _drop_inner_punctuation)


def normalize_token(token: str) -> str:
    """Apply every step of :data:`NORMALIZERS` to one token."""
    for step in NORMALIZERS:
        token = step(token)
    return token


@dataclass(frozen=True)
class Token:
    """One word: its comparison key and its span in the original text."""

    key: str
    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into :class:`Token` objects (slow, readable form of :func:`tokenize_array`)."""
    return [Token(normalize_token(m.group()), m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True, eq=False)
class Tokens:
    """The tokens of one text as arrays: ``starts``/``ends`` (char offsets) and 64-bit ``hashes``."""

    starts: np.ndarray
    ends: np.ndarray
    hashes: np.ndarray

    def __len__(self) -> int:
        return len(self.hashes)


class _KeyHasher:
    """Maps raw token strings to the 64-bit hash of their normalised key, with a bounded cache."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def __call__(self, raw: str) -> int:
        value = self._cache.get(raw)
        if value is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            value = self._cache[raw] = xxhash.xxh3_64_intdigest(normalize_token(raw).encode("utf-8"))
        return value


_hasher = _KeyHasher()


def key_hash(key: str) -> int:
    """The 64-bit hash of an already normalised token key (what shingles are built from)."""
    return xxhash.xxh3_64_intdigest(key.encode("utf-8"))


def tokenize_array(text: str) -> Tokens:
    """Tokenise ``text`` into arrays of spans and normalised-key hashes.

    Examples
    --------
    >>> t = tokenize_array("U.S. and US")
    >>> t.starts.tolist(), t.ends.tolist()
    ([0, 5, 9], [3, 8, 11])
    >>> bool(t.hashes[0] == t.hashes[2])
    True
    """
    spans, hashes = [], []
    for match in _TOKEN.finditer(text):
        spans.append(match.span())
        hashes.append(_hasher(match.group()))
    span_array = np.array(spans, dtype=np.int64).reshape(-1, 2)
    return Tokens(span_array[:, 0].copy(), span_array[:, 1].copy(), np.array(hashes, dtype=np.uint64))
