"""The shared backend: a Redis server, for several workers on several machines.

Keys (``P`` is the prefix ``dedup:``; nothing is pickled, values are plain strings and bytes)::

    P meta               hash: format, version, settings (JSON)
    P next               counter: the last seq given out
    P ids                hash: article id -> seq
    P doc:<seq>          hash: id, text, meta (JSON), keys (little-endian int64 band keys),
                         shingles (little-endian uint32), places (little-endian int64; both
                         see dedup.store.NewRow)
    P b:<3 bytes>        hash: band key (8 bytes) -> the first seqs holding it (at most
                         max_bucket_size of them), 12-digit decimals in add order
    P o:<band key>       string: the later seqs holding the key, once the field above is full
    P removals           counter: articles removed or replaced so far (see dedup.store.fullkeys)

Band keys are grouped into 2^21 bucket hashes so that small hashes stay compact in Redis' memory.
Each article is added or removed by one Lua script, which Redis runs atomically: an article and
its band keys appear together, and two workers adding the same id cannot both win.
"""

from __future__ import annotations

import json
from contextlib import contextmanager, nullcontext

import numpy as np

from ..exceptions import IndexStoreError, InputError
from . import FORMAT, FORMAT_VERSION, NewRow, StoredRow
from .fullkeys import FullKeys

__all__ = ["RedisStore"]

PREFIX = "dedup:"
_PIPELINE = 64  # scripts sent per round trip

# A bucket's holders: the earliest in its hash field (``b:``), at most as many as the boilerplate
# rule reads (``max_bucket_size``, the ``cap`` of the scripts), the later ones appended to a
# string of its own (``o:`` and the 8-byte key), which a look-up reads only while the field holds
# fewer than ``cap``. Appending to a full bucket therefore no longer copies and re-hashes its whole
# list, and look-ups no longer return it. The field always holds the smallest seqs of the bucket,
# both parts in add order: an add goes to the overflow once it exists, and a removal from the field
# moves the overflow's first seq into it.
_BUCKET = """
local function bucket(p, k)
  return p .. 'b:' .. string.sub(k, 8, 8) .. string.sub(k, 7, 7) .. string.char(math.floor(string.byte(k, 6) / 8))
end
local function without(v, tag)
  local parts = {}
  for j = 1, #v, 12 do
    local s = string.sub(v, j, j + 11)
    if s ~= tag then parts[#parts + 1] = s end
  end
  return table.concat(parts)
end
"""

_REMOVE = _BUCKET + """
local function remove(p, id)
  local seq = redis.call('HGET', p .. 'ids', id)
  if not seq then return 0 end
  local doc = p .. 'doc:' .. seq
  local keys = redis.call('HGET', doc, 'keys')
  local tag = string.format('%012d', tonumber(seq))
  for i = 1, #keys, 8 do
    local k = string.sub(keys, i, i + 7)
    local b, over = bucket(p, k), p .. 'o:' .. k
    local v = redis.call('HGET', b, k)
    if v then
      local kept = without(v, tag)
      local spill = redis.call('GET', over)
      if spill then
        if #kept < #v then
          kept = kept .. string.sub(spill, 1, 12)
          spill = string.sub(spill, 13)
        else
          spill = without(spill, tag)
        end
        if #spill == 0 then redis.call('DEL', over) else redis.call('SET', over, spill) end
      end
      if #kept == 0 then redis.call('HDEL', b, k) else redis.call('HSET', b, k, kept) end
    end
  end
  redis.call('DEL', doc)
  redis.call('HDEL', p .. 'ids', id)
  redis.call('INCR', p .. 'removals')
  return 1
end
"""

ADD = _REMOVE + """
local p, id, mode, keys, cap = ARGV[1], ARGV[2], ARGV[3], ARGV[6], tonumber(ARGV[8]) * 12
local outcome = 'added'
if redis.call('HEXISTS', p .. 'ids', id) == 1 then
  if mode == 'skip' then return 'skipped' end
  if mode == 'error' then return 'exists' end
  remove(p, id)
  outcome = 'replaced'
end
local seq = redis.call('INCR', p .. 'next')
local tag = string.format('%012d', seq)
for i = 1, #keys, 8 do
  local k = string.sub(keys, i, i + 7)
  local b = bucket(p, k)
  if redis.call('HSETNX', b, k, tag) == 0 then  -- one call for a new key, as nearly all are
    if redis.call('HSTRLEN', b, k) < cap and redis.call('EXISTS', p .. 'o:' .. k) == 0 then
      redis.call('HSET', b, k, redis.call('HGET', b, k) .. tag)
    else
      redis.call('APPEND', p .. 'o:' .. k, tag)
    end
  end
end
redis.call('HSET', p .. 'doc:' .. seq, 'id', id, 'text', ARGV[4], 'meta', ARGV[5], 'keys', keys, 'shingles', ARGV[7], 'places', ARGV[9])
redis.call('HSET', p .. 'ids', id, seq)
return outcome
"""

