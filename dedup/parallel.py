"""Running stage functions over chunks on every core, in input order, with bounded memory.

The library's only concurrency: a process pool (``fork`` where the platform has it) fed a few
chunks ahead of the results being consumed, so a long input streams through without being
held in memory at once. ``workers=1`` runs everything in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

__all__ = ["LazyPool", "available_cores", "ordered_map", "worker_pool"]


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LazyPool:
    """A process pool started only when a stage has more than one task to share out, so small
    inputs never pay for starting worker processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers or available_cores()
        self._pool: Executor | None = None

    def for_tasks(self, several: bool) -> Executor | None:
        """The pool to use for a stage (``None``: run in this process)."""
        if not several or self.workers <= 1:
            return None
        if self._pool is None:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context(method))
        return self._pool

    def running(self) -> Executor | None:
        """The pool if an earlier stage started it, else ``None`` (a side task never starts it)."""
        return self._pool

    def close(self, *, cancel: bool = False) -> None:
        """Shut the pool down; ``cancel`` drops the tasks not yet started (on an error)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=cancel)


@contextmanager
def worker_pool(workers: int) -> Iterator[LazyPool]:
    """A :class:`LazyPool` of ``workers`` processes (all cores when 0), shut down on exit."""
    pool = LazyPool(workers)
    try:
        yield pool
    except BaseException:
        pool.close(cancel=True)
        raise
    pool.close()


def ordered_map(pool: Executor | None, function: Callable[..., Any], calls: Iterable[tuple], *,
                ahead: int = 4) -> Iterator[Any]:
    """``function(*args)`` for each ``args`` in ``calls``, results in order, at most ``ahead``
    calls per worker submitted before their results are taken."""
    if pool is None:
        for args in calls:
            yield function(*args)
        return
    pending: deque = deque()
    limit = ahead * max(1, getattr(pool, "_max_workers", 1))
    for args in calls:
        pending.append(pool.submit(function, *args))
        if len(pending) >= limit:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
