"""Flatten suite results into rows with targets, and write ``accuracy.json`` and ``accuracy.md``."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["ANCHORS", "markdown", "rows", "write"]

ANCHORS = "PAN 2013 winner ~0.82 plagdet; best 2014 system ~0.88 (Sanchez-Perez et al.); PAN 2013 test corpus"

# (dataset, measure) -> (comparison, target); counts marked "all" must equal their total.
TARGETS: dict[tuple[str, str], tuple[str, float | str]] = {
    ("pan13/02", "plagdet"): (">=", 0.95),
    ("pan13/03", "plagdet"): (">=", 0.88),
    ("pan13/04", "plagdet"): (">=", 0.85),
    ("pan13/02-05+01", "plagdet"): (">=", 0.88),
    ("pan13/01-03", "pair F1"): (">=", 0.98),
    ("clough", "cut+light found"): ("==", "all"),
    ("clough", "non reported"): ("==", 0),
    ("reuters", "groups in one cluster"): ("==", "all"),
    ("newsreuse", "plagdet"): (">=", 0.95),
    ("newsreuse", "pair F1"): (">=", 0.98),
}

PAN_MEASURES: dict[str, Callable[[dict], float]] = {
    "plagdet": operator.itemgetter("plagdet"),
    "precision": operator.itemgetter("precision"),
    "recall": operator.itemgetter("recall"),
    "granularity": operator.itemgetter("granularity"),
    "pair precision": lambda s: s["pairs"]["precision"],
    "pair recall": lambda s: s["pairs"]["recall"],
    "pair F1": lambda s: s["pairs"]["f1"],
}


def _row(dataset: str, split: str, measure: str, value: float, total: int | None = None) -> dict:
    comparison, target = TARGETS.get((dataset, measure), (None, None))
    goal = total if target == "all" else target
    met = None
    if comparison == ">=":
        met = value >= goal
    elif comparison == "==":
        met = value == goal
    row = {"dataset": dataset, "split": split, "measure": measure, "value": value, "target": goal, "met": met}
    if total is not None:
        row["of"] = total
    if dataset == "pan13/02-05+01" and measure == "plagdet":
        row["anchor"] = ANCHORS
    return row


def _pan_rows(split: str, name: str, scores: dict) -> Iterator[dict]:
    if name.endswith("/01"):  # PAN 01: no reuse, so only what was reported
        yield _row(name, split, "precision", scores["precision"])
        yield _row(name, split, "false pairs", scores["pairs"]["reported_pairs"])
        return
    if name.endswith("/01-03"):
        measures = ("pair precision", "pair recall", "pair F1")
    elif name.startswith("newsreuse/"):
        measures = ("recall", "pair recall")
    else:
        measures = ("plagdet", "precision", "recall", "granularity")
        measures += ("pair F1",) if name.startswith("newsreuse") else ()
    for measure in measures:
        yield _row(name, split, measure, PAN_MEASURES[measure](scores))


def _count_rows(split: str, name: str, scores: dict) -> Iterator[dict]:
    if name == "clough":
        found = sum(scores.get(c, {}).get("reported", 0) for c in ("cut", "light"))
        total = sum(scores.get(c, {}).get("total", 0) for c in ("cut", "light"))
        yield _row(name, split, "cut+light found", found, total)
        for category in ("non", "heavy"):
            entry = scores.get(category, {"reported": 0, "total": 0})
            yield _row(name, split, f"{category} reported", entry["reported"], entry["total"])
    else:
        yield _row(name, split, "groups in one cluster", scores["in_one_cluster"], scores["groups"])


def rows(results: dict) -> list[dict]:
    """One row per (data set, split, measure), in suite order, with its target and whether it is met."""
    out = []
    for suite in results.values():
        for split, subsets in suite["scores"].items():
            for name, scores in subsets.items():
                counts = name in ("clough", "reuters")
                out.extend((_count_rows if counts else _pan_rows)(split, name, scores))
    return out


def _cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(table: list[dict], splits: tuple[str, ...] = ("tuning", "held-out")) -> str:
    """The rows of ``splits`` as a markdown table, followed by the published anchors."""
    lines = ["| data set | split | measure | value | target | met |", "|---|---|---|---|---|---|"]
    for row in table:
        if row["split"] not in splits:
            continue
        value = f"{_cell(row['value'])}/{row['of']}" if "of" in row else _cell(row["value"])
        target = "" if row["target"] is None else _cell(row["target"])
        met = {True: "yes", False: "**no**", None: ""}[row["met"]]
        lines.append(f"| {row['dataset']} | {row['split']} | {row['measure']} | {value} | {target} | {met} |")
    lines.append("")
    lines.append(f"Published anchors for PAN plagdet: {ANCHORS}.")
    return "\n".join(lines) + "\n"


def _timings(results: dict) -> str:
    """One line per scan: documents, pairs reported, seconds."""
    lines = []
    for name, suite in results.items():
        scans = suite.get("scan", {})
        if "seconds" not in scans:  # one scan per part, as in newsreuse
            scans = {f"{name}/{part}": info for part, info in scans.items()}
        else:
            scans = {name: scans}
        for label, info in scans.items():
            lines.append(f"- {label}: {info['documents']} documents, {info['reported_pairs']} pairs "
                         f"reported, scan {info['seconds']:.1f}s")
    return "\n".join(["", "Scans:", *lines]) + "\n" if lines else ""


def write(results: dict, meta: dict, directory: Path) -> str:
    """Write ``accuracy.json`` and ``accuracy.md`` into ``directory``; return the markdown."""
    directory.mkdir(parents=True, exist_ok=True)
    table = rows(results)
    document = {**meta, "rows": table, "suites": results}
    (directory / "accuracy.json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    text = markdown(table) + _timings(results)
    header = f"# Accuracy benchmark{' (quick)' if meta.get('quick') else ''}\n\n"
    (directory / "accuracy.md").write_text(header + text)
    return text
