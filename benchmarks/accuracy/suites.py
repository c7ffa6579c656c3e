"""One function per data set: load, scan once with dedup, score, return plain result dicts.

Every suite returns ``{"scores": {split: {subset: scores}}, "scan": {...}}`` where ``split`` is
``tuning``, ``held-out`` or ``all``. Scores come from :mod:`.measures`.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from .corpora import PAN13_CATEGORIES, identical_body_groups, load_clough, load_pan13, load_reuters, pan13_pair_ids
from .diagnostics import examples
from .gold import PairCorpus, merge
from .measures import pair_scores, pan_scores
from .newsreuse import generate
from .runner import compare_pairs, detections_from_report, run_scan
from .splits import SPLITS, sample, split_of

__all__ = ["clough_suite", "log", "newsreuse_suite", "pan13_pairwise_suite", "pan13_suite", "reuters_suite", "score"]

PARTS = (*SPLITS, "all")
_STARTED = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr, with seconds since start."""
    print(f"[accuracy {time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def score(corpus: PairCorpus, report: dict, texts: Mapping[str, str] | None = None) -> dict:
    """PAN passage measures and document-pair measures of one report on one data set (``texts``:
    every scanned document, when the data set is a part of them)."""
    found = detections_from_report(report, corpus, texts)
    scores = pan_scores(corpus.cases, found.alignments)
    scores["pairs"] = pair_scores(corpus.gold_pairs(), found.pairs)
    scores["unlisted_pairs"] = found.unlisted
    scores["examples"] = examples(corpus, found.alignments)
    return scores


VIA = {"mode": "cli"}  # set by main(): "cli" or "library"


def _scan(documents: dict[str, str], label: str, scan_args: Sequence[str]) -> tuple[dict, dict]:
    log(f"{label}: scanning {len(documents)} documents via {VIA['mode']}")
    report, seconds = run_scan(documents, scan_args=scan_args, via=VIA["mode"])
    log(f"{label}: {len(report.get('pairs', []))} pairs reported in {seconds:.1f}s")
    info = {"documents": len(documents), "seconds": round(seconds, 2), "reported_pairs": len(report.get("pairs", [])),
            "skipped": len(report.get("skipped", [])), "stats": report.get("stats", {})}
    return report, info


def _part(corpus: PairCorpus, part: str) -> PairCorpus:
    if part == "all":
        return corpus
    return corpus.subset({p for p in corpus.pairs if split_of(" ".join(p)) == part})


def _pan13_corpora(root: Path, per_category: int | None) -> dict[str, PairCorpus]:
    corpora = {}
    for category in PAN13_CATEGORIES:
        chosen = sample([" ".join(p) for p in pan13_pair_ids(root, category)], per_category)
        corpora[category] = load_pan13(root, category, pairs={tuple(k.split()) for k in chosen})
    return corpora


def _pan13_scores(corpora: dict[str, PairCorpus], report: dict, prefix: str, texts: Mapping[str, str]) -> dict:
    """Each category, 02-05 + 01 and 01-03 scored on each part (``texts``: every document scanned)."""
    scores = {}
    for part in PARTS:
        subsets = {f"{prefix}/{c}": _part(corpus, part) for c, corpus in corpora.items()}
        subsets[f"{prefix}/02-05+01"] = merge(list(subsets.values()), f"{prefix}/02-05+01")
        subsets[f"{prefix}/01-03"] = merge([subsets[f"{prefix}/{c}"] for c in ("01", "02", "03")], f"{prefix}/01-03")
        scores[part] = {name: score(corpus, report, texts) for name, corpus in subsets.items()}
    return scores


def pan13_suite(root: Path, *, per_category: int | None, scan_args: Sequence[str] = ()) -> dict:
    """PAN 2013 categories 01-05 scanned together; each category, 02-05 + 01, and 01-03 pairs scored."""
    corpora = _pan13_corpora(root, per_category)
    everything = merge(list(corpora.values()), "pan13/all")
    report, info = _scan(dict(everything.documents), "pan13", scan_args)
    info["unlisted_pairs"] = detections_from_report(report, everything).unlisted
    return {"scores": _pan13_scores(corpora, report, "pan13", everything.documents), "scan": info}


def pan13_pairwise_suite(root: Path, *, per_category: int | None, scan_args: Sequence[str] = ()) -> dict:
    """The same PAN 2013 pairs, each aligned on its own (``dedup.compare``, no candidate search):
    the ceiling of :func:`pan13_suite`. What lies between the two is the cost of finding the
    pairs among all the documents; what lies below this one, the cost of aligning them."""
    corpora = _pan13_corpora(root, per_category)
    everything = merge(list(corpora.values()), "pan13/all")
    log(f"pan13-pairwise: aligning {len(everything.pairs)} listed pairs one by one")
    report, seconds = compare_pairs(dict(everything.documents), everything.pairs, scan_args)
    info = {"documents": len(everything.documents), "seconds": round(seconds, 2), "reported_pairs": len(report["pairs"])}
    return {"scores": _pan13_scores(corpora, report, "pan13-pairwise", everything.documents), "scan": info}


def _reported(report: dict) -> set[frozenset[str]]:
    return {frozenset((str(p["a"]), str(p["b"]))) for p in report.get("pairs", ())}


def clough_suite(root: Path, *, scan_args: Sequence[str] = ()) -> dict:
    """Which answers are reported paired with their task's original, by category and split."""
    corpus = load_clough(root)
    report, info = _scan(dict(corpus.documents), "clough", scan_args)
    reported, category = _reported(report), corpus.meta["category"]
    scores = {}
    for part in PARTS:
        answers = [(a, o) for a, o in corpus.pairs if part == "all" or split_of(a) == part]
        by_category: dict[str, dict] = {}
        for answer, original in answers:
            entry = by_category.setdefault(category[answer], {"total": 0, "reported": 0, "reported_ids": [], "missed_ids": []})
            entry["total"] += 1
            hit = frozenset((answer, original)) in reported
            entry["reported"] += hit
            entry["reported_ids" if hit else "missed_ids"].append(answer)
        scores[part] = {"clough": by_category}
    return {"scores": scores, "scan": info}


def reuters_suite(root: Path, *, groups: int | None, others: int | None, scan_args: Sequence[str] = ()) -> dict:
    """How many identical-body groups end up inside one reported cluster."""
    bodies = load_reuters(root)
    all_groups = identical_body_groups(bodies)
    chosen = sample([" ".join(g) for g in all_groups], groups)
    members = {i for g in chosen for i in g.split()}
    rest = sample(sorted(set(bodies) - members, key=int), others)
    report, info = _scan({i: bodies[i] for i in sorted(members | set(rest), key=int)}, "reuters", scan_args)
    clusters = [set(map(str, c.get("articles", ()))) for c in report.get("clusters", ())]
    info.update(clusters=len(clusters), kinds=dict(Counter(p.get("kind") for p in report.get("pairs", ()))))
    scores = {}
    for part in PARTS:
        keys = [g for g in chosen if part == "all" or split_of(f"reuters-group-{g.split()[0]}") == part]
        whole = [g for g in keys if any(set(g.split()) <= c for c in clusters)]
        missed = sorted(set(keys) - set(whole))[:20]
        scores[part] = {"reuters": {"groups": len(keys), "in_one_cluster": len(whole), "missed_examples": missed}}
    return {"scores": scores, "scan": info}


def _kind(pair: tuple[str, str]) -> str:
    """Which kind of reuse a news-reuse gold pair is."""
    susp, src = pair
    if not src.startswith("wire-") or src.endswith("corrected"):
        return "derivative-derivative"
    return "wire-reissue" if susp.endswith("corrected") else "wire-rewrite"


def newsreuse_suite(root: Path, *, wires: int, distractors: int, scan_args: Sequence[str] = ()) -> dict:
    """The generated news-reuse corpus: a tuning and a held-out corpus, each scanned alone."""
    bodies = load_reuters(root)
    scores, info = {}, {}
    for seed, part in enumerate(SPLITS, start=1):
        corpus = generate(bodies, seed=seed, part=part, wires=wires, distractors=distractors)
        report, info[part] = _scan(dict(corpus.documents), f"newsreuse/{part}", scan_args)
        scores[part] = {"newsreuse": score(corpus, report)}
        for kind in ("wire-rewrite", "wire-reissue", "derivative-derivative"):
            pairs = {p for p in corpus.pairs if _kind(p) == kind}
            sub = PairCorpus(name=kind, documents=corpus.documents, pairs=tuple(sorted(pairs)),
                             cases=tuple(c for c in corpus.cases if c.pair in pairs))
            scores[part][f"newsreuse/{kind}"] = score(sub, report)
    return {"scores": scores, "scan": info}
