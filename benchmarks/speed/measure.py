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


def run(cmd: list[str], *, log_path: str, interval: float = 0.1, timeout: float | None = None,
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
        watched = psutil.Process(child.pid) if psutil else None
        tree_peak, killed = 0, ""
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if watched:
                tree_peak = max(tree_peak, tree_pss(watched))
            if timeout and time.perf_counter() - start > timeout:
                killed = killed or f"killed after the {timeout:g} s timeout"
            if max_rss_mb and tree_peak > max_rss_mb * 2**20:
                killed = killed or f"killed above the {max_rss_mb:.0f} MB memory limit"
            if killed:
                _kill_tree(watched, child)
            time.sleep(interval)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    with open(log_path, "rb") as log:
        tail = log.read()[-2000:].decode("utf-8", "replace") + (f"\n[{killed}]" if killed else "")
    return Run(
        returncode=child.returncode,
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        maxrss_mb=round(usage.ru_maxrss / 1024, 1),
        tree_pss_mb=round(tree_peak / 2**20, 1) if watched else None,
        load_before=round(load, 2),
        stderr_tail=tail if child.returncode else "",
    )
