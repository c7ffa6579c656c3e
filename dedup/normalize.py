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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .compiled import use_kernels

__all__ = ["Token", "Tokens", "normalize_token", "tokenize", "tokenize_array"]

# A word, possibly with inner apostrophes or periods (abbreviations: "U.S", "e.g", "don't"),
# or a number with inner separators ("1,000.50"). Hyphens and dashes always split words, so
# "U.S.-South" and "US-South" give the same tokens. Trailing periods are sentence punctuation.
_TOKEN = re.compile(r"\w+(?:(?:['’ʼ.]|(?<=\d),(?=\d))\w+)*")
_JOINERS = "'’ʼ.,"
_KERNEL_MIN_CHARS = 1 << 20  # texts this long are tokenised by the compiled kernel (see dedup.compiled)
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
    """The tokens of one text as arrays: ``starts``/``ends`` (char offsets) and 64-bit ``hashes``.

    ``memo`` keeps what other modules derive from the tokens of this text (its terms, context
    triples, figures), so that alignment, which meets a text in several pairs and asks for these
    more than once per pair, computes each once.
    """

    starts: np.ndarray
    ends: np.ndarray
    hashes: np.ndarray
    memo: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.hashes)

    def derived(self, name: str, make: Callable[[], np.ndarray]) -> np.ndarray:
        """``memo[name]``, made by ``make()`` the first time it is asked for."""
        found = self.memo.get(name)
        if found is None:
            found = self.memo[name] = make()
        return found


_MASK64 = (1 << 64) - 1
# One odd 64-bit multiplier per character position in a token (positions wrap at 64).
_POSITION_WEIGHTS = [(0x9E3779B97F4A7C15 * (2 * i + 1) ^ 0x94D049BB133111EB * (i + 7)) & _MASK64 | 1 for i in range(64)]
_WEIGHTS = np.array(_POSITION_WEIGHTS, dtype=np.uint64)
_LENGTH_WEIGHT = 0xD6E8FEB86659FD93
_ASCII_LOWER = np.array([ord(chr(c).lower()) if c < 128 else c for c in range(256)], dtype=np.uint8)


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


