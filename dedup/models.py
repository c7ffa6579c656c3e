"""The records dedup reads and returns. All are frozen dataclasses with ``to_dict()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Article", "Cluster", "Location", "Pair", "Passage", "PassageCluster", "PassageSpan", "Skipped"]

METADATA_FIELDS = ("title", "date", "source", "section", "url")


def _fields(record: Any) -> dict[str, Any]:
    """A dataclass's fields by name, in order (``dataclasses.asdict`` without its deep copy, which
    took most of the time of writing a large report)."""
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Location:
    """Where an article's record lies in its file, so that a scan can let go of its text and
    read it again when it is needed: ``size`` bytes from byte ``offset``, which are one line
    (1-based ``line``) of a JSONL file, or a whole ``.txt`` file (``line`` is ``None``)."""

    path: str
    offset: int
    size: int
    line: int | None = None


@dataclass(frozen=True, kw_only=True)
class Article:
    """One article: an id, its text, and optional metadata.

    Offsets in every result index ``text`` exactly as given (Python ``str`` indices).
    ``origin`` says where the article was read from (``file`` or ``file:line``), for messages;
    ``location``, set by :func:`dedup.io.read_paths` for JSONL and ``.txt`` files, where to read it again.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    section: str | None = None
    url: str | None = None
    origin: str | None = None
    location: Location | None = field(default=None, repr=False, compare=False)

    def metadata(self) -> dict[str, Any]:
        """The id and the metadata that is set (no text)."""
        meta = {"id": self.id}
        meta.update({k: getattr(self, k) for k in METADATA_FIELDS if getattr(self, k) is not None})
        if self.origin is not None:
            meta["origin"] = self.origin
        return meta


@dataclass(frozen=True, kw_only=True)
class Skipped:
    """An input article or file that was not processed, and why."""

    reason: str
    code: str = "invalid"
    source: str | None = None
    line: int | None = None
    id: str | None = None
    kind: str = "article"

    def describe(self) -> str:
        """``file:line: reason`` (or as much of it as is known)."""
        where = self.source or self.id or "input"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in _fields(self).items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class Passage:
    """A passage shared by two articles: ``a_text == article_a.text[a_start:a_end]``.

    ``similarity`` is the share of the two sides' words that the other side holds too (Dice
    over the words, with repeats): 1.0 when both sides have the same words, lower where words
    were edited, added or dropped inside the passage.
    """

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return _fields(self)


@dataclass(frozen=True, kw_only=True)
class Pair:
    """A verified pair of articles and the passages they share.

    ``kind`` is ``exact`` (same words), ``near-duplicate`` (Jaccard of shingle sets at or above
    the threshold) or ``partial`` (shared passages in otherwise different articles).
    ``containment_a`` is the share of ``a``'s shingles found in ``b``, and vice versa.
    ``coverage_a`` is the share of ``a``'s characters inside reported passages.
    """

    a: str
    b: str
    kind: str
    jaccard: float
    containment_a: float
    containment_b: float
    coverage_a: float = 0.0
    coverage_b: float = 0.0
    passages: tuple[Passage, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = _fields(self)
        data["passages"] = [p.to_dict() for p in self.passages]
        return data


@dataclass(frozen=True, kw_only=True)
class Cluster:
    """Articles that tell the same story, with the earliest-dated one as the likely origin."""

    id: int
    articles: tuple[str, ...]
    origin: str | None = None
    origin_date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = _fields(self)
        data["articles"] = list(self.articles)
        data["size"] = len(self.articles)
        return data


@dataclass(frozen=True, kw_only=True)
class PassageSpan:
    """Where one passage of a passage cluster stands in one article."""

    article: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return _fields(self)


@dataclass(frozen=True, kw_only=True)
class PassageCluster:
    """The same passage found in several articles (for example one wire paragraph)."""

    id: int
    spans: tuple[PassageSpan, ...] = field(default_factory=tuple)
    origin: str | None = None

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.article for s in self.spans))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "articles": list(self.articles),
            "size": len(self.articles),
            "origin": self.origin,
            "spans": [s.to_dict() for s in self.spans],
        }
