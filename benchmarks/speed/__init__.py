"""Speed benchmark: ``dedup scan`` against the peer pipelines on generated news-like corpora.

Usage::

    python -m benchmarks speed [--sizes=20000,100000] [--repeat=N] [--quick]
                               [--contenders=ours,rensa,datasketch-bulk,datasketch]
                               [--seed=S] [--timeout=SECONDS] [--no-signing]

(write ``--option=value``: the ``benchmarks`` dispatcher passes on only ``-``-prefixed words.)

For each size, one corpus (``corpus.py``, cached) is scanned by every contender as a child
process, alternating their order between repeats so that no one always runs on a warm or a
cold page cache. Each run reports wall time, articles/s, MB/s, CPU time and peak RSS
(``measure.py``). "ours" is ``python -m dedup scan CORPUS --format json --output OUT`` (the full
report, with passages); the peers (``peers.py``) verify whole-article Jaccard only.

Recall: every pair a peer verifies at Jaccard >= 0.5 must be among our report's ``pairs``.
Signing alone (``signing.py``) is timed in this process on the first 20,000 articles.

Peers run by default up to 100,000 articles (datasketch needs about 1.5 GB per 20,000 and
would need tens of GB at 1M); pass ``--contenders`` to force them. ``--quick`` is a 2,000-article
smoke test with one repeat, written to ``speed-quick.*`` so it never overwrites full results.
Results: ``benchmarks/results/speed.json`` (merged by size) and ``speed.md``.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "results"
CONTENDERS = ("ours", "rensa", "datasketch-bulk", "datasketch")
OPTIONAL = ("datasketch-update",)  # run only when named in --contenders
PEER_LIMIT = 100_000
SIGNING_ARTICLES = 20_000
TARGETS = {  # from issue 4
    "vs_rensa": 1 / 3,
    "vs_datasketch": 1 / 9,
    "rss_mb_20k": 600,
    "signing_speedup": 10,
    "scaling_100k": 5.5,
    "wall_1m_s": 15 * 60,
    "rss_mb_1m": 8 * 1024,
}


def command(name: str, corpus: Path, output: Path) -> list[str]:
    """The command line that runs contender ``name`` on ``corpus``, writing pairs to ``output``."""
    if name == "ours":
        return [sys.executable, "-m", "dedup", "scan", str(corpus), "--format", "json", "--output", str(output)]
    return [sys.executable, "-m", "benchmarks.speed.peers", name, str(corpus), str(output)]


def read_pairs(name: str, output: Path) -> set[tuple[str, str]] | None:
    """The unordered id pairs a contender reported (ours: all of them; peers: Jaccard >= 0.5)."""
    if not output.exists():
        return None
    if name == "ours":
        report = json.loads(output.read_text(encoding="utf-8"))
        # Exact copies are listed once, as a copy group: every two members are a pair, and a pair
        # reported for one member holds for each of its copies (they have the same words).
        group = {}
        for g in report.get("copy_groups", []):
            members = [g["representative"], *g["copies"]]
            group.update({m: members for m in members})
        found = set()
        for p in report["pairs"]:
            a, b = str(p["a"]), str(p["b"])
            found |= {tuple(sorted((x, y))) for x in group.get(a, [a]) for y in group.get(b, [b]) if x != y}
        # Every two members of a copy group or of a near-copy group are a pair (near copies have
        # Jaccard >= 2 * threshold - 1 = 0.6 with each other through their representative).
        groups = [tuple(m) for m in {tuple(m) for m in group.values()}]
        groups += [(g["representative"], *g["copies"]) for g in report.get("near_copy_groups", [])]
        for members in groups:
            found |= {tuple(sorted((x, y))) for i, x in enumerate(members) for y in members[i + 1 :]}
        return found
    with open(output, encoding="utf-8") as lines:
        return {tuple(sorted((r["a"], r["b"]))) for r in map(json.loads, lines)}


def dedup_version() -> str:
    """The commit ``dedup/`` was measured at, with ``+dirty`` when it had uncommitted changes."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "dedup"], cwd=root, capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    return head + ("+dirty" if dirty.strip() else "")


