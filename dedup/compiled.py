"""Whether a call runs the compiled kernels of :mod:`dedup.kernels` or the numpy code.

Importing numba and loading the kernels' cached machine code costs a process about 0.8 s once:
more than the numpy code takes on a few hundred articles, and several times what a scan of a
few files takes in all. So small inputs run the numpy code and never import numba; large ones
run the kernels, which then also serve every later call in that process. Both give
bit-identical results (tests hold them equal on random inputs).
"""

from __future__ import annotations

__all__ = ["PAIR_MINIMUM", "running", "start", "use_kernels"]

# Alignment's steps (seeds, chains, sentence entries, set comparisons) meet one pair of texts at a
# time: a pair this large (in each step's unit: shingles, words, entries or triples of both texts)
# is worth loading the kernels for; smaller pairs run them once this process has loaded them.
PAIR_MINIMUM = 1 << 16

_started = False  # whether this process has run a kernel (and so paid for loading them)


def use_kernels(size: int, minimum: int) -> bool:
    """Whether an input of ``size`` (in the caller's unit) should run compiled: it is at least
    ``minimum``, or an earlier input of this process was (the start-up cost is paid).
    """
    global _started
    _started = _started or size >= minimum
    return _started


def start() -> None:
    """Run the kernels for every input from now on in this process (and in processes it forks
    later, which inherit the kernels once loaded)."""
    global _started
    _started = True


def running() -> bool:
    """Whether this process runs the kernels already (a call that is never worth loading them
    for on its own, such as a sort, uses them only then)."""
    return _started
