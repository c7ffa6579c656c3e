"""Speed of the persistent index: ``python -m benchmarks index [--quick] [--backend sqlite|redis|both]``.

Builds an index of the news-like corpus of :mod:`benchmarks.speed.corpus` with ``add_many``
(chunks of 1,000), and at each checkpoint (10k, 25k, 50k, 75k and 100k articles; 1k, 2k, 3k with ``--quick``)
records the ``add_many`` rate since the last checkpoint, the process RSS, and the latency of
single ``query`` calls for articles that are not in the index (the last 300 of the corpus,
so about 10% of them reuse indexed text), and how many of them ran while a merge was under way
(SQLite merges on a thread of its own; a query is slower meanwhile). At the end, the latency of
``add`` for those 300 articles, one at a time, as a pipeline worker adds. The SQLite file lives in a temporary folder; Redis is
a ``redis-server`` started on a free loopback port, without persistence.

Targets (issue 5): add_many >= 1,000 articles/s, query median <= 5 ms and p99 <= 50 ms at 100k,
RSS flat with index size. Writes ``benchmarks/results/index.json`` and ``index.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np

from dedup import DedupIndex

RESULTS = Path(__file__).resolve().parents[1] / "results"
QUERIES = 300
CHUNK = 1000


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def tree_cpu_s() -> float:
    """CPU seconds used so far by this process and its live worker processes (wall rates are
    only comparable on an idle machine; CPU per article is comparable under load too)."""
    import psutil

    me = psutil.Process()
    return sum(sum(p.cpu_times()[:2]) for p in [me, *me.children(recursive=True)])


def read_corpus(n: int, first: int, stop: int) -> Iterator[dict]:
    """Articles ``first`` to ``stop`` of the news-like corpus of ``n``, streamed from its file (the
    benchmark process holds one chunk at a time, so its RSS is the index's)."""
    from benchmarks.speed.corpus import corpus_path

    with open(corpus_path(n), encoding="utf-8") as stream:
        for line in islice(stream, first, stop):
            yield json.loads(line)


def run_backend(location: str, n: int, queries: list[dict], checkpoints: list[int]) -> dict:
    rows, done = [], 0
    with DedupIndex(location) as index:
        for checkpoint in checkpoints:
            started, cpu, writer = time.perf_counter(), tree_cpu_s(), time.thread_time()
            index.add_many(read_corpus(n, done, checkpoint), chunk_size=CHUNK)
            cpu_ms = (tree_cpu_s() - cpu) * 1000 / (checkpoint - done)
            writer_ms = (time.thread_time() - writer) * 1000 / (checkpoint - done)  # the calling thread's part
            done = checkpoint
            rate = (checkpoint - (rows[-1]["articles"] if rows else 0)) / (time.perf_counter() - started)
            latencies, hits, during_merge = [], 0, 0
            for query in queries:
                during_merge += getattr(index._store, "merging", False)  # SQLite merges on a thread of its own
                t = time.perf_counter()
                hits += bool(index.query(query))
                latencies.append((time.perf_counter() - t) * 1000)
            rows.append({"articles": len(index), "add_many_per_s": round(rate, 1), "add_cpu_ms_per_article": round(cpu_ms, 2),
                         "add_writer_cpu_ms_per_article": round(writer_ms, 2),
                         "load_average": round(os.getloadavg()[0], 2), "rss_mb": round(rss_mb(), 1),
                         "query_median_ms": round(float(np.median(latencies)), 2),
                         "query_p99_ms": round(float(np.percentile(latencies, 99)), 2), "queries_with_matches": hits,
                         "queries_during_merge": during_merge})
            print(json.dumps({"backend": location.split(":")[0] if "://" in location else "sqlite", **rows[-1]}), flush=True)
        # Then as a pipeline worker adds: the query articles one at a time (each add asks, then stores).
        latencies = []
        for article in queries:
            t = time.perf_counter()
            index.add(article)
            latencies.append((time.perf_counter() - t) * 1000)
        single = {"articles": len(index), "add_median_ms": round(float(np.median(latencies)), 2),
                  "add_p99_ms": round(float(np.percentile(latencies, 99)), 2)}
        print(json.dumps({"single_adds": single}), flush=True)
    return {"checkpoints": rows, "single_adds": single}


class _Redis:
    def __enter__(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL)
        import redis

        for _ in range(200):
            try:
                redis.Redis(port=port).ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        return f"redis://127.0.0.1:{port}/0"

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.wait()


def write_results(results: dict, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Index benchmark ({'quick' if results['quick'] else 'full'})", "",
             f"{results['machine']}; corpus: news-like (benchmarks.speed.corpus), chunks of {CHUNK}; "
             f"{QUERIES} queries of unseen articles per checkpoint.", "",
             "Targets: add_many >= 1000 articles/s; query median <= 5 ms, p99 <= 50 ms at 100k; RSS flat.", "",
             "| backend | articles | add_many /s | add CPU ms / article | of which the adding thread | query median ms | query p99 ms | RSS MB | "
             "queries with matches | queries during a merge | load average |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for backend, result in results["backends"].items():
        for row in result.get("checkpoints", []):
            lines.append(f"| {backend} | {row['articles']:,} | {row['add_many_per_s']:,.0f} | "
                         f"{row.get('add_cpu_ms_per_article', '')} | {row.get('add_writer_cpu_ms_per_article', '')} | "
                         f"{row['query_median_ms']} | {row['query_p99_ms']} | "
                         f"{row['rss_mb']} | {row['queries_with_matches']} | {row.get('queries_during_merge', '')} | "
                         f"{row.get('load_average', '')} |")
        if "error" in result:
            lines.append(f"| {backend} | not run: {result['error']} | | | | | | | | | |")
    singles = [(backend, r["single_adds"]) for backend, r in results["backends"].items() if "single_adds" in r]
    if singles:
        lines += ["", f"Then the {QUERIES} query articles added one at a time with `add` (each asks, then stores):", "",
                  "| backend | articles after | add median ms | add p99 ms |", "|---|---:|---:|---:|"]
        lines += [f"| {backend} | {s['articles']:,} | {s['add_median_ms']} | {s['add_p99_ms']} |" for backend, s in singles]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _with_earlier(results: dict, name: str) -> dict:
    """``results`` with the backends an earlier run measured and this one did not (one backend run
    at a time keeps the other's numbers)."""
    try:
        earlier = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return results
    kept = {b: r for b, r in earlier.get("backends", {}).items() if b not in results["backends"]}
    return {**results, "backends": {**kept, **results["backends"]}} if kept else results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks index")
    parser.add_argument("--quick", action="store_true", help="a few thousand articles, seconds")
    parser.add_argument("--backend", choices=("sqlite", "redis", "both"), default="both")
    args, _ = parser.parse_known_args(argv)
    checkpoints = [1000, 2000, 3000] if args.quick else [10_000, 25_000, 50_000, 75_000, 100_000 - QUERIES]
    n = 3000 + QUERIES if args.quick else 100_000
    queries = list(read_corpus(n, n - QUERIES, n))
    results = {"quick": args.quick, "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "backends": {}}
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            results["backends"]["sqlite"] = run_backend(str(Path(tmp) / "index.db"), n, queries, checkpoints)
    if args.backend in ("redis", "both"):
        if shutil.which("redis-server") is None:
            results["backends"]["redis"] = {"error": "redis-server not installed"}
        else:
            with _Redis() as url:
                results["backends"]["redis"] = run_backend(url, n, queries, checkpoints)
    name = "index-quick" if args.quick else "index"
    write_results(_with_earlier(results, name), name)
    print(f"wrote {RESULTS / (name + '.json')} and .md")
    return 0