def run_size(n: int, args) -> dict:
    from . import measure
    from .corpus import corpus_path

    corpus = corpus_path(n, args.seed)
    mb = corpus.stat().st_size / 1e6
    tmp = RESULTS / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    contenders = args.contenders or [c for c in CONTENDERS if c == "ours" or n <= PEER_LIMIT]
    if args.quick and not args.contenders:
        contenders = ["ours", "rensa", "datasketch-bulk"]
    runs = {name: [] for name in contenders}
    pairs = {}
    for r in range(args.repeat):
        shift = r % len(contenders)
        for name in contenders[shift:] + contenders[:shift]:
            output = tmp / f"{name}-n{n}.json"
            output.unlink(missing_ok=True)
            print(f"[speed] n={n} repeat {r + 1}/{args.repeat}: {name} ...", file=sys.stderr, flush=True)
            result = measure.run(command(name, corpus, output), log_path=str(tmp / f"{name}-n{n}.log"),
                                 timeout=args.timeout, max_rss_mb=args.max_rss_mb)
            print(f"[speed]   {result.wall_s:.2f} s, peak {result.peak_rss_mb:.0f} MB, rc={result.returncode}",
                  file=sys.stderr, flush=True)
            runs[name].append(result.as_dict())
            if result.returncode == 0:
                pairs[name] = read_pairs(name, output)
    entry = {"articles": n, "corpus_mb": round(mb, 1), "seed": args.seed, "repeat": args.repeat,
             "when": time.strftime("%Y-%m-%d %H:%M:%S"), "dedup_version": dedup_version(), "contenders": {}}
    for name, rs in runs.items():
        entry["contenders"][name] = summarize(rs, n, mb)
    entry["recall"] = recall(pairs)
    return entry


def run_stages(corpus: Path) -> dict:
    """Stage timings of ``dedup scan`` on ``corpus`` (a separate process; see ``stages.py``)."""
    import subprocess

    print(f"[speed] stage timings on {corpus.name} ...", file=sys.stderr, flush=True)
    cmd = [sys.executable, "-m", "benchmarks.speed.stages", str(corpus), str(RESULTS / "tmp" / "stages.json")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        return {"failed": done.stderr[-2000:]}
    return {"corpus": corpus.name} | json.loads(done.stdout.splitlines()[-1])


def summarize(rs: list[dict], n: int, mb: float) -> dict:
    ok = [r for r in rs if r["returncode"] == 0]
    if not ok:
        return {"failed": True, "runs": rs}
    wall = statistics.median(r["wall_s"] for r in ok)
    return {
        "wall_s": round(wall, 3),
        "wall_min_s": min(r["wall_s"] for r in ok),
        "articles_per_s": round(n / wall, 1),
        "mb_per_s": round(mb / wall, 2),
        "cpu_s": round(statistics.median(r["cpu_s"] for r in ok), 3),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in ok),
        "failed_runs": len(rs) - len(ok),
        "runs": rs,
    }


def recall(pairs: dict) -> dict:
    """How many of the pairs each peer verified are missing from our report."""
    ours = pairs.get("ours")
    peers = {name: p for name, p in pairs.items() if name != "ours" and p is not None}
    union = set().union(*peers.values()) if peers else set()
    out = {"ours_pairs": None if ours is None else len(ours), "peer_pairs": {k: len(v) for k, v in peers.items()},
           "peer_union": len(union)}
    if ours is not None:
        missing = sorted(union - ours)
        out["missing"] = len(missing)
        out["missing_examples"] = [list(p) for p in missing[:20]]
        out["missing_by_peer"] = {k: len(v - ours) for k, v in peers.items()}
    return out


def ratios(entry: dict) -> dict:
    """Ours' wall time divided by each peer's (the targets are <= 1/3 of rensa, <= 1/9 of datasketch)."""
    c = entry["contenders"]
    ours = c.get("ours", {}).get("wall_s")
    if not ours:
        return {}
    out = {f"ours/{k}": round(ours / v["wall_s"], 3) for k, v in c.items() if k != "ours" and "wall_s" in v}
    # CPU seconds move less than wall time when other work shares the machine.
    cpu = c["ours"]["cpu_s"]
    out |= {f"cpu ours/{k}": round(cpu / v["cpu_s"], 3) for k, v in c.items() if k != "ours" and "cpu_s" in v}
    return out


