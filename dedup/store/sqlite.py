"""The embedded backend: one SQLite file in WAL mode (stdlib ``sqlite3``), safe for several processes.

Schema (``PRAGMA application_id`` marks the file as a dedup index, ``user_version`` is the format)::

    settings(name TEXT PRIMARY KEY, value TEXT)          format, version, settings (JSON)
    state(name TEXT PRIMARY KEY, value INTEGER)          merged: the last seq whose keys are in bands;
                                                         removals: articles removed or replaced so far
    articles(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, text, meta JSON, keys BLOB,
             shingles BLOB, places BLOB)                 shingles, places: see dedup.store.NewRow
    bands(entry INTEGER PRIMARY KEY) WITHOUT ROWID       band key (top 40 bits) | seq (low 24 bits)
    keyfilter(id INTEGER PRIMARY KEY, bits BLOB)         one row: the KeyFilter of the keys in bands
    fullkeys(cap INTEGER PRIMARY KEY, removals INTEGER,  keys known to hold cap articles when the removal
             keys BLOB)                                  count was removals (dedup.store.fullkeys), per cap

Band keys live in two places, like the levels of a log-structured merge tree. A new article's
keys are only in its ``keys`` blob (one row written per article, whatever its number of keys);
each open store keeps the keys of these recent articles in memory, sorted, and refreshes them
from the rows it has not seen yet. Once :data:`MERGE_AT` articles are recent, the writer that
crosses the mark claims the merge (``state.merging``) and merges all their keys (from memory)
into ``bands``, one B-tree keyed by the packed entry, in sorted order. Random single-key inserts
into a B-tree of tens of millions of rows cost several microseconds each and rewrite most of its
pages every batch; one sorted merge per :data:`MERGE_AT` articles does not (at 90,000 articles,
merging 10,000 articles' keys cost 0.47 microseconds per key to insert and 0.32 to commit the
pages it rewrote: a merge rewrites most leaves whatever its size, so the second part shrinks as
merges grow). The merge reads the sorted recent keys a piece at a time, never as one copy.
Memory stays bounded by :data:`MERGE_AT` (twice that while a merge is under way), not by the index.

The merge runs on a thread of its own, with its own connection, in short transactions between
the writer's (whose adds match outside their write transaction, see
:meth:`dedup.DedupIndex.add_many`): on a second core, and off the writer's path. Until it moves
the merge mark, part of the recent keys may be in ``bands`` already; look-ups read ``bands`` and
the recent keys together, without repeats, so their answers never depend on how far a merge has
got. A merge cut short (by a crash, or a failure, which the next write reports) leaves its
entries, ``INSERT OR IGNORE`` puts them in again, and it is done again: by this store at its next
write, or by any writer once it lags :data:`MERGE_AT` more articles behind. Removing an article
deletes its entries from ``bands`` whenever a merge may have put them there, and a merge deletes
the entries of the articles removed while it ran.

Looking keys up costs a few microseconds per key too, and nearly every key of a new article is
absent, so each merge also marks its keys in a fixed-size :class:`~dedup.store.keyfilter.KeyFilter`
stored beside ``bands``; only the keys it may hold are looked up in the B-tree. The recent keys
are not marked in it: every key asked is looked up among them in memory (a chunk's keys by one
pass along each sorted segment), so the B-tree is not asked for keys only recent articles hold,
and a writer marks no bits per article: a merge marks its keys in its store's filter, in place
(a look-up meanwhile may ask the B-tree for a recent key it does not hold yet, which costs a
look-up, never an answer), adds the stored filter's bits and stores the result. Common context
triples pass the filter, and most of those held by a stored article are full (held by
:data:`~dedup.context.MAX_HOLDERS`, so they pair no newcomer): look-ups skip the ones known to be
(:class:`~dedup.store.fullkeys.FullKeys`, stored at each merge). A removal, which can make a
full key count again, increments ``removals``; a store that sees the count change forgets its
known full keys and drops removed articles from its recent keys (whose holders would otherwise
still count).

Committed pages go to the write-ahead log first; copying them into the file (a checkpoint) is
done by a thread of its own after every :data:`_CHECKPOINT_ROWS` articles a store writes, not by
the commit that happens to fill the log, so the writer does not wait for it.

Every write is one ``BEGIN IMMEDIATE`` transaction (writers queue on ``busy_timeout``), so an
article and its band keys appear together or not at all, also when the process is killed.
Reads run in one read transaction (:meth:`SQLiteStore.snapshot`), so they see the merge mark and
the tables of one moment.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..arrays import groups, ranks
from ..candidates import OWNER_BITS, sorted_unique
from ..compiled import use_kernels
from ..exceptions import IndexStoreError, InputError
from . import FORMAT, FORMAT_VERSION, NewRow, StoredRow
from .fullkeys import FullKeys
from .keyfilter import BYTES, KeyFilter

__all__ = ["MERGE_AT", "SQLiteStore"]

MERGE_AT = 20_000  # recent articles (keys in memory, about 6.7 KB each) before a merge into bands
# A merge rewrites most leaves of the B-tree whatever its size (its sorted entries fall all over
# it): merging the keys of articles 80,000-100,000 in one merge took 0.68 CPU ms per article
# against 0.94-1.05 in two merges of 10,000 (the writer's look-ups cost no more), for about
# 130 MB more memory at most (session 5, when the writer merged, measured no difference).
_OWNER = (1 << OWNER_BITS) - 1  # the low bits of a packed entry: its article's seq
_MERGE_ROWS = 1 << 17  # entries per merge transaction: about 0.1 s, which an add waiting for the lock waits at most
_BLOB_PIECE = 1 << 22  # key filter bytes copied at once by a merge (about 1 ms holding the GIL)
_PIECE_ROWS = 1 << 14  # entries a merge sorts, marks and encodes at once (see _sorted_pieces)
_JSON_ROWS = 1 << 14  # entries encoded at once (by json: about 3 ms holding the GIL, which a query may be waiting for)
# The recent keys are looked up by one pass along a sorted segment and the sorted keys asked
# (dedup.kernels.packed_spans) when there are many keys (a chunk's); when few (a query's) against
# a long segment, by a search per key through a sample of the segment (dedup.kernels.packed_ranges).
_WALK_MIN_KEYS = 100_000
_WALK_RATIO = 64
_MERGE_MIN_ENTRIES = 1 << 20  # recent entries worth loading the kernels for, to merge them (see _merge_runs)
_SAMPLE = 32  # every 32nd recent entry kept apart, to find a few keys among millions (kernels.packed_ranges)
_SEARCH_MIN_ENTRIES = 1 << 20  # (a process that runs the kernels already uses them for any segment)
# The recent keys' filter: 32 MB (marking a chunk's keys took 35 ms in 16 MB, 67 in the 128 MB of the
# merged keys' filter), made anew past 33.5 million keys marked (2 * MERGE_AT articles, when about 2.4%
# of absent keys pass it) once most of them are no longer recent: made anew for each query while a
# merge ran, the filter of 25,000 recent articles took queries 360 ms each.
_RECENT_FILTER_BITS = 28
_RECENT_FILTER_KEYS = 1 << 25
_RECENT_FILTER_PENDING = 1 << 20  # recent entries waiting to be marked (8 MB) before the filter is dropped instead

APPLICATION_ID = 0x64647570  # "ddup"
_BUSY_TIMEOUT_MS = 120_000
_CACHE_KIB = 16_384  # bounded page cache: memory does not grow with the index. 64 MB gave no faster look-ups
# or merges at 80,000 articles (1.55 against 1.50 CPU ms per added article, 13.5 against 13.0 s per merge)
# Measured merging 12 million sorted keys into a B-tree of 24 million: 16 KB pages 9.3 CPU s and
# 14 s wall, 4 KB pages 12.6 and 23 s (64 KB: 11.2 and 19 s); looking up 100,000 keys then took
# 0.19 s and 0.27 s. Merging 17 million keys into 51 million cost 14.6 CPU s as a rowid table and 12.2 s
# WITHOUT ROWID (a B-tree of keys alone, 11% smaller), whose look-ups are as fast or faster.
_PAGE_SIZE = 16_384
# The WAL is copied into the file (checkpointed) on a thread of its own, after every _CHECKPOINT_ROWS
# articles written, instead of by the commit that fills it (SQLite's default, 1,000 pages): at 90,000
# articles that took 0.25 of the writer's 1.5 CPU ms per article. The writer still checkpoints itself
# past _WRITER_CHECKPOINT_PAGES (128 MB), should the thread fall behind.
_CHECKPOINT_ROWS = 500
_WRITER_CHECKPOINT_PAGES = 8_192

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, text TEXT NOT NULL,
    meta TEXT NOT NULL, keys BLOB NOT NULL, shingles BLOB NOT NULL, places BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bands (entry INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keyfilter (id INTEGER PRIMARY KEY CHECK (id = 0), bits BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fullkeys (cap INTEGER PRIMARY KEY, removals INTEGER NOT NULL, keys BLOB NOT NULL);
INSERT OR IGNORE INTO state VALUES ('merged', 0);
INSERT OR IGNORE INTO state VALUES ('removals', 0);
"""


