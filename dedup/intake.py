"""Taking articles in for a scan: numbering, skipping with reasons, and holding them lightly.

An article read from a JSONL or ``.txt`` file (one with a :class:`~dedup.models.Location`) is
kept without its text once it has been signed; its text is read again from the file for the few
stages that need it (alignment, and :class:`Articles` on access). Other articles (from a list,
stdin, a JSON array or CSV file) keep their texts in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .config import Config
from .exceptions import InputError
from .io import reread, to_article
from .models import Article, Skipped

__all__ = ["Articles", "Intake", "too_short", "unusable"]

_REREAD_BATCH = 1000  # articles read again at a time when iterating over Articles


def unusable(article: Article, config: Config) -> tuple[str, str] | None:
    """``(code, reason)`` when an article's text cannot be processed at all (scan and index)."""
    if not article.text.strip():
        return "empty", "empty text"
    if len(article.text) > config.max_chars:
        return ("too-long", f"{len(article.text):,} characters, more than max_chars "
                            f"({config.max_chars:,}); raise --max-chars to include it")
    return None


def too_short(article: Article, words: int, config: Config) -> Skipped:
    """The record of an article with fewer words than a shingle (scan and index)."""
    return Skipped(id=article.id, source=article.origin, code="too-short",
                   reason=f"{words} word{'s' * (words != 1)}, shorter than the shingle size ({config.shingle_size})")


def without_text(article: Article) -> Article:
    """The article as a scan keeps it: without its text when it can be read again."""
    return dataclasses.replace(article, text="") if article.location else article


class Intake:
    """Turns raw records into numbered Articles, counting and explaining everything it skips."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.articles: list[Article | None] = []  # by index, without text; None once skipped after numbering
        self.skipped: list[Skipped] = []
        self._first_seen: dict[str, str] = {}

    def accept(self, record: Any) -> Article | None:
        """The article to process (numbered ``len(articles) - 1``), or ``None`` if skipped."""
        if isinstance(record, Skipped):
            self._skip(record)
            return None
        article = to_article(record, self.config)
        if isinstance(article, Skipped):
            self._skip(article)
            return None
        problem = self._problem(article)
        if problem:
            self._skip(Skipped(id=article.id, source=article.origin, code=problem[0], reason=problem[1]))
            return None
        self._first_seen[article.id] = article.origin or "an earlier article"
        self.articles.append(without_text(article))
        return article

    def chunks(self, records: Iterable[Any], size: int) -> Iterator[tuple[list[str], int, Config]]:
        """``(texts, index of the first, config)`` for each chunk of accepted articles."""
        texts: list[str] = []
        for record in records:
            article = self.accept(record)
            if article is not None:
                texts.append(article.text)
                if len(texts) == size:
                    yield texts, len(self.articles) - size, self.config
                    texts = []
        if texts:
            yield texts, len(self.articles) - len(texts), self.config

    def too_short(self, index: int, words: int) -> None:
        article = self.articles[index]
        self.articles[index] = None
        self._skip(too_short(article, words, self.config))

    def _problem(self, article: Article) -> tuple[str, str] | None:
        if article.id in self._first_seen:
            return "duplicate-id", f"duplicate id {article.id!r} (first seen at {self._first_seen[article.id]})"
        return unusable(article, self.config)

    def _skip(self, skipped: Skipped) -> None:
        if self.config.strict:
            raise InputError(skipped.reason, source=skipped.source or skipped.id, line=skipped.line)
        self.skipped.append(skipped)


class Articles(Sequence[Article]):
    """The articles of a scan, in input order, each with its text (read again from its file
    on access when the scan let go of it)."""

    def __init__(self, kept: Sequence[Article], config: Config) -> None:
        self._kept = tuple(kept)
        self._config = config

    def __len__(self) -> int:
        return len(self._kept)

    def __getitem__(self, index):  # an int gives an Article, a slice a tuple of them
        if isinstance(index, slice):
            return tuple(reread(list(self._kept[index]), self._config))
        return reread([self._kept[index]], self._config)[0]

    def __iter__(self) -> Iterator[Article]:
        for start in range(0, len(self._kept), _REREAD_BATCH):
            yield from reread(list(self._kept[start : start + _REREAD_BATCH]), self._config)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __repr__(self) -> str:
        return f"Articles({len(self)} articles)"

    def metadata(self) -> list[dict[str, Any]]:
        """Each article's id and metadata, without reading any text."""
        return [a.metadata() for a in self._kept]

    def kept(self) -> tuple[Article, ...]:
        """The articles as the scan kept them (without the texts it can read again)."""
        return self._kept
