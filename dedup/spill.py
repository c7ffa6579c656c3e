"""What a scan keeps on disk while it reads the rest of its input.

The passage tier makes about 16 packed band keys per window and 35 windows per news article:
5 GB for a million articles. :class:`SpilledKeys` writes them to a file per chunk of articles as
chunks are signed (by the worker that signed it) and reads back one band at a time, which is all
:func:`dedup.candidates.candidate_pairs` asks for. The context triples (about 270 per article,
with their places), every article's distinct shingles (about 450, :mod:`dedup.pieces`) and the
pairs they make go to files as well (:class:`PartitionedKeys`), grouped by key, so that they are
paired a part at a time. The files go to the temporary folder (``TMPDIR`` chooses it), which
needs about 17 KB free per article.
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
    """A ``(rows, bands)`` uint64 array of packed band keys stored a chunk of rows per file.

    It answers what :func:`dedup.candidates.candidate_pairs` and
    :func:`dedup.copies.without_member_keys` ask of a chunk of keys: ``keys[:, band]`` (one
    band's column, gathered from the files), ``keys[mask]`` (the rows where a boolean mask is
    true, as another :class:`SpilledKeys` over the same files) and ``len(keys)``.

    Each :meth:`append` writes one file, the chunk's columns one after another, named after a
    ``tag`` that orders the chunks: a worker process can append to a copy of the object (a scan's
    signing tasks tag their chunk with its first article's index), and this object reads what it
    wrote.
    """

    def __init__(self, folder: str | Path, bands: int, *, name: str = "windows", rows: np.ndarray | None = None) -> None:
        self._folder, self._name, self._bands = Path(folder), name, bands
        self._rows = rows  # a boolean mask of the rows kept, None for all of them
        self._appended = 0

    def append(self, chunk: np.ndarray, tag: int | None = None) -> None:
        """Add the rows of a ``(rows, bands)`` chunk after those of smaller tags (by default,
        after every chunk appended through this object)."""
        if self._rows is not None:
            raise ValueError("cannot append to a row selection of spilled keys")
        tag = self._appended if tag is None else tag
        self._appended = tag + 1
        path = self._folder / f"{self._name}.{tag:012d}.{len(chunk)}.u64"
        _write(path, [np.ascontiguousarray(chunk.T)], "band keys", "about 17 KB free per article")

    def _chunks(self) -> list[tuple[Path, int]]:
        """The chunk files in order, each with its number of rows."""
        paths = sorted(self._folder.glob(f"{self._name}.*.u64"))
        return [(path, int(path.stem.rsplit(".", 1)[1])) for path in paths]

    def _column(self, band: int) -> np.ndarray:
        column = _gather([(path, band * rows, rows) for path, rows in self._chunks() if rows])
        return column if self._rows is None else column[self._rows]

    def __getitem__(self, index):
        if isinstance(index, np.ndarray) and index.dtype == bool:
            rows = index if self._rows is None else _within(self._rows, index)
            return SpilledKeys(self._folder, self._bands, name=self._name, rows=rows)
        if isinstance(index, tuple) and len(index) == 2 and index[0] == slice(None) and isinstance(index[1], int):
            return self._column(index[1])
        raise TypeError(f"spilled keys take [:, band] or [boolean mask], not [{index!r}]")

    def __len__(self) -> int:
        if self._rows is not None:
            return int(np.count_nonzero(self._rows))
        return sum(rows for _, rows in self._chunks())


def _within(rows: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The rows of the whole that remain when ``mask`` selects among the ``rows`` kept."""
    combined = rows.copy()
    combined[rows] = mask
    return combined


class PartitionedKeys:
    """Packed uint64 values written in parts and read back one part at a time, so that grouping
    them never needs them all in memory.

    A value goes to the part its top bits choose (``by="top"``: packed keys, whose top bits are
    the key, so that equal keys meet in one part) or the top bits of a mix of the whole value
    (``by="hash"``: pair codes, whose top bits are nearly always zero). With ``columns`` above 1,
    values are rows of that many uint64 that go where their first one sends them (a packed key
    with the place it stands at, for example).

    Each :meth:`append` writes one file, its values grouped by part after a header of the parts'
    bounds, named after a ``tag`` that orders the appends: a worker process can append to a copy
    of the object (a scan's signing tasks tag their chunk with its first article's index), and
    this object, or another one made with the same folder and name, reads what it wrote.
    """

    def __init__(self, folder: str | Path, name: str, parts: int = 16, *, by: str = "top", columns: int = 1,
                 drop: tuple[np.ndarray, np.uint64] | None = None) -> None:
        if parts < 1 or parts & (parts - 1) or parts > 1 << 15:  # (part numbers are int16 in append)
            raise ValueError(f"parts must be a power of two up to 32768, not {parts}")
        self._folder, self._name, self._by, self._drop = Path(folder), name, by, drop
        self._parts, self._columns = parts, columns
        self._shift = np.uint64(64 - (parts.bit_length() - 1))
        self._appended = 0

    def append(self, values: np.ndarray, tag: int | None = None) -> None:
        """Add values (uint64; ``(n, columns)`` rows when there are several columns) after those
        of smaller tags (by default, after every append through this object)."""
        tag = self._appended if tag is None else tag
        self._appended = tag + 1
        if len(values) == 0:
            return
        first = values if self._columns == 1 else values[:, 0]
        order = slice(None)
        if self._parts == 1:
            bounds = np.array([0, len(values)])
        else:
            top = first if self._by == "top" else fmix64_array(first)
            part = (top >> self._shift).astype(np.int16)
            if np.any(part[1:] < part[:-1]):  # (sorted keys, as signing makes them, are in part order already)
                order = np.argsort(part, kind="stable")  # (numpy's stable sort of int16 is a radix sort)
                part = part[order]
            bounds = np.searchsorted(part, np.arange(self._parts + 1))
        header = (bounds * self._columns).astype(np.uint64)
        _write(self._folder / f"{self._name}.{tag:012d}.u64", [header, values[order]], "keys", "more free space")

    def without_owners(self, owners: np.ndarray, owner_mask: np.uint64) -> PartitionedKeys:
        """The same files, read without the values whose owner bits (``value & owner_mask``) are
        among ``owners``."""
        return PartitionedKeys(self._folder, self._name, self._parts, by=self._by, columns=self._columns,
                               drop=(np.asarray(owners, dtype=np.uint64), owner_mask))

    def parts(self) -> Iterator[np.ndarray]:
        """Each part's values (rows, with several columns), in the order of their appends' tags."""
        files = sorted(self._folder.glob(f"{self._name}.*.u64"))
        header = self._parts + 1  # values before each file's parts: their bounds
        heads = [np.fromfile(path, dtype=np.uint64, count=header).astype(np.int64) for path in files]
        for part in range(self._parts):
            values = _gather([(path, header + head[part], head[part + 1] - head[part])
                              for path, head in zip(files, heads) if head[part + 1] > head[part]])
            if self._columns > 1:
                values = values.reshape(-1, self._columns)
            if self._drop is not None and len(self._drop[0]):
                first = values if self._columns == 1 else values[:, 0]
                values = values[~np.isin(first & self._drop[1], self._drop[0])]
            yield values


def _gather(pieces: list[tuple[Path, int, int]]) -> np.ndarray:
    """The uint64 values ``(file, first, count)`` of each piece, one piece after another, read
    straight into one array (no array per piece to copy from: reading parts is most of what
    the scan's later stages do with these files)."""
    values = np.empty(sum(int(count) for _, _, count in pieces), dtype=np.uint64)
    at = 0
    for path, first, count in pieces:
        with path.open("rb") as stream:
            stream.seek(int(first) * 8)
            got = stream.readinto(memoryview(values[at : at + count]).cast("B"))
        if got != int(count) * 8:
            raise DedupError(f"{path} is shorter than expected: a scan's temporary files changed while it ran")
        at += int(count)
    return values


def _write(path: Path, arrays: list[np.ndarray], what: str, need: str) -> None:
    """Write the arrays one after another to a new file."""
    try:
        with path.open("wb") as out:
            for values in arrays:
                values.tofile(out)
    except OSError as exc:
        raise DedupError(f"cannot write {what} to {path.parent}: {exc.strerror or exc}; set TMPDIR to a "
                         f"folder with {need}") from exc


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
