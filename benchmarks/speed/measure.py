"""Run one command as a child process and measure its wall time, CPU time and peak memory.

Peak memory comes from two sources, both kept in the result:

- ``maxrss_mb``: exact. ``os.wait4`` returns the child's own ``rusage``, whose ``ru_maxrss`` is
  the largest resident set any single process of the child's tree reached (Linux merges the
  maxima of waited-for grandchildren). It does not add up processes running at the same time.
- ``tree_pss_mb``: the largest *sum* over the child and all its descendants of their
  proportional set size (PSS: a page shared by k processes counts 1/k in each, so forked workers
  are not counted twice), sampled every ``interval`` seconds with psutil (approximate; only when
  psutil is installed). It is the one that matters for a multi-process run.

``peak_rss_mb`` is the larger of the two. ``load_before`` is the 1-minute load average when the
run started: other work on the machine inflates wall time, so keep an eye on it.
"""

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass

try:
    import psutil
except ImportError:  # the exact per-process figure still works
    psutil = None


@dataclass
class Run:
    """One measured child run."""

    returncode: int
    wall_s: float
    cpu_s: float
    maxrss_mb: float
    tree_pss_mb: float | None
    load_before: float
    stderr_tail: str

    @property
    def peak_rss_mb(self) -> float:
        return max(self.maxrss_mb, self.tree_pss_mb or 0.0)

    def as_dict(self) -> dict:
        return asdict(self) | {"peak_rss_mb": round(self.peak_rss_mb, 1)}


def tree_pss(process) -> int:
    """Bytes held by ``process`` and its descendants (PSS where readable, else RSS)."""
    total = 0
    try:
        for p in [process, *process.children(recursive=True)]:
            try:
                total += _pss(p)
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def _kill_tree(watched, child) -> None:
    if watched:
        try:
            for p in watched.children(recursive=True):
                p.kill()
        except psutil.Error:
            pass
    child.kill()


def _pss(p) -> int:
    try:
        return p.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):
        return p.memory_info().rss


class _Watch(threading.Thread):
    """Samples the child's tree memory every ``interval`` s; kills it past a time or memory limit."""

    def __init__(self, child, start: float, interval: float, timeout: float | None, max_rss_mb: float | None):
        super().__init__(daemon=True)
        self.child, self.start_time, self.interval = child, start, interval
        self.timeout, self.max_bytes = timeout, (max_rss_mb or 0) * 2**20
        self.process = psutil.Process(child.pid) if psutil else None
        self.peak, self.killed = (0 if psutil else None), ""
        self._done = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            if self.process:
                self.peak = max(self.peak, tree_pss(self.process))
            if self.timeout and time.perf_counter() - self.start_time > self.timeout:
                self.killed = self.killed or f"killed after the {self.timeout:g} s timeout"
            if self.max_bytes and self.peak and self.peak > self.max_bytes:
                self.killed = self.killed or f"killed above the {self.max_bytes / 2**20:.0f} MB memory limit"
            if self.killed:
                _kill_tree(self.process, self.child)

    def stop(self) -> None:
        self._done.set()
        self.join()


def run(cmd: list[str], *, log_path: str, interval: float = 0.5, timeout: float | None = None,
        max_rss_mb: float | None = None) -> Run:
    """Run ``cmd`` (stdout and stderr to ``log_path``) and measure it until it exits.

    The child is killed after ``timeout`` seconds, or as soon as its process tree holds more than
    ``max_rss_mb`` (needs psutil), so that a run too big for the machine fails instead of
    swapping or invoking the OOM killer on everything else.
    """
    load = os.getloadavg()[0]
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        watch = _Watch(child, start, interval, timeout, max_rss_mb)
        _, status, usage = os.wait4(child.pid, 0)  # blocks: the wall time is exact
        wall = time.perf_counter() - start
        watch.stop()
    tree_peak, killed = watch.peak, watch.killed
    child.returncode = os.waitstatus_to_exitcode(status)
    with open(log_path, "rb") as log:
        tail = log.read()[-2000:].decode("utf-8", "replace") + (f"\n[{killed}]" if killed else "")
    return Run(
        returncode=child.returncode,
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        maxrss_mb=round(usage.ru_maxrss / 1024, 1),
        tree_pss_mb=None if tree_peak is None else round(tree_peak / 2**20, 1),
        load_before=round(load, 2),
        stderr_tail=tail if child.returncode else "",
    )
