"""The one immutable settings object shared by every stage, the CLI and the index."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .exceptions import ConfigError

__all__ = ["Config"]


@dataclass(frozen=True, kw_only=True)
class Config:
    """Every setting of a dedup run, validated on creation.

    Functions take ``config=None, **overrides``; ``Config().replace(threshold=0.9)`` makes a
    variant. CLI flags carry the same names, kebab-cased (``--shingle-size``).

    Parameters
    ----------
    shingle_size : int, default 5
        Words per shingle (word n-gram). Also the smallest unit alignment can see.
    num_perm : int, default 128
        MinHash permutations per signature. More is more accurate and slower.
    seed : int, default 1
        Seed of the MinHash permutations. Signatures with different seeds never meet.
    threshold : float, default 0.8
        Whole-article Jaccard (of shingle sets) at or above which a pair is a
        ``near-duplicate``; also the Jaccard the document LSH tier is tuned for.
    passage_bands : int, default 16
        LSH bands of the passage tier (signatures of passage windows).
    passage_rows : int, default 2
        MinHash values per band of the passage tier. Two windows of Jaccard ``s`` share a
        bucket with probability ``1 - (1 - s**rows)**bands``: 0.5 at ``s`` = 0.21 with the
        defaults, 0.78 at 0.3, 0.99 at 0.5. Measured on the accuracy benchmark, 16 bands of 2
        rows find more reuse than the 37 bands of 3 rows datasketch would pick for Jaccard 0.3
        (edited and translated passages have low window Jaccard), with 2.3 times fewer band keys
        (the memory and index size per article).
    window_size : int, default 24
        Shingles per passage window (windows overlap by half).
    passage_min_buckets : int, default 2
        Passage-tier buckets two articles must share to become a candidate pair through that
        tier (a shared document-tier bucket, or context triples, are enough on their own). One
        shared bucket is most often a stock phrase that happened to be the minimum of two
        windows; a shared passage of a few sentences shares several. Measured: on a 20k
        news-like corpus 11.1k of 14.1k passage-tier pairs shared one bucket and 234 of them a
        passage (12 words on average); at 100k 154k of 171k; at 1M 5.5M of 5.7M, and the scan
        took 11 minutes instead of about 2 hours. PAN 2013 random edits lose 0.004-0.007
        plagdet (reworded reuse is found by the context triples instead); 1 keeps every pair.
    min_passage_words : int, default 8
        Shortest shared passage reported, in words, on both sides.
    max_gap_words : int, default 12
        Longest run of unmatched words (an edit, an inserted clause) bridged inside one passage.
    min_fragment_words : int, default 20
        Shared passages shorter than this, in words, are reported only when they are whole
        sentences on both sides (a short paragraph pasted whole), not when they are an
        incidental phrase inside different sentences.
    paraphrase_min_words : int, default 25
        Shortest passage, in words on both sides, reported from paraphrased sentences alone
        (sentence-level tf-idf similarity, for rewording, shuffled words and translation);
        0 turns paraphrase alignment off. Verbatim passages only need ``min_passage_words``.
    cluster_threshold : float, default 0.5
        Average share of text that article groups must have in common to be clustered
        (average linkage, so one chain of weak links does not glue stories together).
    max_bucket_size : int, default 20
        An LSH bucket holding more articles than this is treated as boilerplate (a stock
        phrase, or a wire paragraph in many outlets): its first ``max_bucket_size`` holders are
        paired with each other and each later one with the first only, as the index meets them,
        so candidate work stays linear. Measured: no accuracy measure moves between 20 and
        200, and a 20k news-like scan verified 2.9 times fewer candidate pairs (measured with
        8 passage bands).
    max_chars : int, default 2_000_000
        Articles longer than this (in characters) are skipped with a reason.
    id_field : str, default "id"
        Field (or CSV column) holding the article id in JSON, JSONL and CSV input.
    text_field : str, default "text"
        Field (or CSV column) holding the article text in JSON, JSONL and CSV input.
    strict : bool, default False
        Stop with an error at the first skipped article or file instead of counting it.
    all_pairs : bool, default False
        Align and report every pair of exact copies (quadratic in the number of copies) instead
        of each copy against its group's representative (the earliest-dated copy).
    workers : int, default 0
        Processes to use; 0 means every available core. Results do not depend on it.

    Examples
    --------
    >>> Config(threshold=0.9).threshold
    0.9
    >>> Config(threshold=1.5)
    Traceback (most recent call last):
    ...
    dedup.exceptions.ConfigError: threshold must be in (0, 1], got 1.5
    """

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    threshold: float = 0.8
    passage_bands: int = 16
    passage_rows: int = 2
    window_size: int = 24
    passage_min_buckets: int = 2
    min_passage_words: int = 8
    max_gap_words: int = 12
    min_fragment_words: int = 20
    paraphrase_min_words: int = 25
    cluster_threshold: float = 0.5
    max_bucket_size: int = 20
    max_chars: int = 2_000_000
    id_field: str = "id"
    text_field: str = "text"
    strict: bool = False
    all_pairs: bool = False
    workers: int = 0

    def __post_init__(self) -> None:
        for name in ("threshold", "cluster_threshold"):
            _check_unit(name, getattr(self, name))
        _check_int("shingle_size", self.shingle_size, 1, 50)
        _check_int("num_perm", self.num_perm, 8, 4096)
        _check_int("seed", self.seed, 0, 2**32 - 1)
        _check_int("window_size", self.window_size, 2, 10_000)
        _check_int("passage_bands", self.passage_bands, 1, self.num_perm)
        _check_int("passage_rows", self.passage_rows, 1, self.num_perm)
        _check_int("passage_min_buckets", self.passage_min_buckets, 1, self.passage_bands * 1_000)
        if self.passage_bands * self.passage_rows > self.num_perm:
            raise ConfigError(f"passage_bands x passage_rows ({self.passage_bands} x {self.passage_rows}) must not "
                              f"exceed num_perm ({self.num_perm})")
        _check_int("min_passage_words", self.min_passage_words, 1, 100_000)
        _check_int("max_gap_words", self.max_gap_words, 0, 1_000)
        _check_int("min_fragment_words", self.min_fragment_words, 0, 100_000)
        _check_int("paraphrase_min_words", self.paraphrase_min_words, 0, 100_000)
        _check_int("max_bucket_size", self.max_bucket_size, 2, 10**9)
        _check_int("max_chars", self.max_chars, 1, 10**10)
        _check_int("workers", self.workers, 0, 1024)
        if self.min_passage_words < self.shingle_size:
            raise ConfigError(
                f"min_passage_words ({self.min_passage_words}) must be at least "
                f"shingle_size ({self.shingle_size}): shorter passages cannot be seen"
            )
        for name in ("id_field", "text_field"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ConfigError(f"{name} must be a non-empty string")

    def replace(self, **overrides) -> Config:
        """Return a copy with some settings changed (validated like a new one)."""
        return resolve(self, **overrides)

    def to_dict(self) -> dict:
        """Every setting, as plain JSON-ready values."""
        return dataclasses.asdict(self)


def resolve(config: Config | None = None, **overrides) -> Config:
    """Combine an optional config with keyword overrides, rejecting unknown names."""
    base = config if config is not None else Config()
    if not isinstance(base, Config):
        raise ConfigError(f"config must be a dedup.Config, got {type(base).__name__}")
    known = {f.name for f in dataclasses.fields(Config)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return dataclasses.replace(base, **overrides) if overrides else base


def _check_unit(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ConfigError(f"{name} must be in (0, 1], got {value!r}")


def _check_int(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
