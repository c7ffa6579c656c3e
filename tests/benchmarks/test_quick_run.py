"""The ``--quick`` accuracy run end to end: a regression guard once the detector is tuned."""

import importlib.util
import json
from pathlib import Path

import pytest

from benchmarks.accuracy import main

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.slow
@pytest.mark.skipif(not DATA.exists(), reason="labelled data not in ../shared/data")
@pytest.mark.skipif(importlib.util.find_spec("dedup.cli") is None, reason="dedup CLI not available")
def test_quick_run_writes_results(tmp_path):
    assert main(["--quick", f"--data={DATA}", f"--output={tmp_path}"]) == 0
    document = json.loads((tmp_path / "accuracy.json").read_text())
    assert document["quick"] and set(document["suites"]) == {"pan13", "clough", "reuters", "newsreuse"}
    table = (tmp_path / "accuracy.md").read_text()
    assert "| pan13/02 | held-out | plagdet |" in table
    # Floors well below the targets: they catch a broken pipeline, not a missed target.
    rows = {(r["dataset"], r["split"], r["measure"]): r["value"] for r in document["rows"]}
    assert rows[("pan13/02", "held-out", "plagdet")] > 0.5
    assert rows[("newsreuse", "held-out", "plagdet")] > 0.5
