"""``python -m benchmarks``: suite names first, then the options every named suite gets."""

import importlib

from benchmarks.__main__ import main


def test_options_with_separate_values_reach_the_suite(monkeypatch):
    seen = []
    suite = importlib.import_module("benchmarks.index")
    monkeypatch.setattr(suite, "main", lambda argv: seen.append(argv) or 0)
    assert main(["index", "--backend", "sqlite", "--quick"]) == 0
    assert seen == [["--backend", "sqlite", "--quick"]]


def test_an_unknown_suite_is_refused():
    assert main(["nonsense", "--quick"]) == 2
