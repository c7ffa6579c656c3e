"""Band keys kept on disk while a scan reads the rest of its input.

The passage tier makes about 16 packed band keys per window and 35 windows per news article:
5 GB for a million articles, more than everything else a scan holds. :class:`SpilledKeys`
writes them to one file per band as chunks arrive and reads back one band at a time, which is
all :func:`dedup.candidates.candidate_pairs` asks for. The files go to the temporary folder
(``TMPDIR`` chooses it), which needs about 5 KB free per article.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .exceptions import DedupError

__all__ = ["SpilledKeys"]


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
                             "folder with about 5 KB free per article") from exc

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
