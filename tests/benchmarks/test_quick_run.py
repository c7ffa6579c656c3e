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
    assert document["quick"] and set(document["suites"]) == {"pan13", "pan13-pairwise", "clough", "reuters", "newsreuse"}
    table = (tmp_path / "accuracy.md").read_text()
    assert "| pan13/02 | held-out | plagdet |" in table
    # Floors a little under what this quick run measured (after matches of a repeat were dropped,
    # pieces were joined again after widening, summaries made one passage, added words held to
    # Dice 0.2, word chains added next to passages, look-alikes trimmed from sentence clusters and
    # one-bucket pairs made candidates when the two first hold a context triple:
    # PAN 02 0.996 / 0.990, 03 0.869 / 0.891, 04 0.875 / 0.943, 02-05 with 01 0.873 / 0.910,
    # news-reuse 0.975 / 0.969 and pair F1 1.0 / 1.0, Clough 36 of 38 cut+light found and 0 non
    # reported, every Reuters group in one cluster): a regression guard, not the targets (see
    # benchmarks/results/accuracy.md). The trimming moved this 60-pair sample's 03 by -0.007 /
    # +0.003 and 04 by -0.005 / +0.001 while the full run rose (03 +0.003 / +0.002, 04 +0.005 /
    # +0.009): a few of its pairs lose a true sentence that matched far from the rest. The
    # candidate rule moved its 03 from 0.844 / 0.874 (the full run: +0.0045 / +0.004).
    rows = {(r["dataset"], r["split"], r["measure"]): r["value"] for r in document["rows"]}
    for split in ("tuning", "held-out"):
        assert rows[("pan13/02", split, "plagdet")] >= 0.95
        assert rows[("pan13/03", split, "plagdet")] >= 0.83
        assert rows[("pan13/04", split, "plagdet")] >= 0.86
        assert rows[("pan13/02-05+01", split, "plagdet")] >= 0.85
        assert rows[("newsreuse", split, "plagdet")] >= 0.95
        assert rows[("newsreuse", split, "pair F1")] >= 0.97
    assert rows[("clough", "all", "non reported")] == 0
    assert rows[("clough", "all", "cut+light found")] >= 35
    for split in ("tuning", "held-out"):  # the same pairs aligned on their own: finding them can only lose
        for subset, measure in (("03", "plagdet"), ("02-05+01", "plagdet"), ("01-03", "pair F1")):
            # (to rounding: when the scan finds every pair of the sample, the two sum the same
            # detections in another order)
            assert rows[(f"pan13-pairwise/{subset}", split, measure)] >= rows[(f"pan13/{subset}", split, measure)] - 1e-9
    targets = {(r["dataset"], r["split"], r["measure"]): r.get("target") for r in document["rows"]}
    for split in ("tuning", "held-out"):
        key = ("reuters", split, "groups in one cluster")
        assert rows[key] == targets[key] > 0  # every identical-body group in one cluster
