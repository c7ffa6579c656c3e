"""Spilled band keys read back exactly like the array they were written from."""

from __future__ import annotations

import numpy as np
import pytest

from dedup import DedupError
from dedup.spill import SpilledKeys


def test_spilled_keys_answer_like_the_array(tmp_path):
    rng = np.random.default_rng(7)
    chunks = [rng.integers(0, 2**63, size=(rows, 4), dtype=np.uint64) for rows in (5, 0, 9, 3)]
    spilled = SpilledKeys(tmp_path, 4)
    for chunk in chunks:
        spilled.append(chunk)
    whole = np.concatenate(chunks)
    assert len(spilled) == len(whole)
    for band in range(4):
        assert np.array_equal(spilled[:, band], whole[:, band])
    first = whole[:, 0] % 3 != 0
    second = whole[first][:, 1] % 2 == 0
    picked = spilled[first][second]
    assert len(picked) == len(whole[first][second])
    assert all(np.array_equal(picked[:, band], whole[first][second][:, band]) for band in range(4))
    with pytest.raises(ValueError):
        picked.append(chunks[0])


def test_nothing_spilled_is_empty(tmp_path):
    spilled = SpilledKeys(tmp_path, 2)
    assert len(spilled) == 0 and spilled[:, 1].dtype == np.uint64 and len(spilled[:, 1]) == 0


def test_a_temporary_folder_that_cannot_be_written_is_a_dedup_error(tmp_path):
    with pytest.raises(DedupError, match="TMPDIR"):
        SpilledKeys(tmp_path / "gone", 2).append(np.zeros((3, 2), dtype=np.uint64))


def test_a_scan_removes_folders_that_killed_scans_left_and_keeps_live_ones(tmp_path, monkeypatch):
    import os
    import subprocess
    import sys

    from dedup import scan

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"dedup-scan-{int(done.stdout)}-abc"
    live = tmp_path / f"dedup-scan-{os.getppid()}-def"  # the process that runs the tests' runner
    other = tmp_path / "dedup-scan-notapid"
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "band000.u64").write_bytes(b"\0" * 8)
    scan([{"id": "a", "text": "The central bank raised its main interest rate on Tuesday."}])
    assert not dead.exists() and live.exists() and other.exists()
