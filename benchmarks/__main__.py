"""Run the benchmark suites: ``python -m benchmarks [SUITE ...] [-- suite options]``.

Each suite is a sub-package of ``benchmarks`` with a ``main(argv)`` function; results go to
``benchmarks/results/`` as JSON plus a markdown table.
"""

import importlib
import sys

SUITES = ("accuracy", "speed", "index")


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("-")] or list(SUITES)
    options = [a for a in argv if a.startswith("-")]
    unknown = sorted(set(names) - set(SUITES))
    if unknown:
        print(f"unknown suite(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        status = module.main(options) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