REMOVE = _REMOVE + "return remove(ARGV[1], ARGV[2])"

# Only the keys held come back (as their position and holders): nearly all keys of a new article
# are held by no one, and a reply of one empty value per key cost more to read than the look-up.
# One call answers several requests (ARGV: prefix, then keys and cap of each), after the number
# of removals (see dedup.store.fullkeys).
LOOKUP = _BUCKET + """
local p, reply = ARGV[1], {tonumber(redis.call('GET', ARGV[1] .. 'removals') or '0')}
for r = 2, #ARGV, 2 do
  local keys, cap, out = ARGV[r], tonumber(ARGV[r + 1]) * 12, {}
  for i = 1, #keys, 8 do
    local k = string.sub(keys, i, i + 7)
    local v = redis.call('HGET', bucket(p, k), k)
    if v then
      if #v < cap then v = v .. (redis.call('GET', p .. 'o:' .. k) or '') end
      out[#out + 1] = (i - 1) / 8
      out[#out + 1] = v
    end
  end
  reply[#reply + 1] = out
end
return reply
"""

CREATE = """
local meta = ARGV[1] .. 'meta'
if redis.call('HEXISTS', meta, 'settings') == 0 then
  redis.call('HSET', meta, 'format', ARGV[2], 'version', ARGV[3], 'settings', ARGV[4])
end
"""