def targets(results: dict) -> list[str]:
    """Each target of issue 4 that these results can check, as a line of text."""
    lines = []
    sizes = results["sizes"]

    def check(ok: bool) -> str:
        return "met" if ok else "MISSED"

    for key, entry in sorted(sizes.items(), key=lambda kv: int(kv[0])):
        n, c = int(key), entry["contenders"]
        ours = c.get("ours", {})
        if "wall_s" not in ours:
            lines.append(f"n={n}: ours did not finish; no target can be checked")
            continue
        for peer, target in (("rensa", "vs_rensa"), ("datasketch", "vs_datasketch")):
            r = entry["ratios"].get(f"ours/{peer}")
            if r is not None:
                cpu = entry["ratios"].get(f"cpu ours/{peer}")
                lines.append(f"n={n}: wall ours/{peer} = {r:.3f} (target <= {TARGETS[target]:.3f}): {check(r <= TARGETS[target])}"
                             + (f"; CPU-time ratio {cpu:.3f}" if cpu is not None else ""))
        if n <= 20_000:
            rss = ours["peak_rss_mb"]
            lines.append(f"n={n}: peak RSS {rss:.0f} MB (target <= {TARGETS['rss_mb_20k']} MB at 20k): {check(rss <= TARGETS['rss_mb_20k'])}")
        base = sizes.get("20000", {})
        if n == 100_000 and base.get("dedup_version") != entry.get("dedup_version"):
            lines.append(f"n={n}: time 100k / time 20k not comparable: measured at dedup "
                         f"{entry.get('dedup_version')} vs {base.get('dedup_version')}; rerun both sizes together")
        elif n == 100_000 and "wall_s" in base.get("contenders", {}).get("ours", {}):
            scale = ours["wall_s"] / sizes["20000"]["contenders"]["ours"]["wall_s"]
            lines.append(f"n={n}: time 100k / time 20k = {scale:.2f} (target <= {TARGETS['scaling_100k']}): {check(scale <= TARGETS['scaling_100k'])}")
        if n >= 1_000_000:
            lines.append(f"n={n}: wall {ours['wall_s']:.0f} s (target <= {TARGETS['wall_1m_s']} s): {check(ours['wall_s'] <= TARGETS['wall_1m_s'])}")
            lines.append(f"n={n}: peak RSS {ours['peak_rss_mb']:.0f} MB (target <= {TARGETS['rss_mb_1m']} MB): {check(ours['peak_rss_mb'] <= TARGETS['rss_mb_1m'])}")
        rec = entry["recall"]
        if rec.get("missing") is not None and rec["peer_union"]:
            lines.append(f"n={n}: recall: {rec['missing']} of {rec['peer_union']} peer-verified pairs (J >= 0.5) missing from ours (target 0): {check(rec['missing'] == 0)}")
    s = results.get("signing", {})
    if "from_shingles" in s.get("ours", {}):
        for mode in ("from_shingles", "from_text"):
            speedup = s["ours"][mode]["articles_per_cpu_s"] / s["datasketch-bulk"][mode]["articles_per_cpu_s"]
            lines.append(f"signing ({mode}): ours / datasketch bulk+xxhash per core = {speedup:.1f}x (target >= {TARGETS['signing_speedup']}x): {check(speedup >= TARGETS['signing_speedup'])}")
    return lines


