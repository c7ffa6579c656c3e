"""Where ``dedup scan`` spends its time and memory, phase by phase, without a profiler.

Does what ``dedup scan CORPUS --format json --output OUT`` does, through the library
(``dedup.io.read_paths``, ``dedup.scan``, ``dedup.report.render``), after wrapping the functions
that ``dedup.detect`` and ``dedup.report`` call by name for each phase, so that entering one
moves a clock to its phase and leaving it moves the clock back to the phase it was called from
(``between`` outside them all: setting up, building the result). A thread samples the memory
(PSS) of this process and its workers (psutil) every 0.5 s and keeps each phase's peak. Reading,
tokenising and signing stream together on the workers; alignment runs on the workers. Wrappers
the package no longer has are skipped, so this keeps working while ``dedup`` changes.

Example::

    python -m benchmarks.speed.stages benchmarks/.cache/corpus-v1-n20000-s1.jsonl
"""

import functools
import importlib
import json
import sys
import threading
import time

import psutil

from .measure import tree_pss

HOOKS = (  # (module, function, phase while inside it)
    ("dedup.detect", "_sign_all", "read + tokenise + sign (streamed)"),
    ("dedup.detect", "_near_copy_groups", "near copies (document tier verified)"),
    ("dedup.detect", "candidate_pairs", "candidate pairs (LSH)"),
    ("dedup.detect", "spilled_triple_pairs", "candidate pairs (context triples)"),
    ("dedup.detect", "_align_all", "verify + align (workers)"),
    ("dedup.detect", "cluster_articles", "cluster articles"),
    ("dedup.detect", "cluster_passages", "cluster passages"),
    ("dedup.report", "render", "render json"),
)
FIRST = "between"


class Clock:
    """Wall time and peak tree RSS per phase."""

    def __init__(self) -> None:
        self.phase, self.since = FIRST, time.perf_counter()
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self._me = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def enter(self, phase: str) -> str:
        """Move to ``phase``; returns the phase left (to move back to it)."""
        self._tree_sample()
        now = time.perf_counter()
        self.seconds[self.phase] = self.seconds.get(self.phase, 0.0) + now - self.since
        left, self.phase, self.since = self.phase, phase, now
        return left

    def _tree_sample(self) -> None:
        total = tree_pss(self._me)
        self.peak_mb[self.phase] = max(self.peak_mb.get(self.phase, 0.0), total / 2**20)

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self._tree_sample()

    def stop(self) -> None:
        self.enter("done")
        self._stop.set()


def _hook(module, name: str, inside: str, clock) -> None:
    fn = getattr(module, name)

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        outside = clock.enter(inside)
        try:
            return fn(*args, **kwargs)
        finally:
            clock.enter(outside)

    setattr(module, name, timed)


def profile(corpus: str, output: str) -> dict:
    """Scan ``corpus`` as the CLI would and return the seconds and peak RSS of each phase."""
    from dedup.config import Config
    from dedup.detect import scan
    from dedup.io import read_paths

    clock_box = []
    for module_name, name, inside in HOOKS:
        module = importlib.import_module(module_name)
        if callable(getattr(module, name, None)):
            _hook(module, name, inside, _Lazy(clock_box))
    from dedup import report

    start = time.perf_counter()
    clock = Clock()
    clock_box.append(clock)
    config = Config()
    result = scan(read_paths([corpus], config), config)
    with open(output, "w", encoding="utf-8") as out:
        report.render(result, out, "json")
    clock.stop()
    total = time.perf_counter() - start
    phases = {p: {"seconds": round(s, 2), "peak_tree_mb": round(clock.peak_mb.get(p, 0.0), 1)}
              for p, s in clock.seconds.items() if p != "done"}
    return {"total_s": round(total, 2), "pairs": len(result.pairs), "stats": result.stats, "phases": phases,
            "peak_tree_mb": round(max(clock.peak_mb.values()), 1)}


class _Lazy:
    """Forwards ``enter`` to the clock once it exists (hooks are installed before it starts)."""

    def __init__(self, box: list) -> None:
        self.box = box

    def enter(self, phase: str) -> str:
        return self.box[0].enter(phase) if self.box else FIRST


def markdown(result: dict) -> str:
    lines = [f"total {result['total_s']} s, peak memory (PSS) of the process tree {result['peak_tree_mb']} MB, "
             f"{result['pairs']} pairs", "",
             "| phase | seconds | share | peak tree PSS MB |", "|---|---:|---:|---:|"]
    for name, r in result["phases"].items():
        share = r["seconds"] / result["total_s"] if result["total_s"] else 0
        lines.append(f"| {name} | {r['seconds']:.2f} | {share:.0%} | {r['peak_tree_mb']:.0f} |")
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
