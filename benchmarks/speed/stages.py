"""Where ``dedup scan`` spends its time and memory, stage by stage, without a profiler's overhead.

Runs the real CLI in this process (``python -m dedup scan CORPUS --format json --output OUT``)
after wrapping the stage functions that ``dedup.detect`` and ``dedup.report`` call by name.
Each wrapper adds up its wall time and notes the resident set size (current and peak) when the
stage last returned. Stages that the package does not have (any more) are skipped, so this keeps
working while ``dedup`` changes; nested stages are counted in both (``sign`` is inside
``_candidates``). Reading and parsing the input is in ``rest``.

Example::

    python -m benchmarks.speed.stages benchmarks/.cache/corpus-v1-n20000-s1.jsonl
"""

import functools
import importlib
import json
import resource
import runpy
import sys
import time

STAGES = (  # (module, function), in pipeline order
    ("dedup.detect", "prepare"),
    ("dedup.detect", "_candidates"),
    ("dedup.detect", "sign"),
    ("dedup.detect", "candidate_pairs"),
    ("dedup.detect", "compare_documents"),
    ("dedup.detect", "cluster_articles"),
    ("dedup.detect", "cluster_passages"),
    ("dedup.report", "render"),
)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _wrap(fn, record: dict):
    @functools.wraps(fn)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            record["seconds"] += time.perf_counter() - start
            record["calls"] += 1
            record["rss_after_mb"] = round(_rss_mb(), 1)
            record["peak_rss_after_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    return timed


def profile(corpus: str, output: str) -> dict:
    """Run the scan on ``corpus`` and return ``{stage: record}`` plus the total and the rest."""
    records = {}
    for module_name, name in STAGES:
        module = importlib.import_module(module_name)
        if callable(getattr(module, name, None)):
            records[name] = {"seconds": 0.0, "calls": 0}
            setattr(module, name, _wrap(getattr(module, name), records[name]))
    argv, sys.argv = sys.argv, ["dedup", "scan", corpus, "--format", "json", "--output", output]
    start = time.perf_counter()
    try:
        runpy.run_module("dedup", run_name="__main__")
    except SystemExit as exit_:
        if exit_.code:
            raise
    finally:
        sys.argv = argv
    total = time.perf_counter() - start
    nested = {"sign", "candidate_pairs"}  # inside _candidates
    accounted = sum(r["seconds"] for name, r in records.items() if name not in nested)
    for r in records.values():
        r["seconds"] = round(r["seconds"], 2)
    return {"total_s": round(total, 2), "rest_s": round(total - accounted, 2), "stages": records,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def markdown(result: dict) -> str:
    lines = [f"total {result['total_s']} s, peak RSS {result['peak_rss_mb']} MB; "
             f"rest (read, parse, imports, small steps) {result['rest_s']} s", "",
             "| stage | calls | seconds | share | RSS after MB | peak RSS so far MB |", "|---|---:|---:|---:|---:|---:|"]
    for name, r in result["stages"].items():
        share = r["seconds"] / result["total_s"] if result["total_s"] else 0
        lines.append(f"| {name} | {r['calls']} | {r['seconds']:.2f} | {share:.0%} | "
                     f"{r.get('rss_after_mb', '')} | {r.get('peak_rss_after_mb', '')} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m benchmarks.speed.stages CORPUS.jsonl [OUT.json]", file=sys.stderr)
        return 2
    result = profile(argv[0], argv[1] if len(argv) > 1 else "/dev/null")
    print(markdown(result), file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
