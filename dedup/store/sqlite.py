"""The embedded backend: one SQLite file in WAL mode (stdlib ``sqlite3``), safe for several processes.

Schema (``PRAGMA application_id`` marks the file as a dedup index, ``user_version`` is the format)::

    settings(name TEXT PRIMARY KEY, value TEXT)          format, version, settings (JSON)
    articles(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, text, meta JSON, keys BLOB)
    bands(key INTEGER, seq INTEGER, PRIMARY KEY (key, seq)) WITHOUT ROWID

Every write is one ``BEGIN IMMEDIATE`` transaction (writers queue on ``busy_timeout``), so an
article and its band keys appear together or not at all, also when the process is killed.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..exceptions import IndexStoreError, InputError
from . import FORMAT, FORMAT_VERSION, NewRow, StoredRow

__all__ = ["SQLiteStore"]

APPLICATION_ID = 0x64647570  # "ddup"
_BUSY_TIMEOUT_MS = 120_000
_CACHE_KIB = 65_536  # bounded page cache: memory does not grow with the index

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, text TEXT NOT NULL,
    meta TEXT NOT NULL, keys BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
"""


class SQLiteStore:
    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.location = str(path)
        self._depth = 0
        if not create and not Path(path).exists():
            raise IndexStoreError(f"{self.location}: no such index; create it with `dedup index add`")
        try:
            self._db = sqlite3.connect(self.location, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                       check_same_thread=False)
        except sqlite3.Error as exc:
            raise IndexStoreError(f"{self.location}: cannot open the index: {exc}") from exc
        with self._errors("open"):
            self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            self._check_foreign()
            if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: committed data survives a process crash
            self._db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")

    @contextmanager
    def _errors(self, doing: str):
        try:
            yield
        except sqlite3.DatabaseError as exc:
            message = str(exc)
            if "not a database" in message or "malformed" in message:
                message = f"not a dedup index or corrupt ({message})"
            raise IndexStoreError(f"{self.location}: cannot {doing}: {message}") from exc

    def _check_foreign(self) -> None:
        app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id == 0 and not tables:
            return  # a new or empty file: create() will set it up
        if app_id != APPLICATION_ID:
            raise IndexStoreError(f"{self.location}: not a dedup index (an SQLite file of another application); "
                                  "choose another path")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version != FORMAT_VERSION:
            raise IndexStoreError(f"{self.location}: index format version {version}, this dedup reads version "
                                  f"{FORMAT_VERSION}; rebuild the index")

    @contextmanager
    def transaction(self):
        """One write transaction (nested calls join the outer one)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self._errors("write"):
            self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        with self._errors("commit"):
            self._db.execute("COMMIT")

    def read_settings(self) -> dict | None:
        with self._errors("read the settings"):
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "settings" not in tables:
                return None
            rows = dict(self._db.execute("SELECT name, value FROM settings"))
        if rows.get("format") != FORMAT or "settings" not in rows:
            raise IndexStoreError(f"{self.location}: not a dedup index (no dedup settings)")
        return json.loads(rows["settings"])

    def create(self, settings: dict) -> dict:
        with self.transaction(), self._errors("create the index"):
            existing = self.read_settings()
            if existing is not None:
                return existing
            for statement in _SCHEMA.strip().split(";\n"):
                self._db.execute(statement)
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
            self._db.executemany("INSERT INTO settings VALUES (?, ?)",
                                 [("format", FORMAT), ("version", str(FORMAT_VERSION)),
                                  ("settings", json.dumps(settings, sort_keys=True))])
        return settings

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(keys) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        with self._errors("read"):
            rows = self._db.execute(
                "SELECT key, seq FROM bands WHERE key IN (SELECT value FROM json_each(?)) ORDER BY key, seq",
                (json.dumps(keys.tolist()),)).fetchall()
        found = np.array(rows, dtype=np.int64).reshape(-1, 2)
        return found[:, 0], found[:, 1]

    def fetch(self, seqs: list[int]) -> list[StoredRow]:
        if not seqs:
            return []
        with self._errors("read"):
            rows = self._db.execute("SELECT seq, id, text, meta FROM articles WHERE seq IN "
                                    "(SELECT value FROM json_each(?))", (json.dumps(list(seqs)),)).fetchall()
        return [StoredRow(*row) for row in rows]

    def get(self, article_id: str) -> StoredRow | None:
        with self._errors("read"):
            row = self._db.execute("SELECT seq, id, text, meta FROM articles WHERE id = ?", (article_id,)).fetchone()
        return StoredRow(*row) if row else None

    def write(self, rows: list[NewRow], on_conflict: str) -> list[str]:
        """Write articles (ids unique within ``rows``); outcome per row: added, replaced or skipped."""
        outcomes = []
        with self.transaction(), self._errors("write"):
            existing = self._existing([r.id for r in rows])
            keep = []
            for row in rows:
                if row.id not in existing:
                    outcomes.append("added")
                elif on_conflict == "skip":
                    outcomes.append("skipped")
                    continue
                elif on_conflict == "error":
                    raise InputError(f"id {row.id!r} is already in the index (on_conflict='error'); nothing "
                                     "of this batch was written")
                else:
                    self._delete(row.id)
                    outcomes.append("replaced")
                keep.append(row)
            first = self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
            self._db.executemany("INSERT INTO articles (id, text, meta, keys) VALUES (?, ?, ?, ?)",
                                 [(r.id, r.text, r.meta, r.keys.astype("<i8").tobytes()) for r in keep])
            seqs = [s for (s,) in self._db.execute("SELECT seq FROM articles WHERE seq > ? ORDER BY seq", (first,))]
            if keep:
                keys = np.concatenate([r.keys for r in keep])
                owners = np.repeat(np.array(seqs, dtype=np.int64), [len(r.keys) for r in keep])
                order = np.argsort(keys, kind="stable")
                self._db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)",
                                     zip(keys[order].tolist(), owners[order].tolist()))
        return outcomes

    def _existing(self, ids: list[str]) -> set[str]:
        rows = self._db.execute("SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                                (json.dumps(ids),))
        return {r[0] for r in rows}

    def _delete(self, article_id: str) -> bool:
        row = self._db.execute("SELECT seq, keys FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return False
        seq, blob = row
        keys = np.frombuffer(blob, dtype="<i8").astype(np.int64)
        self._db.executemany("DELETE FROM bands WHERE key = ? AND seq = ?", ((k, seq) for k in keys.tolist()))
        self._db.execute("DELETE FROM articles WHERE seq = ?", (seq,))
        return True

    def remove(self, article_id: str) -> bool:
        with self.transaction(), self._errors("remove"):
            return self._delete(article_id)

    def count(self) -> int:
        with self._errors("read"):
            return self._db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def contains(self, article_id: str) -> bool:
        with self._errors("read"):
            return self._db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def close(self) -> None:
        self._db.close()
