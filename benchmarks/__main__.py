"""Run the benchmark suites: ``python -m benchmarks [SUITE ...] [suite options]``.

The suite names come first; everything from the first option on goes to every suite named
(``python -m benchmarks index --backend sqlite``).

Each suite is a sub-package of ``benchmarks`` with a ``main(argv)`` function; results go to
``benchmarks/results/`` as JSON plus a markdown table.
"""

import importlib
import sys

SUITES = ("accuracy", "speed", "index")


def main(argv: list[str]) -> int:
    first_option = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    names, options = argv[:first_option] or list(SUITES), argv[first_option:]
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