class _Recent:
    """The band keys of the articles not merged yet, in memory: sorted packed entries, in a few
    segments (one per refresh; compacted when there are many)."""

    def __init__(self) -> None:
        self.seen = 0  # the last seq read
        self.merged = 0  # the merge mark when last read
        self.removals = 0  # the store's removal count when last read
        self._segments: list[np.ndarray] = []
        self._samples: list[np.ndarray] = []  # every _SAMPLE-th entry of each segment: see kernels.packed_ranges
        # A filter of the recent keys, for a few keys asked among many (a query's): marked when such
        # a look-up comes, with the entries added since (look-ups of a chunk's keys do without it).
        # Entries merged or removed stay marked (a false pass costs a search) until it is made anew.
        self._filter: KeyFilter | None = None
        self._unmarked: list[np.ndarray] = []
        self._marked = 0

    @property
    def segments(self) -> list[np.ndarray]:
        return self._segments

    @segments.setter
    def segments(self, runs: list[np.ndarray]) -> None:
        known = {id(run): sample for run, sample in zip(self._segments, self._samples)}  # kept: sampled already
        self._segments = list(runs)
        self._samples = [known[id(run)] if id(run) in known else np.ascontiguousarray(run[::_SAMPLE])
                         for run in self._segments]

    def keep_only(self, alive: list[int], removals: int) -> None:
        """Drop the entries of the articles removed since (by any process): ``alive`` are the
        seqs after the merge mark still stored. A removed article's entries would otherwise still
        count as holders, and the pairing rules count holders."""
        if self.segments and self.seen > self.merged:
            stored = np.zeros(self.seen - self.merged + 1, dtype=bool)
            alive_seqs = np.asarray(alive, dtype=np.int64)
            stored[alive_seqs[alive_seqs <= self.seen] - self.merged] = True
            self.segments = [e[stored[(e & _OWNER) - self.merged]] for e in self.segments]
        self.removals = removals

    def update(self, merged: int, rows: list[tuple[int, bytes]]) -> None:
        """Drop what is merged into bands now, add these rows."""
        if merged != self.merged:
            self.segments = [e[(e & _OWNER) > merged] for e in self.segments] if merged < self.seen else []
            self.merged, self.seen = merged, max(self.seen, merged)
        if rows:  # one sorted run per row: a stable sort merges them (a third of quicksort's time per chunk)
            self.add(np.sort(_entries([np.frombuffer(k, dtype="<i8") for _, k in rows], [seq for seq, _ in rows]),
                             kind="stable"), rows[-1][0])

    def add(self, added: np.ndarray, last: int) -> None:
        """Add the entries (sorted) of the rows after the last one read, up to seq ``last``."""
        runs = list(self.segments)
        runs.append(added)
        self.seen = last
        if self._filter is not None:
            self._unmarked.append(added)
            if sum(map(len, self._unmarked)) > _RECENT_FILTER_PENDING:  # chunks, and no query between them:
                self._filter, self._unmarked = None, []  # made anew by the next query, not held in memory twice
        # The newest two merged while the newer is as long, as a binary counter carries (in one
        # pass, see _merge_runs): an entry is merged again about log2 of the segments' number of
        # times, and a look-up meets about that many segments, whether articles come one at a
        # time or a thousand at once. (Merging them all once there were 8, a store adding
        # articles one by one to 3,000 recent ones took 32 ms per add; a look-up of a chunk's
        # keys costs about 12 ns per key and segment.)
        while len(runs) > 1 and len(runs[-1]) >= len(runs[-2]):
            runs[-2:] = [_merge_runs(*runs[-2:])]
        self.segments = runs

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The entries held for these packed keys (sorted, unique, low bits zero), sorted."""
        found = []
        held = sum(map(len, self._segments))
        if held >= _SEARCH_MIN_ENTRIES and len(keys) < _WALK_MIN_KEYS and len(keys) * _WALK_RATIO < held:
            # A few keys among millions (a query's). Not a chunk's: its keys are found in one pass,
            # and the filter would be marked with millions of recent entries anew for each chunk
            # (once 20,000 recent articles held 64 times a chunk's triples: 0.38 ms per article added).
            keys = keys[self._maybe_recent(keys)]
        for entries, sample in zip(self._segments, self._samples):
            if len(entries) == 0:
                continue
            if use_kernels(len(keys), _WALK_MIN_KEYS) and len(entries) <= _WALK_RATIO * len(keys):
                from ..kernels import packed_spans

                lo, hi = packed_spans(entries, keys, _OWNER)  # a chunk's keys: one pass, galloping
            elif use_kernels(len(entries), _SEARCH_MIN_ENTRIES):
                from ..kernels import packed_ranges

                lo, hi = packed_ranges(entries, sample, _SAMPLE, keys, _OWNER)  # a few keys among millions
            else:
                lo = np.searchsorted(entries, keys, "left")  # a binary search each
                hi = np.searchsorted(entries, keys | _OWNER, "right")
            found.append(entries[np.repeat(lo, hi - lo) + ranks(hi - lo)])
        return np.concatenate(found) if found else np.empty(0, np.int64)

    def _maybe_recent(self, keys: np.ndarray) -> np.ndarray:
        """``False`` where a key is certainly not among the recent ones (see ``_filter``)."""
        stale = self._marked > max(_RECENT_FILTER_KEYS, 2 * sum(map(len, self._segments)))
        if self._filter is None or stale:  # (made anew when too full to tell much)
            self._filter = KeyFilter(_RECENT_FILTER_BITS)
            self._unmarked, self._marked = list(self._segments), 0
        for entries in self._unmarked:
            self._filter.add(entries)
            self._marked += len(entries)
        self._unmarked = []
        return self._filter.maybe_held(keys)


def _merge_runs(older: np.ndarray, newer: np.ndarray) -> np.ndarray:
    """Two sorted runs of entries as one: by a compiled pass (:func:`dedup.kernels.merge_sorted`)
    once this process runs the kernels, by a stable sort (which merges them too, four times
    slower) before."""
    if not use_kernels(len(older) + len(newer), _MERGE_MIN_ENTRIES):
        return np.sort(np.concatenate([older, newer]), kind="stable")
    from ..kernels import merge_sorted

    return merge_sorted(older, newer)


def _sorted_pieces(runs: list[np.ndarray], size: int):
    """The entries of sorted runs in sorted order, about ``size`` at a time: each piece gathers
    the runs' entries between two values of the longest run (every ``size``-th entry's share of
    it) and sorts them. Nothing is copied whole: the merge of 20,000 articles' entries (16.7
    million) held 200 MB more while it sorted one copy of them all."""
    runs = [run for run in runs if len(run)]
    if not runs:
        return
    longest = max(runs, key=len)
    step = max(1, size * len(longest) // sum(map(len, runs)))
    bounds = longest[step::step]  # a piece: the entries from one bound up to the next
    cuts = [np.append(np.searchsorted(run, bounds), len(run)) for run in runs]
    for n in range(len(bounds) + 1):
        piece = np.concatenate([run[cut[n - 1] if n else 0 : cut[n]] for run, cut in zip(runs, cuts)])
        piece.sort()
        yield piece


def _insert(db: sqlite3.Connection, pieces: list[np.ndarray]) -> None:
    """Insert merged entries into ``bands`` in one transaction (``INSERT OR IGNORE``: a merge cut
    short is simply done again), a piece at a time: encoding holds the GIL, inserting does not."""
    if pieces:
        with _writing(db):
            for piece in pieces:
                db.execute("INSERT OR IGNORE INTO bands SELECT value FROM json_each(?)", (_json_array(piece),))


def _entries(keylists: list[np.ndarray], seqs: list[int]) -> np.ndarray:
    """Packed entries (key | seq) of articles, from their band keys (low bits zero)."""
    if not keylists:
        return np.empty(0, np.int64)
    keys = np.concatenate(keylists).astype(np.int64)
    return keys | np.repeat(np.asarray(seqs, dtype=np.int64), [len(k) for k in keylists])


def _json_array(values: np.ndarray) -> str:
    """``values`` (int64) as the JSON array that ``json_each`` reads: by a compiled loop, which
    does not hold the GIL (:func:`dedup.kernels.json_integers`, a quarter of ``json.dumps``'s
    time), once this process runs the kernels; by ``json`` before."""
    if not use_kernels(len(values), _JSON_ROWS):
        return json.dumps(values.tolist())
    from ..kernels import json_integers

    out = np.empty(21 * len(values) + 2, dtype=np.uint8)
    return out[: json_integers(values, out)].tobytes().decode("ascii")


def _filter_pieces(db: sqlite3.Connection):
    """The stored key filter a piece at a time, as ``(offset, bytes as uint8)``; nothing if none
    is stored. Read whole, its 128 MB were copied twice, and each copy held the GIL for about
    50 ms (which a query on another thread of the process waited for)."""
    row = db.execute("SELECT length(bits) FROM keyfilter").fetchone()
    if row is None:
        return
    if row[0] != BYTES:
        raise ValueError(f"a key filter holds {BYTES} bytes, got {row[0]}")
    with db.blobopen("keyfilter", "bits", 0, readonly=True) as blob:
        for start in range(0, row[0], _BLOB_PIECE):
            yield start, np.frombuffer(blob.read(_BLOB_PIECE), dtype=np.uint8)


def _store_filter(db: sqlite3.Connection, marked: KeyFilter) -> None:
    """Store the key filter of ``bands``: ``marked`` (the keys a merge put in) with the stored
    one (the keys merged before, by any store), a piece at a time (see :func:`_filter_pieces`)."""
    stored = False
    for start, piece in _filter_pieces(db):
        marked.bits[start : start + len(piece)] |= piece
        stored = True
    if not stored:
        db.execute("INSERT INTO keyfilter VALUES (0, zeroblob(?))", (len(marked.bits),))
    with db.blobopen("keyfilter", "bits", 0) as blob:
        for start in range(0, len(marked.bits), _BLOB_PIECE):
            blob.write(marked.bits[start : start + _BLOB_PIECE])


def _connect(location: str) -> sqlite3.Connection:
    """Another connection to an open index (the merge thread's)."""
    db = sqlite3.connect(location, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    _set_up(db)
    return db


def _set_up(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: committed data survives a process crash
    db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")


@contextmanager
def _writing(db: sqlite3.Connection):
    """One write transaction on a plain connection."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class SQLiteStore:
    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.location = str(path)
        self._depth = 0
        self._snapshot = False  # in a read transaction (see snapshot)
        self._recent = _Recent()
        self._filter: KeyFilter | None = None  # the keys in bands (not the recent ones) ...
        self._filter_mark = 0  # ... at this merge mark
        self._merged_filter_at: tuple[int, KeyFilter] | None = None  # the filter its last merge left, and its mark
        self._full: dict[int, FullKeys] = {}  # the known full keys of look-ups, by cap
        self._due: tuple[int, int] | str | None = None  # a merge to start (or wait for) once this write commits
        self._written: tuple[int, int, np.ndarray] | None = None  # its rows' first and last seqs and entries (see write)
        self._merger: threading.Thread | None = None  # this store's merge under way
        self._claimed = 0  # the last seq of the merge this store last claimed
        self._merge_error: Exception | None = None  # a failed merge, raised by the next write or close
        self._checkpointer: threading.Thread | None = None  # this store's checkpoint under way
        self._unchecked = 0  # articles written since this store last started a checkpoint
        self._checkpoint_error: Exception | None = None  # a failed checkpoint, raised by the next write or close
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
            self._db.execute(f"PRAGMA page_size = {_PAGE_SIZE}")  # takes effect in a new file only
            if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self._db.execute("PRAGMA journal_mode = WAL")
            _set_up(self._db)
            self._db.execute(f"PRAGMA wal_autocheckpoint = {_WRITER_CHECKPOINT_PAGES}")

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
        self._raise_merge_error()
        with self._errors("write"):
            self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._due = self._written = None
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        with self._errors("commit"):
            self._db.execute("COMMIT")
        self._after_commit()

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

    @contextmanager
    def snapshot(self):
        """One read transaction, so that every read inside sees the index of one moment (or the
        transaction already open)."""
        if self._depth or self._snapshot:
            yield
            return
        with self._errors("read"):
            self._db.execute("BEGIN")
        self._snapshot = True
        try:
            yield
        finally:
            self._snapshot = False
            self._db.execute("COMMIT")


    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        """Who holds each of these band keys (sorted, unique, low :data:`OWNER_BITS` bits zero):
        every holder of a key held by fewer than ``cap`` articles, and at least the first ``cap``
        (by seq) of the others, all that the pairing rules look at."""
        return self.lookup_many([(keys, cap, None)])[0]

    def lookup_many(self, requests: list[tuple[np.ndarray, int, FullKeys | None]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`lookup` of several ``(keys, cap, full)`` requests in one read and one statement.

        With a :class:`~dedup.store.fullkeys.FullKeys`, the keys it knows to hold ``cap`` or more
        articles are not looked up (and not in the answer), and those found so are added to it."""
        if not any(len(keys) for keys, _, _ in requests):
            return [(np.empty(0, np.int64), np.empty(0, np.int64)) for _ in requests]
        with self.snapshot(), self._errors("read"):
            merged, removals = self._state()
            if removals != self._recent.removals:
                self._recent.update(merged, [])
                self._recent.keep_only([r[0] for r in self._db.execute("SELECT seq FROM articles WHERE seq > ?",
                                                                       (merged,))], removals)
            self._recent.update(merged, self._db.execute("SELECT seq, keys FROM articles WHERE seq > ? ORDER BY seq",
                                                         (max(merged, self._recent.seen),)).fetchall())
            in_bands = self._merged_filter(merged) if merged else None
            asked, recent = [], []
            for keys, cap, full in requests:
                if full is not None:
                    self._sync_full(full, cap, removals)
                    keys = keys[~full.known(keys)]
                recent.append(self._recent.lookup(keys))
                asked.append(keys[in_bands.maybe_held(keys)] if in_bands is not None else keys[:0])
            stored = (self._stored_holders(asked, [cap for _, cap, _ in requests]) if merged
                      else [np.empty(0, np.int64) for _ in asked])
        answers = []
        for (_, cap, full), found, near in zip(requests, stored, recent):
            entries = sorted_unique(np.concatenate([found, near]))
            keys, seqs = entries & ~_OWNER, entries & _OWNER  # by key, then seq (one key's entries share their sign)
            if full is not None and len(keys):
                starts, sizes = groups(keys[1:] != keys[:-1])
                full.add(keys[starts[sizes >= cap]])
            answers.append((keys, seqs))
        return answers

    def _sync_full(self, full: FullKeys, cap: int, removals: int) -> None:
        """Bring ``full`` up to date: emptied after removals, then given the stored keys known
        full (saved at each merge) when they are still valid."""
        if full.removals != removals or cap not in self._full:
            full.sync(removals)
            row = self._db.execute("SELECT removals, keys FROM fullkeys WHERE cap = ?", (cap,)).fetchone()
            if row and row[0] == removals:
                full.add(np.frombuffer(row[1], dtype="<i8"))
            self._full[cap] = full

    def _stored_holders(self, asked: list[np.ndarray], caps: list[int]) -> list[np.ndarray]:
        """The merged holders of each request's keys (the first ``cap`` of a key at least), one
        statement for all requests."""
        # A key's first ``cap`` holders, up to its cap-th entry when it has that many: a stock
        # phrase's band key or a common context triple is held by thousands of articles.
        parts, params = [], []
        for n, (keys, cap) in enumerate(zip(asked, caps)):
            if len(keys):
                parts.append(f"SELECT {n}, b.entry FROM json_each(?{len(params) + 1}) AS q JOIN bands AS b ON b.entry "
                             f"BETWEEN q.value AND coalesce((SELECT entry FROM bands WHERE entry BETWEEN q.value AND "
                             f"q.value + {_OWNER} ORDER BY entry LIMIT 1 OFFSET ?{len(params) + 2}), q.value + {_OWNER})")
                params += [json.dumps(keys.tolist()), max(cap, 1) - 1]
        rows = np.array(self._db.execute(" UNION ALL ".join(parts), params).fetchall() if parts else [],
                        dtype=np.int64).reshape(-1, 2)
        return [rows[rows[:, 0] == n, 1] for n in range(len(asked))]

    def _state(self, merging: bool = False) -> tuple[int, ...]:
        """The merge mark and the number of articles ever removed (or replaced); with
        ``merging``, also the last seq of the merge claimed (see :meth:`_claim_merge`)."""
        state = dict(self._db.execute("SELECT name, value FROM state"))
        if merging:
            return state["merged"], state.get("removals", 0), state.get("merging", 0)
        return state["merged"], state.get("removals", 0)

    def _merged(self) -> int:
        return self._db.execute("SELECT value FROM state WHERE name = 'merged'").fetchone()[0]

    def _merged_filter(self, merged: int) -> KeyFilter:
        """The filter of the keys in ``bands`` at merge mark ``merged`` (the recent keys are looked
        up in memory): the one in memory, the one this store's own merge left, or the stored one
        when another writer has merged since."""
        if self._filter is None or self._filter_mark != merged:
            left = self._merged_filter_at
            if left is not None and left[0] == merged:
                self._filter = left[1]  # this store merged them: its merge's filter, their keys and the stored ones
            else:
                stored = KeyFilter()
                try:
                    for start, piece in _filter_pieces(self._db):
                        stored.bits[start : start + len(piece)] = piece
                except ValueError as exc:
                    raise IndexStoreError(f"{self.location}: corrupt index ({exc}); rebuild the index") from exc
                self._filter = stored
            self._filter_mark = merged
            self._merged_filter_at = None
        return self._filter

    def fetch_shingles(self, seqs: list[int]) -> dict[int, np.ndarray]:
        """The stored shingle sets of these articles (see :class:`~dedup.store.NewRow`), by seq."""
        return self._arrays(seqs, "shingles", "<u4")

    def fetch_places(self, seqs: list[int]) -> dict[int, np.ndarray]:
        """The stored context triple places of these articles (see :class:`~dedup.store.NewRow`), by seq."""
        return self._arrays(seqs, "places", "<i8")

    def _arrays(self, seqs: list[int], column: str, dtype: str) -> dict[int, np.ndarray]:
        """One array column (``shingles`` or ``places``) of these articles, by seq."""
        if not seqs:
            return {}
        with self._errors("read"):
            rows = self._db.execute(f"SELECT seq, {column} FROM articles WHERE seq IN "
                                    "(SELECT value FROM json_each(?))", (json.dumps(list(seqs)),)).fetchall()
        return {seq: np.frombuffer(blob, dtype=dtype) for seq, blob in rows}

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

    def write(self, rows: list[NewRow], on_conflict: str, cap: int, sorted_keys: np.ndarray | None = None) -> list[str]:
        """Write articles (ids unique within ``rows``); outcome per row: added, replaced or skipped.
        All holders of a key are kept, whatever ``cap``. ``sorted_keys``, when given, are all the
        rows' keys, each with its row's number in ``rows`` in its low bits, sorted: this store
        then adds them to its recent keys once the write commits, instead of reading the rows
        back and sorting their keys again (32 ms per 1,000 articles)."""
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
            self._db.executemany("INSERT INTO articles (id, text, meta, keys, shingles, places) VALUES (?, ?, ?, ?, ?, ?)",
                                 [(r.id, r.text, r.meta, r.keys.astype("<i8").tobytes(),
                                   r.shingles.astype("<u4").tobytes(), r.places.astype("<i8").tobytes())
                                  for r in keep])
            last = self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
            if last > _OWNER:
                raise IndexStoreError(f"{self.location}: the index has given out {_OWNER:,} article numbers (adds "
                                      "and replacements), its limit; build a new index")
            self._claim_merge(last)
            self._unchecked += len(keep)
            if sorted_keys is not None and keep:  # the rows' seqs are consecutive: this write holds the lock
                seq_of = np.full(len(rows), -1, dtype=np.int64)
                written = [n for n in range(len(rows)) if outcomes[n] != "skipped"]
                seq_of[written] = np.arange(last - len(keep) + 1, last + 1)
                seqs = seq_of[sorted_keys & _OWNER]
                self._written = (last - len(keep) + 1, last, (sorted_keys & ~_OWNER)[seqs > 0] | seqs[seqs > 0])
        return outcomes

    def version(self) -> tuple[int, int]:
        """What changes whenever any writer adds or removes an article: the last seq given out
        and the number of removals (a merge changes neither)."""
        with self._errors("read"):
            return self._db.execute("SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'articles'), "
                                    "(SELECT value FROM state WHERE name = 'removals')").fetchone()

    # -- merging -------------------------------------------------------------------------------
    def _claim_merge(self, last: int) -> None:
        """In a write transaction that stored articles up to ``last``: claim the merge of the
        recent keys once :data:`MERGE_AT` articles are recent and no merge is under way (it starts
        after the commit, see :meth:`_after_commit`). A claim whose merge is not running here and
        that has fallen :data:`MERGE_AT` articles behind (its process died, or failed) is taken over."""
        merged, _, merging = self._state(merging=True)
        if last - merged < MERGE_AT:
            return  # fewer recent articles than seqs given out since the mark (counting them took 22 ms at 8,000)
        if merging > merged and self.merging and last - merged < 2 * MERGE_AT:
            return  # this store's merge is under way, and adding does not outpace it (see below)
        recent = self._db.execute("SELECT count(*) FROM articles WHERE seq > ?", (merged,)).fetchone()[0]
        if recent < MERGE_AT:
            return
        running = self.merging
        stale = not running and (merging == self._claimed or recent >= 2 * MERGE_AT)
        if merging <= merged or stale:
            self._db.execute("INSERT INTO state VALUES ('merging', ?) ON CONFLICT (name) DO UPDATE SET value = ?",
                             (last, last))
            self._due = (merged, last)
        elif running and recent >= 2 * MERGE_AT:
            self._due = "wait"  # adding outpaces merging: let this process's merge finish first

    def _after_commit(self) -> None:
        written, self._written = self._written, None
        if written is not None and self._recent.seen == written[0] - 1:  # no other writer's rows between
            self._recent.add(written[2], written[1])
        if self._unchecked >= _CHECKPOINT_ROWS and not self.checkpointing:
            self._unchecked = 0
            self._checkpointer = threading.Thread(target=self._checkpoint, name="dedup-checkpoint")
            self._checkpointer.start()
        due, self._due = self._due, None
        if due == "wait":
            self.finish_merge()
            with self.transaction(), self._errors("write"):  # and claim the next merge now
                self._claim_merge(self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])
        elif due is not None:
            self._start_merge(*due)

    def _start_merge(self, merged: int, last: int) -> None:
        """Merge the keys of articles ``(merged, last]`` into ``bands`` on a thread of its own.

        The keys come from the recent keys in memory (brought up to ``last``), not from the rows'
        blobs: reading those cost a second copy of them and left the process about 100 MB larger.
        The thread writes through its own connection in transactions of :data:`_MERGE_ROWS`
        entries, so that adds (whose write transactions are short, see
        :meth:`dedup.DedupIndex.add_many`) go on between them on the other core; look-ups
        read ``bands`` and the recent keys together, whatever part of them is merged yet.
        """
        self.finish_merge()
        with self.snapshot(), self._errors("read"):
            self._recent.update(self._state()[0], self._db.execute(
                "SELECT seq, keys FROM articles WHERE seq > ? AND seq <= ? ORDER BY seq",
                (max(merged, self._recent.seen), last)).fetchall())
        segments = list(self._recent.segments)
        full = {cap: (keys.removals, keys.keys()) for cap, keys in self._full.items()}
        # The filter of the keys merged up to ``merged``, marked further by the merge in place: the
        # look-ups meanwhile may ask the B-tree for a few keys it does not hold yet (they are
        # recent: found in memory too), and a second filter of 128 MB is not made.
        base = self._filter if self._filter is not None and self._filter_mark == merged else None
        self._claimed = last
        self._merger = threading.Thread(target=self._merge, args=(merged, last, segments, full, base),
                                        name=f"dedup-merge-{last}")
        self._merger.start()

    @property
    def merging(self) -> bool:
        """Whether this store's merge thread is running."""
        return self._merger is not None and self._merger.is_alive()

    def finish_merge(self) -> None:
        """Wait for this store's merge under way, if any (the index is usable meanwhile)."""
        if self._merger is not None:
            self._merger.join()
            self._merger = None

    def _raise_merge_error(self) -> None:
        error, self._merge_error = self._merge_error, None
        if error is not None:
            raise IndexStoreError(f"{self.location}: cannot merge the recent keys: {error}") from error
        error, self._checkpoint_error = self._checkpoint_error, None
        if error is not None:
            raise IndexStoreError(f"{self.location}: cannot copy the write-ahead log into the index: {error}") from error

    @property
    def checkpointing(self) -> bool:
        """Whether this store's checkpoint thread is running."""
        return self._checkpointer is not None and self._checkpointer.is_alive()

    def _checkpoint(self) -> None:
        """The checkpoint thread: copy what the WAL holds into the file, without waiting for
        readers or writers (``PASSIVE``: what a reader still needs is copied by a later one).
        Committed data is safe in the WAL meanwhile; a failure is reported by the next write."""
        try:
            db = _connect(self.location)
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                db.close()
        except Exception as exc:
            self._checkpoint_error = exc

    def _merge(self, merged: int, last: int, segments: list[np.ndarray], full: dict[int, tuple[int, np.ndarray]],
               base: KeyFilter | None = None) -> None:
        """The merge thread: entries into ``bands`` piece by piece (``INSERT OR IGNORE``: a merge
        cut short is simply done again), then in one transaction the entries of articles removed
        meanwhile out again, the key filter, the known full keys and the merge mark."""
        try:
            db = _connect(self.location)
            try:
                marked = base if base is not None else KeyFilter()  # with these keys; the stored one is added in _finish
                batch: list[np.ndarray] = []  # the pieces of one transaction
                for piece in _sorted_pieces(segments, _PIECE_ROWS):
                    piece = piece[((piece & _OWNER) > merged) & ((piece & _OWNER) <= last)]
                    marked.add(piece)
                    batch.append(piece)
                    if sum(map(len, batch)) >= _MERGE_ROWS:
                        _insert(db, batch)
                        batch = []
                _insert(db, batch)
                with _writing(db):
                    if self._finish(db, merged, last, segments, marked, full):
                        self._merged_filter_at = (last, marked)  # the stored filter as of ``last``: the writer's next
            finally:
                db.close()
        except Exception as exc:  # reported by the next write or close (the merge is retried)
            self._merge_error = exc

    @staticmethod
    def _finish(db: sqlite3.Connection, merged: int, last: int, segments: list[np.ndarray], marked: KeyFilter,
                full: dict[int, tuple[int, np.ndarray]]) -> bool:
        """Finish the merge of ``(merged, last]`` (whose entries ``segments`` hold); whether it did
        (another writer may have first), leaving ``marked`` as the stored key filter."""
        stored = np.zeros(last - merged, dtype=bool)  # by seq - merged - 1
        stored[[r[0] - merged - 1 for r in db.execute("SELECT seq FROM articles WHERE seq > ? AND seq <= ?",
                                                      (merged, last))]] = True
        if not stored.all():  # articles removed before or while their entries were being merged
            gone = []
            for run in segments:
                for start in range(0, len(run), _PIECE_ROWS):  # a piece at a time, as they were merged
                    piece = run[start : start + _PIECE_ROWS]
                    piece = piece[((piece & _OWNER) > merged) & ((piece & _OWNER) <= last)]
                    gone.append(piece[~stored[(piece & _OWNER) - merged - 1]])
            if gone:  # (none when no recent keys of the range were read: nothing of theirs was merged)
                gone = np.concatenate(gone)
                db.execute("DELETE FROM bands WHERE entry IN (SELECT value FROM json_each(?))",
                           (json.dumps(gone.tolist()),))
        state = dict(db.execute("SELECT name, value FROM state"))
        if state["merged"] >= last:
            return False  # another writer took the merge over and finished first
        _store_filter(db, marked)
        removals = state.get("removals", 0)
        for cap, (known_at, keys) in full.items():  # the keys known full, with those stored by others
            if known_at == removals:
                row = db.execute("SELECT removals, keys FROM fullkeys WHERE cap = ?", (cap,)).fetchone()
                if row and row[0] == removals:
                    keys = sorted_unique(np.concatenate([keys, np.frombuffer(row[1], dtype="<i8")]))
                db.execute("INSERT OR REPLACE INTO fullkeys VALUES (?, ?, ?)", (cap, removals, keys.astype("<i8").tobytes()))
        db.execute("UPDATE state SET value = ? WHERE name = 'merged'", (last,))
        return True

    def _existing(self, ids: list[str]) -> set[str]:
        rows = self._db.execute("SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                                (json.dumps(ids),))
        return {r[0] for r in rows}

    def _delete(self, article_id: str) -> bool:
        row = self._db.execute("SELECT seq, keys FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return False
        seq, blob = row
        merged, _, merging = self._state(merging=True)
        if seq <= max(merged, merging):  # a merge under way may have put some of its entries in bands
            entries = _entries([np.frombuffer(blob, dtype="<i8")], [seq])
            self._db.executemany("DELETE FROM bands WHERE entry = ?", ((e,) for e in entries.tolist()))
        self._db.execute("DELETE FROM articles WHERE seq = ?", (seq,))
        # Look-ups skip keys known to be full (FullKeys) only while no article has been removed.
        self._db.execute("INSERT INTO state VALUES ('removals', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1")
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
        """Close, after this store's merge under way (so a process that closes its index leaves
        no merge for another to do)."""
        self.finish_merge()
        if self._checkpointer is not None:
            self._checkpointer.join()
        self._db.close()
        self._raise_merge_error()