def fmix64_array(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser over an array: an avalanching bijection (wrapping arithmetic)."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


# Character classes as bits, so one table look-up classifies a character.
_WORD, _DIGIT, _JOINER, _DROP, _PERIOD = 1, 2, 4, 8, 16


def _bits_of(char: str) -> int:
    return ((_WORD if char.isalnum() or char == "_" else 0) | (_DIGIT if char.isdecimal() else 0)
            | (_JOINER if char in _JOINERS else 0) | (_DROP if char in "'’ʼ," else 0) | (_PERIOD if char == "." else 0))


_ASCII_BITS = np.array([_bits_of(chr(c)) for c in range(128)] + [0] * 128, dtype=np.uint8)


@lru_cache(maxsize=1)
def _bmp_bits() -> np.ndarray:
    """Class bits of every character of the Basic Multilingual Plane (built once, on first use)."""
    return np.array([_bits_of(chr(c)) for c in range(0x10000)], dtype=np.uint8)


def _codes(text: str) -> np.ndarray:
    """The text's code points as an array (one per ``str`` index)."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _class_bits(codes: np.ndarray) -> np.ndarray:
    if codes.dtype == np.uint8:
        return _ASCII_BITS[codes]
    bits = _bmp_bits()[np.minimum(codes, 0xFFFF)]
    for position in np.flatnonzero(codes > 0xFFFF).tolist():  # rare: emoji, historic scripts
        bits[position] = _bits_of(chr(codes[position]))
    return bits


def _token_mask(codes: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Which characters belong to a token: word characters, and joiners between two of them
    (``'``, ``.``; ``,`` only between digits). Equivalent to the :data:`_TOKEN` regex."""
    word = (bits & _WORD).astype(bool)
    mask = word.copy()
    if len(codes) > 2:
        digit = bits & _DIGIT
        inner = (bits[1:-1] & _JOINER).astype(bool) & word[:-2] & word[2:]
        inner &= (codes[1:-1] != ord(",")) | ((digit[:-2] & digit[2:]) > 0)
        mask[1:-1] |= inner
    return mask


def _key_hashes(codes: np.ndarray, bits: np.ndarray, mask: np.ndarray, starts: np.ndarray,
                ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`key_hash` of every ASCII token's normalised key, computed over the character array,
    and which tokens hold other characters (their hashes are left for :func:`_unicode_hashes`).

    ASCII tokens are normalised here with numpy (lower case; apostrophes and digit-group commas
    dropped; periods dropped unless the token holds a digit), exactly as :func:`normalize_token`
    does.
    """
    count = len(starts)
    if count == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=bool)
    chars, token_bits = codes[mask], bits[mask]
    lengths = ends - starts
    first = np.cumsum(lengths) - lengths
    has_digit = np.maximum.reduceat(token_bits & _DIGIT, first) > 0
    foreign = np.maximum.reduceat(chars, first) > 127
    drop = (token_bits & _DROP) | ((token_bits & _PERIOD) & ~np.repeat(has_digit, lengths) * _PERIOD)
    keep = drop == 0
    chars = chars[keep]
    kept = np.add.reduceat(keep, first)
    first = np.cumsum(kept) - kept
    position = np.arange(len(chars)) - np.repeat(first, kept)
    lower = _ASCII_LOWER[chars] if chars.dtype == np.uint8 else np.where(chars < 128, _ASCII_LOWER[np.minimum(chars, 255)], chars)
    with np.errstate(over="ignore"):
        sums = np.zeros(count, dtype=np.uint64)
        nonempty = kept > 0  # a token of modifier apostrophes alone ("ʼ") has an empty key
        if len(chars):
            sums[nonempty] = np.add.reduceat(lower.astype(np.uint64) * _WEIGHTS[position & 63], first[nonempty])
        sums += kept.astype(np.uint64) * np.uint64(_LENGTH_WEIGHT)
        return fmix64_array(sums), foreign


def _tokens_numpy(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(starts, ends, hashes, foreign)`` of the tokens, with numpy passes over the text
    (``hashes`` are final for ASCII tokens only; ``foreign`` marks the others)."""
    bits = _class_bits(codes)
    mask = _token_mask(codes, bits)
    edges = np.diff(mask.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return starts, ends, *_key_hashes(codes, bits, mask, starts, ends)


_IDENTITY = np.arange(256, dtype=np.uint8)


def _tokens_compiled(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_tokens_numpy` in one compiled pass (:func:`dedup.kernels.tokenize_codes`)."""
    from .kernels import tokenize_codes

    # ASCII text is classified inside the kernel. Other text's classes come from _class_bits, and
    # its codes above 127 all become 128: the kernel needs to know only that they are not ASCII,
    # and one specialisation (uint8) compiles in half the time of two.
    if codes.dtype == np.uint8:
        return tokenize_codes(codes, codes, _ASCII_BITS, _ASCII_LOWER, _WEIGHTS, np.uint64(_LENGTH_WEIGHT))
    narrow, bits = np.minimum(codes, 128).astype(np.uint8), _class_bits(codes)
    narrow.flags.writeable = bits.flags.writeable = False  # read-only, like ASCII codes: the same types
    return tokenize_codes(narrow, bits, _IDENTITY, _ASCII_LOWER, _WEIGHTS, np.uint64(_LENGTH_WEIGHT))


def _unicode_hashes(text: str, starts: np.ndarray, ends: np.ndarray, hashes: np.ndarray, foreign: np.ndarray) -> None:
    """Hash the tokens with characters beyond ASCII through :func:`normalize_token` itself
    (NFKC, casefold), in place: rare in English news, so one Python call each is cheap."""
    for t in np.flatnonzero(foreign).tolist():
        hashes[t] = key_hash(normalize_token(text[starts[t] : ends[t]]))


def tokenize_array(text: str) -> Tokens:
    """Tokenise ``text`` into arrays of spans and normalised-key hashes (the fast form of
    :func:`tokenize`: the same tokens, found with numpy or, for long texts, with a compiled
    kernel instead of a regex).

    Examples
    --------
    >>> t = tokenize_array("U.S. and US")
    >>> t.starts.tolist(), t.ends.tolist()
    ([0, 5, 9], [3, 8, 11])
    >>> bool(t.hashes[0] == t.hashes[2])
    True
    """
    codes = _codes(text)
    compiled = use_kernels(len(codes), _KERNEL_MIN_CHARS)
    starts, ends, hashes, foreign = (_tokens_compiled if compiled else _tokens_numpy)(codes)
    _unicode_hashes(text, starts, ends, hashes, foreign)
    return Tokens(starts, ends, hashes)


def tokenize_joined(texts: list[str]) -> tuple[Tokens, np.ndarray, np.ndarray]:
    """Tokenise many texts in one pass of numpy over them joined by newlines (never part of a
    token). Returns the tokens of the joined text, each text's offset in it, and the index of
    each text's first token."""
    whole = tokenize_array("\n".join(texts))
    bases = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    return whole, bases, np.searchsorted(whole.starts, bases)


def tokenize_many(texts: list[str]) -> list[Tokens]:
    """Tokenise many texts at once (much faster than one call per short text). Offsets in each
    result index its own text."""
    if not texts:
        return []
    return split_joined(*tokenize_joined(texts))


def split_joined(whole: Tokens, bases: np.ndarray, first_token: np.ndarray) -> list[Tokens]:
    """The tokens of each text, from :func:`tokenize_joined` of them (offsets into each text)."""
    cuts = first_token[1:]
    results = []
    for base, starts, ends, hashes in zip(bases.tolist(), np.split(whole.starts, cuts), np.split(whole.ends, cuts),
                                          np.split(whole.hashes, cuts)):
        results.append(Tokens(starts - base, ends - base, hashes))
    return results
