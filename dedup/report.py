"""Rendering a :class:`~dedup.detect.ScanResult` as JSON, JSONL, CSV or a terminal table.

The library never prints: each renderer writes to the text stream it is given.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from .detect import ScanResult
from .models import Pair

__all__ = ["FORMATS", "render", "render_pair"]

CSV_COLUMNS = ("a", "b", "kind", "jaccard", "containment_a", "containment_b", "passage", "a_start", "a_end",
               "b_start", "b_end", "similarity", "a_text", "b_text")
_SNIPPET = 160


def render_json(result: ScanResult, out: TextIO) -> None:
    """The whole report as one JSON object: indented while small, compact (and much faster to
    write) for large reports, which are read by programs rather than people."""
    report = result.to_dict()
    indent = 2 if len(result.pairs) <= 1000 else None
    out.write(json.dumps(report, ensure_ascii=False, indent=indent))
    out.write("\n")


def render_jsonl(result: ScanResult, out: TextIO) -> None:
    """One JSON object per line, each with a ``type``: ``pair``, ``cluster``, ``passage_cluster``,
    ``skipped``, and a last ``summary`` line with ``params``, ``stats`` and ``notes``."""
    report = result.to_dict()
    for key, kind in (("pairs", "pair"), ("clusters", "cluster"), ("passage_clusters", "passage_cluster"),
                      ("skipped", "skipped")):
        for record in report[key]:
            out.write(json.dumps({"type": kind, **record}, ensure_ascii=False) + "\n")
    summary = {"type": "summary", "version": report["version"], "params": report["params"], "stats": report["stats"],
               "notes": report["notes"]}
    out.write(json.dumps(summary, ensure_ascii=False) + "\n")


def render_csv(result: ScanResult, out: TextIO) -> None:
    """One row per shared passage (pair columns repeated), for spreadsheets."""
    _write_csv(result.pairs, out)


def _write_csv(pairs: tuple[Pair, ...], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for pair in pairs:
        head = {k: getattr(pair, k) for k in CSV_COLUMNS[:6]}
        for number, passage in enumerate(pair.passages, start=1):
            writer.writerow({**head, "passage": number, **passage.to_dict()})
        if not pair.passages:
            writer.writerow(head)


def _snippet(text: str, width: int = _SNIPPET) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _pairs_table(pairs: tuple[Pair, ...]) -> Table:
    table = Table(title=f"{len(pairs)} duplicate pair(s)", title_justify="left")
    for name in ("a", "b", "kind", "jaccard", "contained a", "contained b", "passages"):
        table.add_column(name, justify="right" if name not in ("a", "b", "kind") else "left",
                         overflow="fold" if name in ("a", "b") else "ellipsis")
    for p in pairs:
        table.add_row(p.a, p.b, p.kind, f"{p.jaccard:.2f}", f"{p.containment_a:.2f}", f"{p.containment_b:.2f}",
                      str(len(p.passages)))
    return table


def pair_table(pair: Pair) -> Table:
    """The passages of one pair, side by side."""
    table = Table(show_lines=True)
    table.add_column("#", justify="right")
    table.add_column(f"{pair.a} [start:end]")
    table.add_column(f"{pair.b} [start:end]")
    table.add_column("sim", justify="right")
    for n, p in enumerate(pair.passages, start=1):
        table.add_row(str(n), f"[{p.a_start}:{p.a_end}] {_snippet(p.a_text)}", f"[{p.b_start}:{p.b_end}] {_snippet(p.b_text)}",
                      f"{p.similarity:.2f}")
    return table


def _print_pair(console: Console, pair: Pair) -> None:
    console.print(f"{pair.a} ~ {pair.b}: {pair.kind}, {len(pair.passages)} passage(s)", soft_wrap=True)
    console.print(pair_table(pair))


def render_table(result: ScanResult, out: TextIO, *, details: bool = True) -> None:
    """A readable summary for a terminal: pairs, their passages, clusters and notes."""
    console = Console(file=out, width=max(100, Console(file=out).width), highlight=False)
    s = result.stats
    console.print(f"{s['articles_processed']} articles processed, {s['articles_skipped']} skipped, "
                  f"{s['candidate_pairs']} candidate pairs, {s['pairs']} duplicate pairs, {s['passages']} shared passages")
    if result.pairs:
        console.print(_pairs_table(result.pairs))
    if details:
        for pair in result.pairs:
            _print_pair(console, pair)
    for cluster in result.clusters:
        origin = f" (likely origin: {cluster.origin}, {cluster.origin_date})" if cluster.origin else ""
        console.print(f"cluster {cluster.id}: {len(cluster.articles)} articles{origin}: {', '.join(cluster.articles)}",
                      soft_wrap=True)
    if result.passage_clusters:
        widest = max(len(c.articles) for c in result.passage_clusters)
        console.print(f"{len(result.passage_clusters)} passage cluster(s); the most widespread passage is in {widest} articles")
    for note in result.notes:
        console.print(f"note: {note}", soft_wrap=True)


FORMATS: dict[str, Callable[[ScanResult, TextIO], Any]] = {
    "table": render_table,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": render_csv,
}


def render(result: ScanResult, out: TextIO, fmt: str) -> None:
    """Write ``result`` to ``out`` in format ``fmt`` (one of :data:`FORMATS`)."""
    FORMATS[fmt](result, out)


def render_pair(pair: Pair | None, out: TextIO, fmt: str, *, a: str = "a", b: str = "b") -> None:
    """Write one compared pair: a side-by-side table, or its JSON record."""
    if fmt == "table":
        console = Console(file=out, width=max(100, Console(file=out).width), highlight=False)
        if pair is None:
            console.print(f"{a} and {b} share no passage of reportable length")
        else:
            console.print(f"jaccard {pair.jaccard:.3f}, containment {pair.containment_a:.3f} / {pair.containment_b:.3f}")
            _print_pair(console, pair)
        return
    record = pair.to_dict() if pair else {"a": a, "b": b, "kind": None, "passages": []}
    if fmt == "csv":
        _write_csv((pair,) if pair else (), out)
    else:
        out.write(json.dumps(record, ensure_ascii=False, indent=2 if fmt == "json" else None) + "\n")
