"""Examples of what a detector got wrong, for tuning: missed cases and false detections."""

from __future__ import annotations

from collections.abc import Sequence

from .gold import Alignment, PairCorpus
from .measures import by_pair, coverage

__all__ = ["examples"]

SNIPPET = 160


def _describe(alignment: Alignment, documents: dict[str, str], share: float) -> dict:
    susp = documents.get(alignment.susp, "")[alignment.susp_start : alignment.susp_end]
    src = documents.get(alignment.src, "")[alignment.src_start : alignment.src_end]
    return {
        "susp": alignment.susp, "susp_span": [alignment.susp_start, alignment.susp_end],
        "src": alignment.src, "src_span": [alignment.src_start, alignment.src_end],
        "covered": round(share, 3), "susp_text": susp[:SNIPPET], "src_text": src[:SNIPPET],
    }


def _worst(targets: Sequence[Alignment], others: Sequence[Alignment], documents: dict[str, str], limit: int) -> list:
    index = by_pair(others)
    shares = sorted(((coverage(t, index.get(t.pair, ())), t) for t in targets), key=lambda st: (st[0], st[1]))
    return [_describe(t, documents, share) for share, t in shares[:limit] if share < 0.5]


def examples(corpus: PairCorpus, detections: Sequence[Alignment], limit: int = 5) -> dict[str, list]:
    """Up to ``limit`` worst-recalled cases and least-precise detections, with text snippets."""
    documents = dict(corpus.documents)
    return {
        "missed_cases": _worst(corpus.cases, detections, documents, limit),
        "false_detections": _worst(detections, corpus.cases, documents, limit),
    }
