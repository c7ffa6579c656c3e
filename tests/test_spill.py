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


def test_appends_tagged_elsewhere_read_back_in_tag_order(tmp_path):
    """A scan's workers append to pickled copies, each chunk tagged with its first index, in
    whatever order they finish: the original object reads every chunk, in tag order."""
    import pickle

    rng = np.random.default_rng(3)
    chunks = {tag: rng.integers(0, 2**64, size=(rows, 3), dtype=np.uint64, endpoint=False)
              for tag, rows in ((0, 4), (4, 0), (7, 6), (20, 2))}
    spilled = SpilledKeys(tmp_path, 3)
    for tag in (20, 0, 7, 4):
        pickle.loads(pickle.dumps(spilled)).append(chunks[tag], tag=tag)
    whole = np.concatenate([chunks[tag] for tag in sorted(chunks)])
    assert len(spilled) == len(whole)
    assert all(np.array_equal(spilled[:, band], whole[:, band]) for band in range(3))


@pytest.mark.parametrize("ordered", [False, True])  # signing appends sorted keys, already in part order
@pytest.mark.parametrize("columns", [1, 2])
@pytest.mark.parametrize("by", ["top", "hash"])
def test_partitioned_parts_hold_every_value_once_in_tag_order(tmp_path, columns, by, ordered):
    import pickle

    from dedup.normalize import fmix64_array
    from dedup.spill import PartitionedKeys

    rng = np.random.default_rng(5)
    shape = (lambda n: (n, columns)) if columns > 1 else (lambda n: (n,))
    chunks = {tag: rng.integers(0, 2**63, size=shape(n), dtype=np.uint64) for tag, n in ((0, 50), (50, 0), (90, 70))}
    if ordered:
        chunks = {tag: c[np.argsort(c if columns == 1 else c[:, 0])] for tag, c in chunks.items()}
    spill = PartitionedKeys(tmp_path, "keys", 8, by=by, columns=columns)
    for tag in (90, 50, 0):
        pickle.loads(pickle.dumps(spill)).append(chunks[tag], tag=tag)
    parts = list(PartitionedKeys(tmp_path, "keys", 8, by=by, columns=columns).parts())  # another object, same files
    assert len(parts) == 8
    whole = np.concatenate([chunks[tag] for tag in sorted(chunks)])
    first = whole if columns == 1 else whole[:, 0]
    part_of = ((first if by == "top" else fmix64_array(first)) >> np.uint64(61)).astype(int)
    for part, values in enumerate(parts):
        assert np.array_equal(values, whole[part_of == part])  # every value of the part, in tag order
    dropped = np.concatenate(list(spill.without_owners([int(first[0] & np.uint64(255))], np.uint64(255)).parts()))
    assert len(dropped) == int(np.count_nonzero(first & np.uint64(255) != first[0] & np.uint64(255)))