class RedisStore:
    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - redis is in the test extra
            raise IndexStoreError(f"{url}: the redis package is needed: pip install 'dedup[redis]'") from exc
        self._redis_errors = (redis.exceptions.RedisError, OSError)
        self.location = url
        try:
            self._r = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=5,
                                           health_check_interval=0)
        except ValueError as exc:
            raise IndexStoreError(f"{url}: not a usable Redis URL: {exc}") from exc
        with self._errors("connect to"):
            self._r.ping()
            self._add, self._remove, self._lookup, self._create = (
                self._r.register_script(s) for s in (ADD, REMOVE, LOOKUP, CREATE))

    @contextmanager
    def _errors(self, doing: str):
        try:
            yield
        except self._redis_errors as exc:
            raise IndexStoreError(f"{self.location}: cannot {doing} Redis: {exc}") from exc

    def transaction(self):
        return nullcontext()  # each article is its own atomic Lua script

    def snapshot(self):
        return nullcontext()  # reads are not grouped

    def version(self) -> None:
        """``None``: workers match and write without a shared write lock (see the module's notes)."""
        return None

    def read_settings(self) -> dict | None:
        with self._errors("read from"):
            meta = self._r.hgetall(PREFIX + "meta")
        if not meta:
            if self._r.exists(PREFIX + "ids"):
                raise IndexStoreError(f"{self.location}: holds dedup keys but no settings; not a usable index")
            return None
        if meta.get(b"format") != FORMAT.encode() or b"settings" not in meta:
            raise IndexStoreError(f"{self.location}: {PREFIX}meta is not a dedup index")
        if int(meta.get(b"version", 0)) != FORMAT_VERSION:
            raise IndexStoreError(f"{self.location}: index format version {meta.get(b'version')!r}, this dedup "
                                  f"reads version {FORMAT_VERSION}; rebuild the index")
        return json.loads(meta[b"settings"])

    def create(self, settings: dict) -> dict:
        with self._errors("write to"):
            # One script writes every field or none, so a worker racing to create the same index
            # never sees the settings without the format (the first writer wins).
            self._create(args=[PREFIX, FORMAT, FORMAT_VERSION, json.dumps(settings, sort_keys=True)])
        return self.read_settings() or settings

    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        """Who holds each key: all holders, or at least the first ``cap`` of a bucket holding more."""
        return self.lookup_many([(keys, cap, None)])[0]

    def lookup_many(self, requests: list[tuple[np.ndarray, int, FullKeys | None]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`lookup` of several ``(keys, cap, full)`` requests in one round trip; keys that
        ``full`` knows to hold ``cap`` or more articles are skipped (see
        :class:`~dedup.store.fullkeys.FullKeys`), those found so are added to it."""
        if not any(len(keys) for keys, _, _ in requests):
            return [(np.empty(0, np.int64), np.empty(0, np.int64)) for _ in requests]
        asked = [keys[~full.known(keys)] if full is not None else keys for keys, _, full in requests]
        with self._errors("read from"):
            reply = self._lookup(args=[PREFIX, *[a for keys, (_, cap, _) in zip(asked, requests)
                                                 for a in (keys.astype("<i8").tobytes(), cap)]])
        removals, answers = int(reply[0]), []
        for keys, (every, cap, full), out in zip(asked, requests, reply[1:]):
            if full is not None and full.removals != removals:
                full.sync(removals)
                if len(keys) < len(every):  # skipped keys may be full no longer: ask again
                    return self.lookup_many(requests)
            held, values = np.array(out[0::2], dtype=np.int64), out[1::2]
            lengths = np.array([len(v) // 12 for v in values], dtype=np.int64)
            seqs = np.frombuffer(b"".join(values), dtype="S12").astype(np.int64) if lengths.sum() else np.empty(0, np.int64)
            if full is not None:
                full.add(keys[held[lengths >= cap]])
            answers.append((np.repeat(keys.astype(np.int64)[held], lengths), seqs))
        return answers

    def fetch_shingles(self, seqs: list[int]) -> dict[int, np.ndarray]:
        return self._arrays(seqs, "shingles", "<u4")

    def fetch_places(self, seqs: list[int]) -> dict[int, np.ndarray]:
        return self._arrays(seqs, "places", "<i8")

    def _arrays(self, seqs: list[int], field: str, dtype: str) -> dict[int, np.ndarray]:
        """One array field (``shingles`` or ``places``) of these articles, by seq."""
        with self._errors("read from"):
            pipe = self._r.pipeline(transaction=False)
            for seq in seqs:
                pipe.hget(f"{PREFIX}doc:{seq}", field)
            blobs = pipe.execute()
        return {seq: np.frombuffer(blob, dtype=dtype) for seq, blob in zip(seqs, blobs) if blob is not None}

    def fetch(self, seqs: list[int]) -> list[StoredRow]:
        with self._errors("read from"):
            pipe = self._r.pipeline(transaction=False)
            for seq in seqs:
                pipe.hmget(f"{PREFIX}doc:{seq}", "id", "text", "meta")
            rows = pipe.execute()
        return [StoredRow(seq, i.decode(), t.decode(), m.decode()) for seq, (i, t, m) in zip(seqs, rows) if i is not None]

    def get(self, article_id: str) -> StoredRow | None:
        with self._errors("read from"):
            seq = self._r.hget(PREFIX + "ids", article_id)
        rows = self.fetch([int(seq)]) if seq is not None else []
        return rows[0] if rows else None

    def write(self, rows: list[NewRow], on_conflict: str, cap: int, sorted_keys: np.ndarray | None = None) -> list[str]:
        """Write articles; a bucket's field keeps ``cap`` holders, later ones go to its overflow.
        (``sorted_keys`` serve a store that keeps recent keys in memory: see the SQLite store.)"""
        outcomes: list[str] = []
        with self._errors("write to"):
            for first in range(0, len(rows), _PIPELINE):
                pipe = self._r.pipeline(transaction=False)
                for row in rows[first : first + _PIPELINE]:
                    self._add(args=[PREFIX, row.id, on_conflict, row.text, row.meta, row.keys.astype("<i8").tobytes(),
                                    row.shingles.astype("<u4").tobytes(), cap, row.places.astype("<i8").tobytes()],
                          client=pipe)
                batch = rows[first : first + _PIPELINE]
                outcomes.extend(o.decode() for o in pipe.execute())
                refused = [row.id for row, o in zip(batch, outcomes[first:]) if o == "exists"]
                if refused:
                    written = sum(o != "exists" for o in outcomes)
                    raise InputError(f"id(s) {', '.join(map(repr, refused))} already in the index (on_conflict="
                                     f"'error'); not written. {written} other article(s) of this batch were written")
        return outcomes

    def remove(self, article_id: str) -> bool:
        with self._errors("write to"):
            return bool(self._remove(args=[PREFIX, article_id]))

    def count(self) -> int:
        with self._errors("read from"):
            return int(self._r.hlen(PREFIX + "ids"))

    def contains(self, article_id: str) -> bool:
        with self._errors("read from"):
            return bool(self._r.hexists(PREFIX + "ids", article_id))

    def close(self) -> None:
        self._r.close()
