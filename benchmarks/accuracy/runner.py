"""Run ``dedup scan`` over a corpus and turn its JSON report into detections.

The detector is run as users run it, ``python -m dedup scan FILE.jsonl --format json``, over
all documents at once, so finding the right pairs among thousands of documents is part of what
is measured. The report contract: ``pairs[*]`` has ``a``, ``b`` (ids, either order) and
``passages[*]`` with ``a_start``, ``a_end``, ``b_start``, ``b_end`` (``str`` offsets);
``clusters[*].articles`` lists ids.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .gold import Alignment, PairCorpus

__all__ = ["BenchmarkError", "Detections", "compare_pairs", "detections_from_report", "run_scan"]


class BenchmarkError(RuntimeError):
    """The detector could not be run, or its report breaks the contract."""


def _overrides(scan_args: Sequence[str]) -> dict[str, object]:
    """``["--max-gap-words=20"]`` as library keywords ``{"max_gap_words": 20}``."""
    overrides: dict[str, object] = {}
    for arg in scan_args:
        name, _, raw = arg.lstrip("-").partition("=")
        value: object = raw
        for kind in (int, float):
            try:
                value = kind(raw)
                break
            except ValueError:
                continue
        overrides[name.replace("-", "_")] = value
    return overrides


def _scan_library(documents: Mapping[str, str], scan_args: Sequence[str]) -> tuple[dict, float]:
    import dedup

    articles = [{"id": doc_id, "text": documents[doc_id]} for doc_id in sorted(documents)]
    started = time.perf_counter()
    try:
        result = dedup.scan(articles, **_overrides(scan_args))
    except dedup.DedupError as exc:
        raise BenchmarkError(f"dedup.scan failed: {exc}") from exc
    return result.to_dict(), time.perf_counter() - started


def compare_pairs(documents: Mapping[str, str], pairs: Sequence[tuple[str, str]],
                  scan_args: Sequence[str] = ()) -> tuple[dict, float]:
    """Each of ``pairs`` verified and aligned on its own with ``dedup.compare`` (no candidate
    search), as a report with the scan's ``pairs`` contract; and the seconds taken."""
    import dedup

    config = dedup.Config(**_overrides(scan_args))
    started, found = time.perf_counter(), []
    try:
        for a, b in pairs:
            pair = dedup.compare({"id": a, "text": documents[a]}, {"id": b, "text": documents[b]}, config)
            if pair is not None:
                found.append(pair.to_dict())
    except dedup.DedupError as exc:
        raise BenchmarkError(f"dedup.compare failed: {exc}") from exc
    return {"pairs": found}, time.perf_counter() - started


def run_scan(
    documents: Mapping[str, str], *, scan_args: Sequence[str] = (), via: str = "cli"
) -> tuple[dict, float]:
    """Scan ``documents`` (id to text) in one run; return the report and seconds taken.

    ``via="cli"`` runs ``python -m dedup scan`` in a subprocess, as users do; ``via="library"``
    calls ``dedup.scan`` in-process (``scan_args`` such as ``--threshold=0.7`` become keywords).
    """
    if via == "library":
        return _scan_library(documents, scan_args)
    with tempfile.TemporaryDirectory(prefix="dedup-accuracy-") as tmp:
        source, output = Path(tmp) / "articles.jsonl", Path(tmp) / "report.json"
        with source.open("w", encoding="utf-8") as handle:
            for doc_id in sorted(documents):
                handle.write(json.dumps({"id": doc_id, "text": documents[doc_id]}) + "\n")
        command = [sys.executable, "-m", "dedup", "scan", str(source), "--format", "json", "--output", str(output)]
        started = time.perf_counter()
        done = subprocess.run([*command, *scan_args], capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0 or not output.exists():
            raise BenchmarkError(f"dedup scan failed (exit {done.returncode}): {done.stderr[-2000:]}")
        return json.loads(output.read_text(encoding="utf-8")), elapsed


@dataclass
class Detections:
    """A report seen through one corpus: passages as alignments on its evaluated pairs.

    ``pairs`` holds the evaluated pairs reported with at least one passage; ``unlisted`` counts
    reported pairs outside the evaluated ones (ignored unless the corpus is closed).
    """

    alignments: list[Alignment] = field(default_factory=list)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    unlisted: int = 0


def _orient(a: str, b: str, listed: set[tuple[str, str]], corpus: PairCorpus) -> tuple[bool, bool]:
    """(known, a_is_susp): whether the pair is evaluated, and which side is the suspicious one."""
    if (a, b) in listed:
        return True, True
    if (b, a) in listed:
        return True, False
    closed = corpus.closed and a in corpus.documents and b in corpus.documents
    return closed, True


def _alignment(passage: Mapping, a: str, b: str, a_is_susp: bool) -> Alignment:
    ends = passage["a_start"], passage["a_end"], passage["b_start"], passage["b_end"]
    if a_is_susp:
        return Alignment(a, ends[0], ends[1], b, ends[2], ends[3])
    return Alignment(b, ends[2], ends[3], a, ends[0], ends[1])


def _copies(report: Mapping, documents: Mapping[str, str]) -> dict[str, list[str]]:
    """Each copy-group representative of the report (``copy_groups``) with its other members
    whose text is the representative's, character for character, in ``documents``."""
    found = {}
    for group in report.get("copy_groups", ()):
        rep = str(group["representative"])
        same = [str(m) for m in group["copies"] if rep in documents and documents.get(str(m)) == documents[rep]]
        if same:
            found[rep] = same
    return found


def _stand_ins(a: str, b: str, copies: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """The pairs a reported pair ``(a, b)`` stands for: each side or an exact copy it represents."""
    return [(x, y) for x in (a, *copies.get(a, ())) for y in (b, *copies.get(b, ())) if x != y]


def detections_from_report(report: Mapping, corpus: PairCorpus, texts: Mapping[str, str] | None = None) -> Detections:
    """The report's passages on ``corpus``'s evaluated pairs, oriented (suspicious, source).

    A scan aligns each group of exact copies through its representative only and lists the
    group in ``copy_groups`` (the default that keeps alignment linear in a group's size). A
    reported pair whose side represents such a group therefore stands for that side's copies
    too: a copy whose text is the representative's, character for character, shares the same
    passages at the same offsets, and the pair is scored as reported with them, as ``dedup scan
    --all-pairs`` lists it. Pairs the report lists itself come first. ``texts`` holds every
    scanned document (default: ``corpus.documents``), to tell which copies are identical.
    """
    listed, found = set(corpus.pairs), Detections()
    copies = _copies(report, corpus.documents if texts is None else texts)
    records = [(str(r["a"]), str(r["b"]), r) for r in report.get("pairs", ())]
    stood_for = [(x, y, r) for a, b, r in records for x, y in _stand_ins(a, b, copies)]
    seen: set[frozenset[str]] = set()
    for a, b, record in records + stood_for:  # (a listed pair is met again among stood_for: skipped)
        if frozenset((a, b)) in seen:
            continue
        seen.add(frozenset((a, b)))
        known, a_is_susp = _orient(a, b, listed, corpus)
        if not known:
            found.unlisted += 1
            continue
        passages = [p for p in record.get("passages", ()) if p["a_end"] > p["a_start"] and p["b_end"] > p["b_start"]]
        found.alignments.extend(_alignment(p, a, b, a_is_susp) for p in passages)
        if passages:
            found.pairs.add((a, b) if a_is_susp else (b, a))
    return found
