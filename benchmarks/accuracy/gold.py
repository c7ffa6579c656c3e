"""The shapes shared by loaders, generator, runner and scorer.

An :class:`Alignment` is one reused passage: a span of the reusing ("suspicious") document
aligned with a span of its source, in the PAN sense. Gold cases and detections are both
alignments, so one scorer serves every data set. A :class:`PairCorpus` is a set of documents,
the (suspicious, source) pairs that are evaluated, and the gold cases on those pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Alignment", "PairCorpus", "merge"]


@dataclass(frozen=True, order=True)
class Alignment:
    """A span ``[susp_start, susp_end)`` of ``susp`` aligned with ``[src_start, src_end)`` of ``src``.

    Offsets are Python ``str`` indices (Unicode characters), end-exclusive.

    Examples
    --------
    >>> Alignment("s1", 0, 10, "r1", 5, 15).pair
    ('s1', 'r1')
    """

    susp: str
    susp_start: int
    susp_end: int
    src: str
    src_start: int
    src_end: int

    @property
    def pair(self) -> tuple[str, str]:
        """The (suspicious, source) document pair the alignment belongs to."""
        return (self.susp, self.src)

    @property
    def length(self) -> int:
        """Characters on both sides together (PAN's ``|s|``)."""
        return (self.susp_end - self.susp_start) + (self.src_end - self.src_start)


@dataclass(frozen=True)
class PairCorpus:
    """Documents, evaluated (suspicious, source) pairs and gold cases of one data set.

    Parameters
    ----------
    name : str
        Data set name used in reports, e.g. ``"pan13/02"``.
    documents : Mapping[str, str]
        Document id to text.
    pairs : tuple of (str, str)
        The evaluated pairs, oriented (suspicious, source). Pairs without cases are negatives.
    cases : tuple of Alignment
        Gold reuse cases; every case's pair is in ``pairs``.
    closed : bool, default False
        If true every pair of documents is evaluated: a reported pair that is not in ``pairs``
        counts against precision. If false (PAN) such pairs are ignored and only counted.
    """

    name: str
    documents: Mapping[str, str]
    pairs: tuple[tuple[str, str], ...]
    cases: tuple[Alignment, ...] = ()
    closed: bool = False
    meta: Mapping[str, object] = field(default_factory=dict)

    def gold_pairs(self) -> set[tuple[str, str]]:
        """Pairs holding at least one gold case."""
        return {case.pair for case in self.cases}

    def subset(self, pairs: set[tuple[str, str]], name: str | None = None) -> PairCorpus:
        """The same data set restricted to ``pairs`` (documents kept only where used)."""
        kept = tuple(p for p in self.pairs if p in pairs)
        used = {doc for pair in kept for doc in pair} if not self.closed else set(self.documents)
        return PairCorpus(
            name=name or self.name,
            documents={k: v for k, v in self.documents.items() if k in used},
            pairs=kept,
            cases=tuple(c for c in self.cases if c.pair in pairs),
            closed=self.closed,
            meta=self.meta,
        )


def merge(corpora: list[PairCorpus], name: str) -> PairCorpus:
    """One data set made of several (their documents, pairs and cases together)."""
    documents: dict[str, str] = {}
    for corpus in corpora:
        documents.update(corpus.documents)
    return PairCorpus(
        name=name,
        documents=documents,
        pairs=tuple(p for c in corpora for p in c.pairs),
        cases=tuple(case for c in corpora for case in c.cases),
        closed=any(c.closed for c in corpora),
    )
