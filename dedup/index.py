"""A persistent duplicate index for ingestion pipelines: ``query`` an article, ``add`` it, share it.

The index runs the same stages as :func:`dedup.scan` (normalisation, shingles, signatures, the two
LSH tiers banded with the same thresholds, exact verification, alignment), so a query reports a
pair exactly as a scan of the stored articles followed by the query would, except that the query
article is always side ``a`` (rules that count a key's holders count them in arrival order).
Candidates come from LSH buckets and are therefore approximate (see :mod:`dedup.lsh`); every
reported number is then exact.

Storage (see :mod:`dedup.store`) is one SQLite file (a path; WAL mode, several processes may write
at once) or a Redis server (``redis://host:port/db``; several workers on several machines). Per
article the index keeps its id, text, metadata, LSH band keys, context triples (:mod:`dedup.context`)
and the top 32 bits of its shingle hashes (so that a pair sharing too few shingles to be aligned
is dropped without reading the stored text, see :func:`dedup.buckets.may_pair`); nothing is
pickled.

Rules
-----
- An id added twice: ``on_conflict="replace"`` (the default) replaces the stored article (an
  update, atomic); ``"skip"`` keeps the stored one; ``"error"`` raises :class:`InputError`.
  An article never matches its own id.
- The boilerplate rule (``max_bucket_size``) applies to a bucket as it is when an article
  arrives: once a bucket holds that many articles, a newcomer is compared with its first only.
  A context triple held by :data:`~dedup.context.MAX_HOLDERS` articles pairs no newcomer, so
  the index remembers such full triples and does not look them up again (exactly: a removal
  makes it forget them, see :mod:`dedup.store.fullkeys`).
- Settings that change the stored keys (shingle size, permutations, seed, thresholds, window
  size) are fixed when the index is created; opening it with other values raises
  :class:`ConfigError`. Other settings (``min_passage_words`` ...) may differ per session.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from .arrays import distinct, in_sorted
from .buckets import (arranged, arrivals, bucket_pairs, document_keys, is_triple, may_pair, pair_codes, second_holders,
                      shingle_tops, split_codes, triple_members, triple_places)
from .context import MAX_HOLDERS
from .config import Config, resolve
from .candidates import sorted_unique, tiers
from .detect import Document, compare_documents, prepare_many, too_short, unusable
from .exceptions import ConfigError, IndexStoreError, InputError
from .io import to_article
from .models import METADATA_FIELDS, Article, Pair, Passage, Skipped
from .signature import SCHEME
from .store import FORMAT_VERSION, NewRow, open_store
from .store.fullkeys import FullKeys

__all__ = ["AddManyResult", "DedupIndex", "Match"]

ON_CONFLICT = ("replace", "skip", "error")
KEY_SETTINGS = ("shingle_size", "num_perm", "seed", "threshold", "passage_bands", "passage_rows", "window_size")


@dataclass(frozen=True, kw_only=True)
class Match:
    """A stored article that shares text with the query (the query is side ``a``).

    ``article`` is the stored article (text and metadata); ``passages`` give offsets into the
    query's text (``a_start``/``a_end``) and the stored text (``b_start``/``b_end``).
    """

    id: str
    kind: str
    jaccard: float
    containment_a: float
    containment_b: float
    coverage_a: float
    coverage_b: float
    passages: tuple[Passage, ...]
    article: Article

    def to_dict(self) -> dict[str, Any]:
        """The JSON record (without the stored text)."""
        return {"id": self.id, "kind": self.kind, "jaccard": self.jaccard, "containment_a": self.containment_a,
                "containment_b": self.containment_b, "coverage_a": self.coverage_a, "coverage_b": self.coverage_b,
                "passages": [p.to_dict() for p in self.passages]}


@dataclass(frozen=True, kw_only=True)
class AddManyResult:
    """What :meth:`DedupIndex.add_many` did: counts, what it skipped and why, and the matches
    (by article id, only articles that matched something)."""

    added: int = 0
    replaced: int = 0
    kept: int = 0  # ids already stored, left as they were (on_conflict="skip")
    skipped: tuple[Skipped, ...] = ()
    matches: dict[str, tuple[Match, ...]] = field(default_factory=dict)


def index_settings(config: Config) -> dict[str, Any]:
    """What an index records at creation: the settings its stored keys depend on, and the rest."""
    return {"format_version": FORMAT_VERSION, "scheme": SCHEME,
            **{name: getattr(config, name) for name in KEY_SETTINGS},
            "document_bands": [tiers(config)[0].bands, tiers(config)[0].rows],
            "passage_bands": [tiers(config)[1].bands, tiers(config)[1].rows],
            "config": config.to_dict()}


def _session_config(stored: dict[str, Any], location: str, config: Config | None, overrides: dict) -> Config:
    known = {k: v for k, v in stored.get("config", {}).items() if k in Config.__dataclass_fields__}
    chosen = resolve(config if config is not None else Config(**known), **overrides)
    wanted = index_settings(chosen)
    differ = [k for k in ("format_version", "scheme", *KEY_SETTINGS) if stored.get(k) != wanted[k]]
    if differ:
        raise ConfigError(
            f"{location} was built with {', '.join(f'{k}={stored.get(k)!r}' for k in differ)}; you asked for "
            f"{', '.join(f'{k}={wanted[k]!r}' for k in differ)}. Open it without these settings (its own are "
            "used) or build a new index")
    return chosen


def _documents(records: list[Any], config: Config) -> list[Document | Skipped]:
    """Articles ready for the index (tokenised together), or why each cannot be indexed (as
    :func:`dedup.scan` skips it), in input order."""
    out: list[Any] = [r if isinstance(r, Skipped) else to_article(r, config) for r in records]
    for i, article in enumerate(out):
        problem = None if isinstance(article, Skipped) else unusable(article, config)
        if problem:
            out[i] = Skipped(id=article.id, source=article.origin, code=problem[0], reason=problem[1])
    ready = [i for i, a in enumerate(out) if not isinstance(a, Skipped)]
    for i, document in zip(ready, prepare_many([out[i] for i in ready], config)):
        out[i] = document if len(document.shingles) else too_short(document.article, len(document.tokens), config)
    return out


def _to_article(article_id: str, text: str, meta: str) -> Article:
    return Article(id=article_id, text=text, **json.loads(meta))


def _meta(article: Article) -> str:
    return json.dumps({k: getattr(article, k) for k in METADATA_FIELDS if getattr(article, k) is not None},
                      ensure_ascii=False, sort_keys=True)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class DedupIndex:
    """A persistent index of articles, answering "have we seen this, or part of it, before?".

    Parameters
    ----------
    location : str or path
        A file path (an SQLite file, created if missing) or ``redis://host:port/db``.
    config : Config, optional
        Settings for a new index. For an existing one, omit it to use the stored settings;
        settings that differ from the stored ones in what the stored keys depend on raise
        :class:`~dedup.exceptions.ConfigError`.
    create : bool, default True
        Create the index if it does not exist (else raise :class:`IndexStoreError`).
    **overrides
        Any :class:`Config` field.

    Not thread-safe: open one ``DedupIndex`` per thread or process (they may share the store).

    Examples
    --------
    >>> import tempfile, os
    >>> wire = "The central bank raised its main interest rate by half a point on Tuesday, citing inflation."
    >>> folder = tempfile.TemporaryDirectory()
    >>> with DedupIndex(os.path.join(folder.name, "news.db")) as index:
    ...     index.add({"id": "wire", "text": wire})
    ...     rewrite = "Markets fell sharply in early trading. " + wire + " Analysts had expected the move."
    ...     [(m.id, m.kind) for m in index.add({"id": "rewrite", "text": rewrite})]
    ...     len(index)
    []
    [('wire', 'partial')]
    2
    >>> folder.cleanup()
    """

    def __init__(self, location: Any, config: Config | None = None, *, create: bool = True, **overrides: Any) -> None:
        self.location = str(location)
        self._store = open_store(self.location, create=create)
        self._full_triples = FullKeys()  # triples known to hold MAX_HOLDERS articles (see dedup.store.fullkeys)
        self._filling = np.empty(0, np.int64)  # the triples the articles being added make full
        try:
            stored = self._store.read_settings()
            if stored is None:
                if not create:
                    raise IndexStoreError(f"{self.location}: no dedup index here; add articles to create one")
                stored = self._store.create(index_settings(resolve(config, **overrides)))
            self.config = _session_config(stored, self.location, config, overrides)
            self.settings = stored
        except BaseException:
            self._store.close()
            raise

    # -- reading -------------------------------------------------------------------------------
    def query(self, article: Any) -> list[Match]:
        """The stored articles sharing text with ``article``, best first (Jaccard, then coverage).

        An article shorter than the shingle size matches nothing (``[]``); an article without
        usable text raises :class:`InputError`.
        """
        document = self._prepare_one(article)
        if isinstance(document, Skipped):
            return []
        keys, tops, places = document_keys([document], self.config), [shingle_tops(document)], [triple_places(document)]
        with self._store.snapshot():  # the stored articles of one moment, while others write
            return self._match([document], keys, tops, places)[0]

    def get(self, article_id: str) -> Article | None:
        """The stored article with this id, or ``None``."""
        row = self._store.get(str(article_id))
        return _to_article(row.id, row.text, row.meta) if row else None

    def __len__(self) -> int:
        return self._store.count()

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._store.contains(article_id)

    def stats(self) -> dict[str, Any]:
        """The location, the number of articles and the settings recorded at creation."""
        return {"location": self.location, "backend": type(self._store).__name__.removesuffix("Store").lower(),
                "articles": len(self), "settings": self.settings}

    # -- writing -------------------------------------------------------------------------------
    def add(self, article: Any, *, on_conflict: str = "replace") -> list[Match]:
        """Query ``article``, then store it (atomically); returns the matches found before storing.

        Raises :class:`InputError` for an article that cannot be indexed (empty, too short, too
        long, no id), or with ``on_conflict="error"`` when its id is already stored.
        """
        document = self._prepare_one(article)
        if isinstance(document, Skipped):
            raise InputError(document.reason, source=document.source or document.id, line=document.line)
        result = self._add_chunk([document], on_conflict)
        return list(result.matches.get(document.id, ()))

    def add_many(self, articles: Iterable[Any], *, on_conflict: str = "replace", chunk_size: int = 1000) -> AddManyResult:
        """Add many articles, as if by :meth:`add` one after the other, one transaction per chunk.

        A chunk is matched against the stored articles before its write transaction, which is
        then short (other writers, and the SQLite store's merge thread, go on meanwhile); if
        another writer added or removed articles in between, it is matched again inside it.

        Articles that cannot be indexed (and :class:`Skipped` records from
        :func:`dedup.read_paths`) are returned in ``skipped``, never lost silently.
        """
        _check_conflict(on_conflict)
        total: dict[str, Any] = {"added": 0, "replaced": 0, "kept": 0, "skipped": [], "matches": {}}
        for chunk in _chunks(articles, chunk_size):
            documents = []
            for prepared in _documents(chunk, self.config):
                (total["skipped"] if isinstance(prepared, Skipped) else documents).append(prepared)
            if self.config.strict and total["skipped"]:
                first = total["skipped"][0]
                raise InputError(first.reason, source=first.source or first.id, line=first.line)
            result = self._add_chunk(documents, on_conflict)
            for name in ("added", "replaced", "kept"):
                total[name] += getattr(result, name)
            total["matches"].update(result.matches)
        return AddManyResult(added=total["added"], replaced=total["replaced"], kept=total["kept"],
                             skipped=tuple(total["skipped"]), matches=total["matches"])

    def remove(self, article_id: str) -> bool:
        """Remove an article (atomically); ``False`` if it was not there."""
        return self._store.remove(str(article_id))

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> DedupIndex:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DedupIndex({self.location!r})"

    # -- the stages ----------------------------------------------------------------------------
    def _prepare_one(self, article: Any) -> Document | Skipped:
        (document,) = _documents([article], self.config)
        if isinstance(document, Skipped) and document.code != "too-short":
            raise InputError(document.reason, source=document.source or document.id, line=document.line)
        return document

    def _add_chunk(self, documents: list[Document], on_conflict: str) -> AddManyResult:
        _check_conflict(on_conflict)
        documents, dropped = _unique_ids(documents, on_conflict)
        keylists = document_keys(documents, self.config) if documents else []
        tops = [shingle_tops(d) for d in documents]
        places = [triple_places(d) for d in documents]
        # Matched before the write transaction, so that other writers (and the store's merge)
        # go on meanwhile; matched again inside it only if another writer added or removed
        # articles in between, so each add still answers as if the adds ran one after another
        # (the pairs aligned the first time are not aligned again: stored rows never change).
        self._filling = np.empty(0, np.int64)
        aligned: dict[tuple[int, int, bool], Pair | None] = {}
        kinds = _by_kind(keylists)
        with self._store.snapshot():
            seen = self._store.version()  # None: the store has no write transaction to keep short
            matches = self._match(documents, keylists, tops, places, aligned, kinds) if seen is not None else None
        with self._store.transaction():
            if matches is None or self._store.version() != seen:
                matches = self._match(documents, keylists, tops, places, aligned, kinds)
            # All keys sorted with their article's number: band keys (passage tier negative, then
            # document tier) are below every triple, so the two kinds' sorted keys follow each other.
            (band_keys, band_owner), (triple_keys, triple_owner) = kinds[2:]
            outcomes = self._store.write([NewRow(d.id, d.article.text, _meta(d.article), k, t, p)
                                          for d, k, t, p in zip(documents, keylists, tops, places)], on_conflict,
                                         self._holders_needed, np.concatenate([band_keys | band_owner,
                                                                               triple_keys | triple_owner]))
            if "skipped" not in outcomes:
                self._full_triples.add(self._filling)  # (a replacement removed articles: they are forgotten)
        return AddManyResult(added=outcomes.count("added"),
                             replaced=outcomes.count("replaced") + (dropped if on_conflict == "replace" else 0),
                             kept=outcomes.count("skipped") + (dropped if on_conflict == "skip" else 0),
                             matches={d.id: tuple(m) for d, m in zip(documents, matches) if m})

    def _match(self, documents: list[Document], keylists: list[np.ndarray], tops: list[np.ndarray],
               places: list[np.ndarray], aligned: dict[tuple[int, int, bool], Pair | None] | None = None,
               kinds: tuple | None = None) -> list[list[Match]]:
        """The matches of each new article; ``aligned`` keeps the pairs compared, by ``(new
        article, member, triples together)``, and gives those compared already."""
        if not documents:
            return []
        aligned = {} if aligned is None else aligned
        jobs = self._candidates(documents, keylists, tops, places, kinds)
        rows = self._store.fetch(sorted({m for _, m, _ in jobs if m > 0}))  # a row removed since is missing
        stored = {row.seq: _to_article(row.id, row.text, row.meta) for row in rows}
        pairs = []  # (job, other article) in the order matches are reported
        for job in jobs:
            j, member, _ = job
            other = documents[-member - 1].article if member < 0 else stored.get(member)
            if other is not None and other.id != documents[j].id:
                pairs.append((job, other))
        todo = [(job, other) for job, other in pairs if job not in aligned]
        aligned.update(zip((job for job, _ in todo),
                           self._compare([(documents[job[0]], other, job[2]) for job, other in todo], documents)))
        results: list[list[Match]] = [[] for _ in documents]
        for (j, member, reworded), other in pairs:
            pair = aligned[j, member, reworded]
            if pair is not None:
                results[j].append(Match(id=other.id, kind=pair.kind, jaccard=pair.jaccard,
                                        containment_a=pair.containment_a, containment_b=pair.containment_b,
                                        coverage_a=pair.coverage_a, coverage_b=pair.coverage_b,
                                        passages=pair.passages, article=other))
        for found in results:
            found.sort(key=lambda m: (-m.jaccard, -m.coverage_a, -m.coverage_b, m.id))
        return results

    @property
    def _holders_needed(self) -> int:
        """How many first holders of a key the pairing rules look at: a band key's bucket counts up
        to ``max_bucket_size``, a context triple up to :data:`~dedup.context.MAX_HOLDERS`."""
        return max(self.config.max_bucket_size, MAX_HOLDERS)

    def _candidates(self, documents: list[Document], keylists: list[np.ndarray], tops: list[np.ndarray],
                    places: list[np.ndarray], kinds: tuple | None = None) -> list[tuple[int, int, bool]]:
        """``(new article, member, triples together)`` from shared buckets or shared context
        triples, or one shared bucket and a triple the two are the first holders of (the rules of
        a scan): every pair whose shared triples stand together, the others where
        :func:`may_pair` keeps them. ``kinds``: :func:`_by_kind` of ``keylists``, when the caller has it."""
        bands, _, band_order, (triple_order, triple_owner) = kinds or _by_kind(keylists)
        # A band key's first max_bucket_size holders and a triple's first MAX_HOLDERS are all their
        # rules look at; a triple held that often pairs no newcomer, so one known to be is not
        # looked up, and is dropped from the new articles' triples (their pairs among themselves
        # through it would not count either).
        (band_keys, band_seqs), (triple_keys, triple_seqs) = self._store.lookup_many(
            [(distinct(band_order[0]), self.config.max_bucket_size, None),
             (distinct(triple_order), MAX_HOLDERS, self._full_triples)])
        counted = ~self._full_triples.known(triple_order)  # (with those the look-up found full)
        arrived = arrivals([], triple_keys, (triple_order[counted], triple_owner[counted]))
        # Once these articles are stored, triples held often enough are full too.
        keys, _, starts, _, stored, _, _ = arrived
        self._filling = keys[starts][stored + np.diff(np.r_[starts, len(keys)]) >= MAX_HOLDERS]
        by_buckets, short = bucket_pairs(bands, band_keys, band_seqs, self.config.max_bucket_size,
                                          self.config.passage_min_buckets, band_order)
        # A pair sharing too few buckets counts when it holds a triple nobody held before it.
        seconds = second_holders([], triple_keys, triple_seqs, arrived)
        by_first_holders = short[in_sorted(short, seconds)]
        by_triples, by_triples_member, close = triple_members([], places, triple_keys, triple_seqs,
                                                              self._store.fetch_places, arrived=arrived)
        found = pair_codes(by_triples, by_triples_member)
        codes = sorted_unique(np.concatenate([by_buckets, by_first_holders, found]))
        flags = np.isin(codes, found[close], assume_unique=True).tolist()
        article, member = split_codes(codes)
        stored_tops = self._store.fetch_shingles(np.unique(member[member > 0]).tolist())
        jobs = []
        for j, m, flag in zip(article.tolist(), member.tolist(), flags):
            other_tops = tops[-m - 1] if m < 0 else stored_tops.get(m)
            if other_tops is not None and (flag or may_pair(documents[j], tops[j], other_tops)):
                jobs.append((j, m, flag))
        return jobs

    def _compare(self, pairs: list[tuple[Document, Article, bool]], documents: list[Document]) -> list[Pair | None]:
        """Verify and align pairs (new article first, then whether their shared context triples
        stand together). ``documents`` are the new articles, already tokenised; stored articles are
        tokenised here, once each.

        All in this process: measured at 40,000 articles on 2 shared cores, aligning in worker
        processes cost 16-40% more CPU per article (sending articles, caches per process) and
        was slower; tokenising the next chunk in a worker meanwhile gained nothing.
        """
        known = {id(d.article): d for d in documents}
        missing = list({id(b): b for _, b, _ in pairs if id(b) not in known}.values())
        known.update(zip(map(id, missing), prepare_many(missing, self.config)))
        return [compare_documents(a, known[id(b)], self.config, keep_order=True, reworded=reworded)
                for a, b, reworded in pairs]


def _by_kind(keylists: list[np.ndarray]) -> tuple:
    """Each article's band keys and its context triples, and each kind :func:`arranged` (sorted
    by key, then article): ``(bands, triples, band_order, triple_order)``."""
    triple = [is_triple(k) for k in keylists]
    bands, triples = [k[~t] for k, t in zip(keylists, triple)], [k[t] for k, t in zip(keylists, triple)]
    return bands, triples, arranged(bands), arranged(triples)


def _check_conflict(on_conflict: str) -> None:
    if on_conflict not in ON_CONFLICT:
        raise ConfigError(f"on_conflict must be one of {', '.join(ON_CONFLICT)}, got {on_conflict!r}")


def _unique_ids(documents: list[Document], on_conflict: str) -> tuple[list[Document], int]:
    """One document per id, as adding them one by one would leave it; and how many were dropped."""
    chosen: dict[str, Document] = {}
    for document in documents:
        if document.id in chosen:
            if on_conflict == "error":
                raise InputError(f"id {document.id!r} appears twice in one batch (on_conflict='error')",
                                 source=document.article.origin)
            if on_conflict == "skip":
                continue
            del chosen[document.id]
        chosen[document.id] = document
    return list(chosen.values()), len(documents) - len(chosen)
