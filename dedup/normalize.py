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
from functools import lru_cache

import numpy as np

__all__ = ["Token", "Tokens", "normalize_token", "tokenize", "tokenize_array"]

# A word, possibly with inner apostrophes or periods (abbreviations: "U.S", "e.g", "don't"),
# or a number with inner separators ("1,000.50"). Hyphens and dashes always split words, so
# "U.S.-South" and "US-South" give the same tokens. Trailing periods are sentence punctuation.
_TOKEN = re.compile(r"\w+(?:(?:['’ʼ.]|(?<=\d),(?=\d))\w+)*")
_JOINERS = "'’ʼ.,"
_ASCII_WORD = np.array([chr(c).isalnum() or chr(c) == "_" for c in range(128)] + [False] * 128, dtype=bool)
_ASCII_DIGIT = np.array([chr(c).isdecimal() for c in range(128)] + [False] * 128, dtype=bool)
_ASCII_JOINER = np.array([chr(c) in _JOINERS for c in range(128)] + [False] * 128, dtype=bool)
_APOSTROPHES = str.maketrans("", "", "'’ʼ")


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


_MASK64 = (1 << 64) - 1
# One odd 64-bit multiplier per character position in a token (positions wrap at 64).
_POSITION_WEIGHTS = [(0x9E3779B97F4A7C15 * (2 * i + 1) ^ 0x94D049BB133111EB * (i + 7)) & _MASK64 | 1 for i in range(64)]
_WEIGHTS = np.array(_POSITION_WEIGHTS, dtype=np.uint64)
_LENGTH_WEIGHT = 0xD6E8FEB86659FD93
_ASCII_LOWER = np.array([ord(chr(c).lower()) if c < 128 else c for c in range(256)], dtype=np.uint8)
_DROPPED = np.array([ord(c) for c in "'’ʼ,"], dtype=np.uint32)


def _fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _MASK64
    return h ^ (h >> 33)


def key_hash(key: str) -> int:
    """The 64-bit hash of a normalised token key: a position-weighted sum of its code points,
    mixed by MurmurHash3's finaliser. :func:`tokenize_array` computes the same value with numpy.

    >>> key_hash("us") == int(tokenize_array("U.S.").hashes[0])
    True
    """
    total = sum(ord(c) * _POSITION_WEIGHTS[i & 63] for i, c in enumerate(key)) + len(key) * _LENGTH_WEIGHT
    return _fmix64(total & _MASK64)


def _fmix64_array(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _key_hashes(text: str, codes: np.ndarray, mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """:func:`key_hash` of every token's normalised key, computed over the character array.

    ASCII tokens are normalised here with numpy (lower case; apostrophes and digit-group commas
    dropped; periods dropped unless the token holds a digit), exactly as :func:`normalize_token`
    does; tokens with other characters go through :func:`normalize_token` itself (NFKC, casefold).
    """
    count = len(starts)
    token_of = np.cumsum(np.diff(mask.view(np.int8), prepend=np.int8(0)) == 1) - 1
    chars = codes[mask].astype(np.uint32)
    owner = token_of[mask]
    has_digit = np.bincount(owner, weights=_classes(codes)[1][mask], minlength=count) > 0
    foreign = np.bincount(owner, weights=chars > 127, minlength=count) > 0
    keep = ~np.isin(chars, _DROPPED) & ~((chars == ord(".")) & ~has_digit[owner])
    chars, owner = chars[keep], owner[keep]
    chars = np.where(chars < 128, _ASCII_LOWER[np.minimum(chars, 255)], chars).astype(np.uint64)
    first = np.searchsorted(owner, np.arange(count))
    position = np.arange(len(chars)) - first[owner]
    with np.errstate(over="ignore"):
        sums = np.add.reduceat(chars * _WEIGHTS[position & 63], first) if count else np.zeros(0, np.uint64)
        sums += np.bincount(owner, minlength=count).astype(np.uint64) * np.uint64(_LENGTH_WEIGHT)
        hashes = _fmix64_array(sums)
    for t in np.flatnonzero(foreign).tolist():
        hashes[t] = key_hash(normalize_token(text[starts[t] : ends[t]]))
    return hashes


def _codes(text: str) -> np.ndarray:
    """The text's code points as an array (one per ``str`` index)."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


@lru_cache(maxsize=1)
def _bmp_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Character classes of the whole Basic Multilingual Plane (built once, on first use)."""
    chars = [chr(c) for c in range(0x10000)]
    word = np.array([c.isalnum() or c == "_" for c in chars], dtype=bool)
    digit = np.array([c.isdecimal() for c in chars], dtype=bool)
    joiner = np.array([c in _JOINERS for c in chars], dtype=bool)
    return word, digit, joiner


def _classes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per character: is it a word character (regex ``\\w``), a decimal digit, an inner joiner?"""
    if codes.dtype == np.uint8:
        return _ASCII_WORD[codes], _ASCII_DIGIT[codes], _ASCII_JOINER[codes]
    tables = _bmp_tables()
    bmp = np.minimum(codes, 0xFFFF)
    word, digit, joiner = (table[bmp] for table in tables)
    astral = np.flatnonzero(codes > 0xFFFF)  # rare: emoji, historic scripts
    for position, code in zip(astral.tolist(), codes[astral].tolist()):
        char = chr(code)
        word[position], digit[position], joiner[position] = char.isalnum() or char == "_", char.isdecimal(), False
    return word, digit, joiner


def _token_mask(codes: np.ndarray) -> np.ndarray:
    """Which characters belong to a token: word characters, and joiners between two of them
    (``'``, ``.``; ``,`` only between digits). Equivalent to the :data:`_TOKEN` regex."""
    word, digit, joiner = _classes(codes)
    mask = word.copy()
    if len(codes) > 2:
        inner = joiner[1:-1] & word[:-2] & word[2:]
        inner &= (codes[1:-1] != ord(",")) | (digit[:-2] & digit[2:])
        mask[1:-1] |= inner
    return mask


def tokenize_array(text: str) -> Tokens:
    """Tokenise ``text`` into arrays of spans and normalised-key hashes (the fast form of
    :func:`tokenize`: the same tokens, found with numpy instead of a regex).

    Examples
    --------
    >>> t = tokenize_array("U.S. and US")
    >>> t.starts.tolist(), t.ends.tolist()
    ([0, 5, 9], [3, 8, 11])
    >>> bool(t.hashes[0] == t.hashes[2])
    True
    """
    codes = _codes(text)
    mask = _token_mask(codes)
    edges = np.diff(mask.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return Tokens(starts, ends, _key_hashes(text, codes, mask, starts, ends))


def tokenize_many(texts: list[str]) -> list[Tokens]:
    """Tokenise many texts at once (one pass of numpy over all of them, much faster than one
    call per short text). Offsets in each result index its own text."""
    if not texts:
        return []
    whole = tokenize_array("\n".join(texts))  # a newline is never part of a token
    bases = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    cuts = np.searchsorted(whole.starts, bases[1:])
    results = []
    for base, starts, ends, hashes in zip(bases.tolist(), np.split(whole.starts, cuts), np.split(whole.ends, cuts),
                                          np.split(whole.hashes, cuts)):
        results.append(Tokens(starts - base, ends - base, hashes))
    return results
