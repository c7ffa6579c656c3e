"""PAN plagiarism-detection measures and document-pair measures.

The passage measures follow Potthast, Stein, Barrón-Cedeño and Rosso, "An Evaluation Framework
for Plagiarism Detection" (COLING 2010), as used by the PAN 2013 text-alignment task. A case
``s`` and a detection ``r`` are both :class:`~benchmarks.accuracy.gold.Alignment`; each stands for
the set of its characters in the suspicious document plus those in the source document.
``r`` *detects* ``s`` when they belong to the same document pair and overlap on both sides.

- macro recall: mean over cases of ``|s ∩ ∪{r detecting s}| / |s|``
- macro precision: mean over detections of ``|r ∩ ∪{s detected by r}| / |r|``
- granularity: mean, over the cases detected at least once, of how many detections detect them
- plagdet: ``F1(precision, recall) / log2(1 + granularity)``

Edge cases follow the PAN reference implementation: with no cases and no detections, precision
and recall are 1; with only one of the two empty, both are 0; granularity is 1 when nothing is
detected.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from .gold import Alignment

__all__ = [
    "by_pair",
    "coverage",
    "covered_chars",
    "detects",
    "f1",
    "granularity",
    "macro_precision",
    "macro_recall",
    "pair_scores",
    "pan_scores",
    "plagdet",
]


def detects(a: Alignment, b: Alignment) -> bool:
    """Whether ``a`` and ``b`` share a document pair and overlap on both sides.

    Examples
    --------
    >>> detects(Alignment("s", 0, 10, "r", 0, 10), Alignment("s", 9, 20, "r", 5, 6))
    True
    >>> detects(Alignment("s", 0, 10, "r", 0, 10), Alignment("s", 10, 20, "r", 5, 6))
    False
    """
    return (
        a.pair == b.pair
        and a.susp_start < b.susp_end
        and b.susp_start < a.susp_end
        and a.src_start < b.src_end
        and b.src_start < a.src_end
    )


def covered_chars(start: int, end: int, spans: Iterable[tuple[int, int]]) -> int:
    """Characters of ``[start, end)`` inside the union of ``spans``.

    Examples
    --------
    >>> covered_chars(0, 10, [(2, 4), (3, 6), (8, 20)])
    6
    """
    total, reach = 0, start
    for lo, hi in sorted(spans):
        lo, hi = max(lo, reach), min(hi, end)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


def by_pair(alignments: Iterable[Alignment]) -> dict[tuple[str, str], list[Alignment]]:
    """Alignments grouped by their (suspicious, source) pair."""
    index: dict[tuple[str, str], list[Alignment]] = defaultdict(list)
    for alignment in alignments:
        index[alignment.pair].append(alignment)
    return index


def coverage(target: Alignment, others: Sequence[Alignment]) -> float:
    """Share of ``target``'s characters (both sides) covered by the ``others`` that detect it."""
    hits = [o for o in others if detects(target, o)]
    susp = covered_chars(target.susp_start, target.susp_end, [(o.susp_start, o.susp_end) for o in hits])
    src = covered_chars(target.src_start, target.src_end, [(o.src_start, o.src_end) for o in hits])
    return (susp + src) / target.length if target.length else 0.0


def macro_recall(cases: Sequence[Alignment], detections: Sequence[Alignment]) -> float:
    """Macro-averaged character recall of ``detections`` over ``cases``."""
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    index = by_pair(detections)
    return sum(coverage(case, index.get(case.pair, ())) for case in cases) / len(cases)


def macro_precision(cases: Sequence[Alignment], detections: Sequence[Alignment]) -> float:
    """Macro-averaged character precision: recall with the roles of cases and detections swapped."""
    return macro_recall(detections, cases)


def granularity(cases: Sequence[Alignment], detections: Sequence[Alignment]) -> float:
    """Mean number of detections per detected case (1.0 is ideal; 1.0 if none is detected)."""
    index = by_pair(detections)
    counts = [sum(detects(case, d) for d in index.get(case.pair, ())) for case in cases]
    detected = [n for n in counts if n > 0]
    return sum(detected) / len(detected) if detected else 1.0


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def plagdet(precision: float, recall: float, gran: float) -> float:
    """PAN's overall score: F1 discounted by ``log2(1 + granularity)``.

    Examples
    --------
    >>> plagdet(1.0, 1.0, 1.0)
    1.0
    >>> round(plagdet(1.0, 1.0, 2.0), 4)
    0.6309
    """
    return f1(precision, recall) / math.log2(1 + gran)


def pan_scores(cases: Sequence[Alignment], detections: Sequence[Alignment]) -> dict[str, float]:
    """Precision, recall, granularity and plagdet of ``detections`` against ``cases``."""
    precision = macro_precision(cases, detections)
    recall = macro_recall(cases, detections)
    gran = granularity(cases, detections)
    return {
        "plagdet": plagdet(precision, recall, gran),
        "precision": precision,
        "recall": recall,
        "granularity": gran,
        "cases": len(cases),
        "detections": len(detections),
    }


def pair_scores(gold: set[tuple[str, str]], detected: set[tuple[str, str]]) -> dict[str, float]:
    """Document-pair precision, recall and F1 (an empty side scores 1, as nothing went wrong).

    Examples
    --------
    >>> pair_scores({("a", "b"), ("c", "d")}, {("a", "b"), ("e", "f")})["f1"]
    0.5
    """
    hits = len(gold & detected)
    precision = hits / len(detected) if detected else 1.0
    recall = hits / len(gold) if gold else 1.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "true_pairs": len(gold),
        "reported_pairs": len(detected),
        "found_pairs": hits,
    }
