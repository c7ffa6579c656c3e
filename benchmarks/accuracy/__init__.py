"""Accuracy benchmark: PAN 2013, Clough-Stevenson, Reuters-21578 and a generated news-reuse set.

Run with ``python -m benchmarks accuracy [--data=DIR] [--quick] [--only=pan13,clough,...]
[--scan-arg=--threshold=0.7 ...] [--via=library]``. Results go to ``benchmarks/results/accuracy.json`` and
``accuracy.md``; progress goes to stderr and the markdown table to stdout.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .report import write
from .runner import BenchmarkError
from .suites import VIA, clough_suite, log, newsreuse_suite, pan13_pairwise_suite, pan13_suite, reuters_suite

__all__ = ["main"]

PROJECT = Path(__file__).resolve().parents[2]
SUITES = ("pan13", "pan13-pairwise", "clough", "reuters", "newsreuse")
# Sizes: (full, quick). None means everything.
SIZES = {
    "pan_pairs": (None, 60),
    "reuters_groups": (None, 60),
    "reuters_others": (None, 600),
    "wires": (100, 20),
    "distractors": (300, 40),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks accuracy", description=__doc__)
    parser.add_argument("--data", type=Path, default=PROJECT.parent / "shared" / "data", help="labelled data directory")
    parser.add_argument("--quick", action="store_true", help="a small fixed subset, under a minute")
    parser.add_argument("--only", default=",".join(SUITES), help="comma-separated suites to run")
    parser.add_argument("--scan-arg", action="append", default=[], help="extra option for dedup scan (repeatable)")
    parser.add_argument("--via", choices=("cli", "library"), default="cli", help="run dedup scan as a subprocess or in-process")
    parser.add_argument("--output", type=Path, default=PROJECT / "benchmarks" / "results", help="results directory")
    return parser


def _run(name: str, options: argparse.Namespace) -> dict:
    size = {key: value[1] if options.quick else value[0] for key, value in SIZES.items()}
    data, scan_args = options.data, options.scan_arg
    if name == "pan13":
        return pan13_suite(data / "pan13-train", per_category=size["pan_pairs"], scan_args=scan_args)
    if name == "pan13-pairwise":
        return pan13_pairwise_suite(data / "pan13-train", per_category=size["pan_pairs"], scan_args=scan_args)
    if name == "clough":
        return clough_suite(data / "clough-stevenson", scan_args=scan_args)
    if name == "reuters":
        return reuters_suite(
            data / "reuters21578", groups=size["reuters_groups"], others=size["reuters_others"], scan_args=scan_args
        )
    return newsreuse_suite(
        data / "reuters21578", wires=size["wires"], distractors=size["distractors"], scan_args=scan_args
    )


def main(argv: list[str]) -> int:
    """Run the accuracy suites; 0 on success, 1 if the detector failed, 2 on bad options."""
    options = _parser().parse_args(argv)
    names = [n for n in options.only.split(",") if n]
    unknown = sorted(set(names) - set(SUITES))
    if unknown or not options.data.is_dir():
        log(f"unknown suite(s) {unknown}; choose from {SUITES}" if unknown else f"no data directory {options.data}")
        return 2
    VIA["mode"] = options.via
    started, results = time.perf_counter(), {}
    try:
        for name in names:
            results[name] = _run(name, options)
    except BenchmarkError as exc:
        log(str(exc))
        return 1
    meta = {"quick": options.quick, "data": str(options.data), "scan_args": options.scan_arg, "via": options.via,
            "seconds": round(time.perf_counter() - started, 1)}
    print(write(results, meta, options.output))
    return 0