def markdown(results: dict) -> str:
    out = ["# Speed benchmark", "",
           f"Machine: {results['machine']}. Wall time and rates are medians over repeats; peak RSS is the largest over repeats "
           "(the larger of the exact `ru_maxrss` of the biggest single process and the sampled PSS sum over the process tree). "
           "`x ours` is the contender's wall time divided by ours.", "",
           "| articles | MB | contender | wall s | min wall s | articles/s | MB/s | CPU s | peak RSS MB | x ours | target |",
           "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for key, entry in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        ours = entry["contenders"].get("ours", {}).get("wall_s")
        for name, c in entry["contenders"].items():
            if "wall_s" not in c:
                out.append(f"| {key} | {entry['corpus_mb']} | {name} | failed | | | | | | | |")
                continue
            x = f"{c['wall_s'] / ours:.2f}" if ours else ""
            target = {"ours": "see below", "rensa": "ours <= 1/3 of this", "datasketch": "ours <= 1/9 of this"}.get(name, "")
            out.append(f"| {key} | {entry['corpus_mb']} | {name} | {c['wall_s']:.2f} | {c['wall_min_s']:.2f} | {c['articles_per_s']:.0f} | "
                       f"{c['mb_per_s']:.2f} | {c['cpu_s']:.1f} | {c['peak_rss_mb']:.0f} | {x} | {target} |")
    s = results.get("signing")
    if s:
        out += ["", f"## Signing alone ({s['articles']} articles, {results['machine']})", "",
                "| engine | mode | wall s | articles/s | articles per CPU-s |", "|---|---|---:|---:|---:|"]
        for engine in ("ours", "rensa", "datasketch-bulk"):
            e = s.get(engine, {})
            if "skipped" in e:
                out.append(f"| {engine} | skipped: {e['skipped']} | | | |")
            for mode in ("from_shingles", "from_text"):
                if mode in e:
                    m = e[mode]
                    out.append(f"| {engine} | {mode} | {m['wall_s']:.2f} | {m['articles_per_s']:.0f} | {m['articles_per_cpu_s']:.0f} |")
    stages = results.get("stages")
    if stages and "phases" in stages:
        from .stages import markdown as stages_markdown

        out += ["", f"## Where ours spends its time ({stages['corpus']}, one run, library hooks + PSS sampling)", "",
                stages_markdown(stages).rstrip()]
    out += ["", "## Targets (issue 4)", ""] + [f"- {line}" for line in targets(results)]
    for key, entry in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        rec = entry["recall"]
        out.append(f"- n={key}: pairs: ours {rec['ours_pairs']}, peers {rec['peer_pairs']}, peer union {rec['peer_union']}, "
                   f"missing from ours {rec.get('missing', 'n/a')} {rec.get('missing_by_peer', '')}")
    return "\n".join(out) + "\n"


def default_rss_limit() -> float | None:
    """80% of physical memory in MB (None when it cannot be read)."""
    import os

    try:
        return 0.8 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (ValueError, OSError):
        return None


def parse(argv: list[str]):
    parser = argparse.ArgumentParser(prog="python -m benchmarks speed", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000", help="comma-separated corpus sizes (default 20000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender (default 3)")
    parser.add_argument("--quick", action="store_true", help="2,000 articles, one repeat: a smoke test")
    parser.add_argument("--contenders", type=lambda s: s.split(","), default=None,
                        help=f"subset of {','.join(CONTENDERS + OPTIONAL)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=None, help="kill a run after this many seconds")
    parser.add_argument("--max-rss-mb", type=float, default=default_rss_limit(),
                        help="kill a run whose processes hold more than this (default: 80%% of RAM)")
    parser.add_argument("--stages", action="store_true",
                        help="also time dedup scan stage by stage (stages.py) on the largest size")
    parser.add_argument("--signing-only", action="store_true",
                        help="only the signing micro-benchmark (other results are kept)")
    parser.add_argument("--no-signing", action="store_true", help="skip the signing micro-benchmark")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "2000", 1
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    unknown = set(args.contenders or []) - set(CONTENDERS + OPTIONAL)
    if unknown:
        parser.error(f"unknown contender(s) {sorted(unknown)}; choose from {','.join(CONTENDERS + OPTIONAL)}")
    return args


def main(argv: list[str]) -> int:
    """Run the speed benchmark; 1 if a run failed or ours missed a peer-verified pair."""
    import os
    import platform

    from . import signing
    from .corpus import corpus_path
    from .peers import read_articles

    args = parse(argv)
    stem = "speed-quick" if args.quick else "speed"
    json_path = RESULTS / f"{stem}.json"
    results = json.loads(json_path.read_text()) if json_path.exists() else {"sizes": {}}
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    status = 0
    for n in [] if args.signing_only else args.sizes:
        entry = run_size(n, args)
        entry["ratios"] = ratios(entry)
        results["sizes"][str(n)] = entry
        status |= any(c.get("failed") or c.get("failed_runs") for c in entry["contenders"].values())
        status |= bool(entry["recall"].get("missing"))
    if not args.no_signing:
        _, texts = read_articles(str(corpus_path(min(max(args.sizes), SIGNING_ARTICLES), args.seed)))
        print(f"[speed] signing alone on {len(texts)} articles ...", file=sys.stderr, flush=True)
        results["signing"] = signing.benchmark(texts[:SIGNING_ARTICLES])
    if args.stages:
        results["stages"] = run_stages(corpus_path(max(args.sizes), args.seed))
    results["targets"] = targets(results)
    json_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (RESULTS / f"{stem}.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return int(status)
