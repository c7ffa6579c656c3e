"""Band keys kept on disk while a scan reads the rest of its input.

The passage tier makes about 16 packed band keys per window and 35 windows per news article:
5 GB for a million articles, more than everything else a scan holds. :class:`SpilledKeys`
writes them to one file per band as chunks arrive and reads back one band at a time, which is
all :func:`dedup.candidates.candidate_pairs` asks for. The context triples (about 270 per
article, with their places) and the pairs they make go to files as well (:class:`PartitionedKeys`), grouped by
triple, so that they are paired a part at a time. The files go to the temporary folder
(``TMPDIR`` chooses it), which needs about 11 KB free per article.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .exceptions import DedupError
from .normalize import fmix64_array

__all__ = ["PartitionedKeys", "SpilledKeys", "scan_folder"]


class SpilledKeys:
    """A ``(rows, bands)`` uint64 array of packed band keys stored one band per file.

    It answers what :func:`dedup.candidates.candidate_pairs` and
    :func:`dedup.copies.without_member_keys` ask of a chunk of keys: ``keys[:, band]`` (one
    band's column, read from its file), ``keys[mask]`` (the rows where a boolean mask is true,
    as another :class:`SpilledKeys` over the same files) and ``len(keys)``.
    """

    def __init__(self, folder: str | Path, bands: int, *, rows: np.ndarray | None = None) -> None:
        self._paths = [Path(folder) / f"band{band:03d}.u64" for band in range(bands)]
        self._rows = rows  # a boolean mask of the rows kept, None for all of them

    def append(self, chunk: np.ndarray) -> None:
        """Add the rows of a ``(rows, bands)`` chunk at the end."""
        if self._rows is not None:
            raise ValueError("cannot append to a row selection of spilled keys")
        try:
            for band, path in enumerate(self._paths):
                with path.open("ab") as out:
                    np.ascontiguousarray(chunk[:, band]).tofile(out)
        except OSError as exc:
            raise DedupError(f"cannot write band keys to {path.parent}: {exc.strerror or exc}; set TMPDIR to a "
                             "folder with about 11 KB free per article") from exc

    def _column(self, band: int) -> np.ndarray:
        path = self._paths[band]
        column = np.fromfile(path, dtype=np.uint64) if path.exists() else np.empty(0, np.uint64)
        return column if self._rows is None else column[self._rows]

    def __getitem__(self, index):
        if isinstance(index, np.ndarray) and index.dtype == bool:
            rows = index if self._rows is None else _within(self._rows, index)
            return SpilledKeys(self._paths[0].parent, len(self._paths), rows=rows)
        if isinstance(index, tuple) and len(index) == 2 and index[0] == slice(None) and isinstance(index[1], int):
            return self._column(index[1])
        raise TypeError(f"spilled keys take [:, band] or [boolean mask], not [{index!r}]")

    def __len__(self) -> int:
        if self._rows is not None:
            return int(np.count_nonzero(self._rows))
        path = self._paths[0]
        return path.stat().st_size // 8 if path.exists() else 0


def _within(rows: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The rows of the whole that remain when ``mask`` selects among the ``rows`` kept."""
    combined = rows.copy()
    combined[rows] = mask
    return combined


class PartitionedKeys:
    """Packed uint64 values written to ``parts`` files and read back one file at a time, so that
    grouping them never needs them all in memory.

    A value goes to the file its top bits choose (``by="top"``: packed keys, whose top bits are
    the key, so that equal keys meet in one file) or the top bits of a mix of the whole value
    (``by="hash"``: pair codes, whose top bits are nearly always zero). With ``columns`` above 1,
    values are rows of that many uint64 that go where their first one sends them (a packed key
    with the place it stands at, for example).
    """

    def __init__(self, folder: str | Path, name: str, parts: int = 16, *, by: str = "top", columns: int = 1,
                 drop: tuple[np.ndarray, np.uint64] | None = None) -> None:
        if parts < 1 or parts & (parts - 1) or parts > 1 << 15:  # (part numbers are int16 in append)
            raise ValueError(f"parts must be a power of two up to 32768, not {parts}")
        self._folder, self._name, self._by, self._drop = Path(folder), name, by, drop
        self._columns = columns
        self._paths = [self._folder / f"{name}{part:03d}.u64" for part in range(parts)]
        self._shift = np.uint64(64 - (parts.bit_length() - 1))

    def append(self, values: np.ndarray) -> None:
        """Add values (uint64; ``(n, columns)`` rows when there are several columns) to their files."""
        if len(values) == 0:
            return
        first = values if self._columns == 1 else values[:, 0]
        if len(self._paths) == 1:
            part = np.zeros(len(values), dtype=np.int64)
        else:
            top = first if self._by == "top" else fmix64_array(first)
            part = (top >> self._shift).astype(np.int16)  # (numpy's stable sort of int16 is a radix sort)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(len(self._paths) + 1))
        try:
            for index, path in enumerate(self._paths):
                if bounds[index + 1] > bounds[index]:
                    with path.open("ab") as out:
                        values[order[bounds[index] : bounds[index + 1]]].tofile(out)
        except OSError as exc:
            raise DedupError(f"cannot write keys to {self._folder}: {exc.strerror or exc}; set TMPDIR to a "
                             "folder with more free space") from exc

    def without_owners(self, owners: np.ndarray, owner_mask: np.uint64) -> PartitionedKeys:
        """The same files, read without the values whose owner bits (``value & owner_mask``) are
        among ``owners``."""
        return PartitionedKeys(self._folder, self._name, len(self._paths), by=self._by, columns=self._columns,
                               drop=(np.asarray(owners, dtype=np.uint64), owner_mask))

    def parts(self) -> Iterator[np.ndarray]:
        """Each file's values (rows, with several columns), in the order they were appended."""
        for path in self._paths:
            values = np.fromfile(path, dtype=np.uint64) if path.exists() else np.empty(0, np.uint64)
            if self._columns > 1:
                values = values.reshape(-1, self._columns)
            if self._drop is not None and len(self._drop[0]):
                first = values if self._columns == 1 else values[:, 0]
                values = values[~np.isin(first & self._drop[1], self._drop[0])]
            yield values


_FOLDER_PREFIX = "dedup-scan-"


def scan_folder() -> tempfile.TemporaryDirectory:
    """A temporary folder for one scan's files, named after this process. Folders that scans
    killed outright (SIGKILL, a crash) left behind are removed first: those named after a
    process that no longer exists."""
    base = Path(tempfile.gettempdir())
    for stale in base.glob(f"{_FOLDER_PREFIX}*-*"):
        pid = stale.name[len(_FOLDER_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"{_FOLDER_PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would signal the process elsewhere: keep the folder
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or no right to ask: treat it as running
        return True
    return True
