"""The exceptions dedup raises.

::

    DedupError                      root: catch this to catch everything dedup raises
    ├── ConfigError (ValueError)    a setting is out of range or settings do not fit together
    ├── InputError (ValueError)     an article or input file cannot be used (carries file and line)
    └── IndexStoreError             a persistent index cannot be opened, read or written

Errors from third-party code are translated at the boundary (``raise InputError(...) from exc``)
so that callers only ever need to know this tree.
"""

from __future__ import annotations

__all__ = ["ConfigError", "DedupError", "IndexStoreError", "InputError"]


class DedupError(Exception):
    """Root of every error dedup raises on purpose."""


class ConfigError(DedupError, ValueError):
    """A setting is out of range, or two settings contradict each other."""


class InputError(DedupError, ValueError):
    """An input file or article cannot be used.

    Parameters
    ----------
    message : str
        What is wrong and, where possible, how to fix it.
    source : str, optional
        The file (or ``<stdin>``) the bad input came from.
    line : int, optional
        The 1-based line number (or record number for JSON arrays) inside ``source``.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.reason = message
        self.source = source
        self.line = line
        super().__init__(self._located(message))

    def _located(self, message: str) -> str:
        if self.source is None:
            return message
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {message}"


class IndexStoreError(DedupError):
    """A persistent index cannot be opened, read or written."""
