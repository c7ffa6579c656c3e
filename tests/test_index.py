"""DedupIndex on its embedded SQLite store: same answers as scan, settings, conflicts, crashes, concurrency."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import ConfigError, DedupIndex, IndexStoreError, InputError, Skipped, scan
from dedup.buckets import document_keys, shingle_tops, triple_places
from dedup.index import _documents
from dedup.store import FORMAT_VERSION

ROOT = Path(__file__).resolve().parent.parent
_WORDS = ("the minister said on tuesday that talks with north korea would resume next week after "
          "officials from both sides met in seoul to discuss sanctions trade and security markets "
          "fell as investors weighed the outlook for interest rates while the central bank kept "
          "its policy unchanged analysts expected growth to slow in the second half of the year").split()


def make_corpus(n: int, seed: int = 7) -> list[dict]:
    """Deterministic articles; about a third reuse paragraphs of an earlier one (some whole, some edited)."""
    rng = np.random.default_rng(seed)
    articles: list[dict] = []
    for i in range(n):
        paragraphs = [" ".join(rng.choice(_WORDS, size=int(rng.integers(25, 45)))) + "." for _ in range(4)]
        if articles and rng.random() < 0.35:
            source = articles[int(rng.integers(len(articles)))]["text"].split("\n\n")
            if rng.random() < 0.3:
                paragraphs = list(source)
                paragraphs[0] = paragraphs[0].replace(" the ", " a ", 1)
            else:
                paragraphs[int(rng.integers(4))] = source[int(rng.integers(len(source)))]
        articles.append({"id": f"a{i:04d}", "text": "\n\n".join(paragraphs), "date": f"2024-01-{i % 28 + 1:02d}"})
    return articles


def oriented(pairs, article_id: str) -> dict[str, tuple]:
    """Scan pairs involving ``article_id``, seen from its side (it becomes side a)."""
    out = {}
    for p in pairs:
        if article_id not in (p.a, p.b):
            continue
        flip = p.b == article_id
        passages = sorted((q.b_start, q.b_end, q.a_start, q.a_end) if flip else (q.a_start, q.a_end, q.b_start, q.b_end)
                          for q in p.passages)
        cont = (p.containment_b, p.containment_a) if flip else (p.containment_a, p.containment_b)
        out[p.a if flip else p.b] = (p.kind, p.jaccard, *cont, passages)
    return out


def as_seen(matches) -> dict[str, tuple]:
    return {m.id: (m.kind, m.jaccard, m.containment_a, m.containment_b,
                   sorted((q.a_start, q.a_end, q.b_start, q.b_end) for q in m.passages)) for m in matches}


def holders_consistent(index: DedupIndex) -> bool:
    """Once the store's merge under way is done: articles up to the merge mark have exactly their
    band keys in ``bands``, later ones at most theirs (a merge cut short by a crash put some in),
    and no entry of ``bands`` points to a missing article."""
    import numpy as np

    index._store.finish_merge()
    db = index._store._db
    mask = (1 << 24) - 1
    merged = db.execute("SELECT value FROM state WHERE name = 'merged'").fetchone()[0]
    banded = {entry for (entry,) in db.execute("SELECT entry FROM bands")}
    held = {}
    for seq, blob in db.execute("SELECT seq, keys FROM articles"):
        held[seq] = {int(k) | seq for k in np.frombuffer(blob, dtype="<i8")}
    by_article: dict[int, set[int]] = {}
    for entry in banded:
        by_article.setdefault(entry & mask, set()).add(entry)
    return (set(by_article) <= set(held)
            and all(by_article.get(seq, set()) == keys for seq, keys in held.items() if seq <= merged)
            and all(by_article.get(seq, set()) <= keys for seq, keys in held.items() if seq > merged))


@pytest.fixture(autouse=True)
def small_merges(monkeypatch):
    """Merge every 25 articles, so that tests see keys both merged and recent, in pieces of 500
    entries (a merge of 25 articles has several)."""
    monkeypatch.setattr("dedup.store.sqlite.MERGE_AT", 25)
    monkeypatch.setattr("dedup.store.sqlite._PIECE_ROWS", 500)


@pytest.fixture
def corpus():
    return make_corpus(60)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "index.db"


def test_query_answers_what_scan_answers(corpus, path):
    """A query answers what a scan of the stored articles followed by the query reports (the
    boilerplate and context-triple rules count holders in arrival order, and a query arrives last)."""
    stored, new = corpus[8:], corpus[:8]
    seen = 0
    with DedupIndex(path) as index:
        index.add_many(stored, chunk_size=7)
        for article in new:
            result = scan([*stored, article], all_pairs=True)  # the index lists every pair, copies included
            expected = oriented(result.pairs, article["id"])
            assert as_seen(index.query(article)) == expected
            seen += len(expected)
    assert seen, "the corpus should hold duplicates of the queried articles"


def test_add_reports_matches_against_earlier_articles_only(corpus, path):
    result = scan(corpus, all_pairs=True)
    earlier = {a["id"]: i for i, a in enumerate(corpus)}
    with DedupIndex(path) as index:
        for article in corpus[:30]:
            expected = {k: v for k, v in oriented(result.pairs, article["id"]).items()
                        if earlier[k] < earlier[article["id"]]}
            assert as_seen(index.add(article)) == expected


def test_add_many_equals_one_by_one(corpus, tmp_path):
    with DedupIndex(tmp_path / "one.db") as one, DedupIndex(tmp_path / "many.db") as many:
        singly = {a["id"]: as_seen(one.add(a)) for a in corpus}
        batch = many.add_many(corpus, chunk_size=9)
        assert {k: as_seen(v) for k, v in batch.matches.items()} == {k: v for k, v in singly.items() if v}
        assert (batch.added, len(many)) == (len(corpus), len(corpus))


def test_matches_are_best_first_and_offsets_slice_both_texts(corpus, path):
    with DedupIndex(path) as index:
        index.add_many(corpus)
        for article in corpus:
            matches = index.query(article)
            assert [m.jaccard for m in matches] == sorted((m.jaccard for m in matches), reverse=True)
            for m in matches:
                for p in m.passages:
                    assert article["text"][p.a_start:p.a_end] == p.a_text
                    assert m.article.text[p.b_start:p.b_end] == p.b_text


def test_one_shared_bucket_pairs_the_first_two_holders_of_a_triple_as_in_scan(path):
    """Three articles share one sentence: each two share one passage-tier bucket and two context
    triples (one phrase). Only the first two to arrive are a candidate pair, in a scan (by input
    order) and in the index (by arrival), and both report it alike."""
    import json

    texts = json.loads((ROOT / "tests" / "data" / "first_holders.json").read_text())["texts"]
    articles = [{"id": name, "text": text} for name, text in zip("abc", texts)]
    assert {(p.a, p.b) for p in scan(articles, passage_min_buckets=1).pairs} == {("a", "b"), ("a", "c"), ("b", "c")}
    for order in ([0, 1, 2], [0, 2, 1], [2, 1, 0]):
        arriving = [articles[k] for k in order]
        pairs = scan(arriving).pairs
        first, second = sorted(a["id"] for a in arriving[:2])
        assert [(p.a, p.b) for p in pairs] == [(first, second)]
        with DedupIndex(path.with_name("".join(a["id"] for a in arriving) + ".db")) as index:
            seen = [as_seen(index.add(article)) for article in arriving]
        assert seen == [{}, oriented(pairs, arriving[1]["id"]), {}]


def test_crowded_buckets_pair_as_in_scan(path):
    """Twelve articles carry one paragraph, so its buckets hold more than ``max_bucket_size`` (8)
    articles: the index pairs the first 8 holders with each other as they arrive and the later
    ones with the first, and a scan of the same articles in the same order reports the same pairs
    (its context triples count the first 5 holders only, so they do not hide the buckets' rule)."""
    import random

    rng = random.Random(7)
    words = [f"{a}{b}" for a in ("mar", "vol", "tes", "quin", "dor", "pel") for b in ("ka", "lo", "ven", "ris", "tum")]
    shared = " ".join(rng.choice(words) for _ in range(80))
    articles = [{"id": f"a{k}", "text": " ".join(rng.choice(words) for _ in range(60)) + ". " + shared}
                for k in range(12)]
    expected = {frozenset((p.a, p.b)) for p in scan(articles, all_pairs=True, max_bucket_size=8).pairs}
    assert {frozenset(("a5", "a6")), frozenset(("a0", "a11"))} <= expected and frozenset(("a9", "a10")) not in expected
    with DedupIndex(path, max_bucket_size=8) as index:
        found = index.add_many(articles).matches
    assert {frozenset((a, m.id)) for a, matches in found.items() for m in matches} == expected


def test_seeds_match_as_in_scan(seeds, path):
    with DedupIndex(path) as index:
        index.add(seeds[0])
        (match,) = index.query(seeds[1])
    # 7 passages: the Reuters story repeats its photo caption, which the rewrite holds once
    assert match.id == seeds[0].id and match.kind == "partial" and len(match.passages) >= 7


def test_store_keeps_text_metadata_and_survives_reopening(corpus, path):
    with DedupIndex(path) as index:
        index.add_many(corpus)
    with DedupIndex(path) as index:
        assert len(index) == len(corpus) and corpus[3]["id"] in index and "nope" not in index
        stored = index.get(corpus[3]["id"])
        assert (stored.text, stored.date) == (corpus[3]["text"], corpus[3]["date"])
        assert index.get("nope") is None


def test_id_added_twice_replace_skip_error(corpus, path):
    a, b = corpus[0], corpus[1]
    with DedupIndex(path) as index:
        index.add(a)
        index.add({**b, "id": a["id"]})
        assert len(index) == 1 and index.get(a["id"]).text == b["text"]
        assert index.add(a, on_conflict="skip") is not None and index.get(a["id"]).text == b["text"]
        with pytest.raises(InputError, match="already in the index"):
            index.add(a, on_conflict="error")
        result = index.add_many([a, {**b, "id": "x"}, {**a, "id": "x"}], on_conflict="replace")
        assert (result.added, result.replaced) == (1, 2) and index.get("x").text == a["text"]
        with pytest.raises(ConfigError, match="on_conflict"):
            index.add(a, on_conflict="merge")
        assert holders_consistent(index)


def test_an_article_never_matches_its_own_id(corpus, path):
    with DedupIndex(path) as index:
        index.add(corpus[0])
        assert index.query(corpus[0]) == []
        assert [m.id for m in index.query({**corpus[0], "id": "copy"})] == [corpus[0]["id"]]


def test_remove(corpus, path):
    with DedupIndex(path) as index:
        index.add_many(corpus[:40])  # merged into bands (small_merges)
        index.add_many(corpus[40:45])  # recent
        for victim in (corpus[0], corpus[40]):
            assert index.remove(victim["id"]) and not index.remove(victim["id"])
            assert victim["id"] not in index
            assert victim["id"] not in {m.id for m in index.query({**victim, "id": "probe"})}
        assert len(index) == 43
        assert holders_consistent(index)
        index.add_many(corpus[45:50])  # recent
        index.remove(corpus[45]["id"])
        # A recent article replaced by the write that merges the recent ones (after its look-ups):
        index.add_many([{**corpus[46], "id": corpus[47]["id"]}, *({**a, "id": f"again-{a['id']}"} for a in corpus[:25])])
        index._store.finish_merge()
        assert index._store._merged() == index._store._db.execute("SELECT max(seq) FROM articles").fetchone()[0]
        assert holders_consistent(index)


def crowded_triple_case(seed: int = 3) -> tuple[list[dict], dict]:
    """Six articles holding one phrase (its context triples are full: more than MAX_HOLDERS hold
    them) in unrelated made-up words, and a probe holding it too."""
    rng = np.random.default_rng(seed)

    def filler(n: int) -> str:
        return " ".join("".join(rng.choice(list("bcdfghklmnprstvz"), 3)) + rng.choice(list("aeiou")) +
                        "".join(rng.choice(list("bcdfghklmnprstvz"), 2)) for _ in range(n))

    phrase = "harbour cranes loaded timber barges downriver overnight"
    holders = [{"id": f"h{i}", "text": f"{filler(40)}. {phrase}. {filler(40)}."} for i in range(6)]
    return holders, {"id": "probe", "text": f"{filler(40)}. {phrase}. {filler(40)}."}


def candidate_ids(index: DedupIndex, article: dict) -> set[str]:
    """The stored articles a new ``article`` would be aligned with."""
    (document,) = _documents([article], index.config)
    jobs = index._candidates([document], document_keys([document], index.config), [shingle_tops(document)],
                             [triple_places(document)])
    return {row.id for row in index._store.fetch([m for _, m, _ in jobs])}


def test_full_triples_are_skipped_until_an_article_is_removed(path):
    """A look-up skips triples known to hold MAX_HOLDERS articles; removing some of their holders
    (here through another handle on the file, from keys merged and recent) makes them count again,
    as for an index that never skipped them."""
    holders, probe = crowded_triple_case()
    with DedupIndex(path) as writer, DedupIndex(path) as reader:
        writer.add_many(holders)  # 6 holders: none merged (small_merges), all recent
        assert candidate_ids(reader, probe) == set() and len(reader._full_triples) > 0
        for victim in holders[:2]:
            writer.remove(victim["id"])
        with DedupIndex(path) as fresh:
            assert candidate_ids(reader, probe) == candidate_ids(fresh, probe) == {"h2", "h3", "h4", "h5"}
        writer.add_many([{**probe, "id": f"more{i}"} for i in range(30)])  # merged now, full again
        writer._store.finish_merge()
        assert candidate_ids(reader, probe) & {"h2", "h3", "h4", "h5"} == set()
        with DedupIndex(path) as fresh:  # given the full triples the writer stored when it merged
            assert candidate_ids(fresh, probe) == candidate_ids(reader, probe)
            assert set(writer._full_triples.keys().tolist()) & set(fresh._full_triples.keys().tolist())
        writer.remove("h2")
        writer.remove("more0")
        with DedupIndex(path) as fresh:
            assert candidate_ids(reader, probe) == candidate_ids(fresh, probe)


def test_bad_articles_are_skipped_or_refused_with_reasons(path):
    with DedupIndex(path) as index:
        result = index.add_many([{"id": "empty", "text": "  "}, {"id": "short", "text": "two words"},
                                 {"text": None}, Skipped(reason="not valid JSON", source="f.jsonl", line=3),
                                 {"id": "ok", "text": " ".join(_WORDS)}])
        assert result.added == 1 and [s.code for s in result.skipped] == ["empty", "too-short", "missing-text", "invalid"]
        with pytest.raises(InputError, match="shorter than the shingle size"):
            index.add({"id": "short", "text": "two words"})
        assert index.query({"id": "q", "text": "two words"}) == []
        with pytest.raises(InputError, match="empty"):
            index.query({"id": "q", "text": ""})


def test_settings_are_recorded_and_differing_ones_refused(corpus, path):
    with DedupIndex(path, shingle_size=4, seed=3) as index:
        index.add(corpus[0])
    with DedupIndex(path) as index:  # no config: the stored settings
        assert (index.config.shingle_size, index.config.seed) == (4, 3)
        assert index.settings["scheme"] == "affine32" and index.settings["format_version"] == FORMAT_VERSION
    with pytest.raises(ConfigError, match=r"shingle_size=4.*num_perm=128.*shingle_size=5.*num_perm=64"):
        DedupIndex(path, num_perm=64, shingle_size=5)
    with DedupIndex(path, min_passage_words=20) as index:  # query-time settings may differ
        assert index.config.min_passage_words == 20 and index.config.shingle_size == 4


@pytest.mark.parametrize("content", [b"this is a text file, not an index\n" * 50, b"\x00\xff" * 3000])
def test_foreign_or_corrupt_files_are_refused(tmp_path, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    with pytest.raises(IndexStoreError, match="not a dedup index"):
        DedupIndex(bad)


def test_another_applications_sqlite_file_is_refused(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(IndexStoreError, match="another application"):
        DedupIndex(other)
    with pytest.raises(IndexStoreError, match="no such index"):
        DedupIndex(tmp_path / "missing.db", create=False)


def test_no_pickle_anywhere():
    for source in (ROOT / "dedup").rglob("*.py"):
        assert "pickle" not in source.read_text(encoding="utf-8").replace("pickled", ""), source


def test_band_keys_of_both_tiers_are_distinct(corpus):
    from dedup import Config

    (keys,) = document_keys([__import__("dedup.detect", fromlist=["prepare"]).prepare(
        __import__("dedup.io", fromlist=["to_article"]).to_article(corpus[0], Config()), Config())], Config())
    tiers = (keys.view(np.uint64) >> np.uint64(63))
    assert 0 < tiers.sum() < len(keys) and np.all(np.diff(keys) > 0)


def test_an_index_of_an_older_format_is_refused(corpus, path):
    with DedupIndex(path) as index:
        index.add(corpus[0])
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {FORMAT_VERSION - 1}")
    with pytest.raises(IndexStoreError, match=f"format version {FORMAT_VERSION - 1}.*rebuild the index"):
        DedupIndex(path)


def test_a_new_index_file_has_16_kib_pages_in_wal_mode(corpus, path):
    with DedupIndex(path) as index:
        index.add(corpus[0])
    with sqlite3.connect(path) as db:
        assert [db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "journal_mode")] == [16384, "wal"]


def test_a_damaged_key_filter_is_an_index_store_error(corpus, path):
    with DedupIndex(path) as index:
        index.add_many(corpus[:30])  # merged: the filter is stored (small_merges)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE keyfilter SET bits = x'00ff'")
    with DedupIndex(path) as index, pytest.raises(IndexStoreError, match="corrupt index.*rebuild"):
        index.query(corpus[0])


def test_merged_keys_are_found_by_an_index_opened_before_another_merged_them(corpus, path):
    with DedupIndex(path) as writer, DedupIndex(path) as reader:
        writer.add_many(corpus[:30])  # merged (small_merges)
        assert reader.query({**corpus[0], "id": "probe"})  # the reader reads the key filter
        writer.add_many(corpus[30:])  # merged again: the reader's filter is out of date
        writer._store.finish_merge()
        assert reader._store._merged() == len(corpus)
        writer.add_many([{**a, "id": f"late-{a['id']}"} for a in corpus[:5]])  # recent, not merged
        assert all(f"late-{a['id']}" in {m.id for m in reader.query({**a, "id": "probe"})} for a in corpus[:5])
        probes = [{**a, "id": "probe"} for a in corpus[30:]]
        assert [as_seen(reader.query(a)) for a in probes] == [as_seen(writer.query(a)) for a in probes]
        assert sum(map(len, (reader.query(a) for a in probes))) >= len(probes)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.integers(-2**40, 2**40), max_size=80), max_size=6), st.integers(1, 30))
def test_a_merge_takes_its_entries_in_sorted_pieces(runs, size):
    from dedup.store.sqlite import _sorted_pieces

    runs = [np.unique(np.array(run, dtype=np.int64)) for run in runs]
    pieces = list(_sorted_pieces(runs, size))
    assert np.concatenate(pieces or [np.empty(0, np.int64)]).tolist() == sorted(np.concatenate(runs or [[]]).tolist())
    if runs and max(map(len, runs)) > 0:
        assert len(pieces) >= sum(map(len, runs)) // size // len(runs)  # not one copy of them all


def test_answers_do_not_depend_on_how_far_merges_have_got(corpus, tmp_path, monkeypatch):
    """Merges run on a thread of their own while adds go on; whatever part of the recent keys is
    in ``bands`` at a moment, every add and query answers as an index that never merges."""
    with DedupIndex(tmp_path / "merging.db") as merging:
        merged_run = [as_seen(merging.add(a)) for a in corpus]
        merged_queries = [as_seen(merging.query({**a, "id": "probe"})) for a in corpus[:20]]
        assert holders_consistent(merging) and merging._store._merged() >= 50
    monkeypatch.setattr("dedup.store.sqlite.MERGE_AT", 10**6)
    with DedupIndex(tmp_path / "recent.db") as recent:
        assert [as_seen(recent.add(a)) for a in corpus] == merged_run
        assert [as_seen(recent.query({**a, "id": "probe"})) for a in corpus[:20]] == merged_queries
        assert recent._store._merged() == 0


def test_a_store_adds_the_keys_it_writes_as_reading_its_rows_would(corpus, path, monkeypatch):
    """A store adds the keys of its own writes to its recent keys without reading the rows back
    (the index hands them over sorted); they are what reading the rows gives, also after chunks
    with repeated ids, kept and replaced ones, and with another writer's rows in between (read)."""
    monkeypatch.setattr("dedup.store.sqlite.MERGE_AT", 10**6)
    with DedupIndex(path) as index, DedupIndex(path) as other:
        read: list[int] = []
        update = index._store._recent.update
        monkeypatch.setattr(index._store._recent, "update", lambda merged, rows: (read.extend(r[0] for r in rows),
                                                                                  update(merged, rows)))
        index.add_many(corpus[:20], chunk_size=7)
        index.add_many(corpus[15:25] + corpus[3:5], on_conflict="skip", chunk_size=6)
        other.add_many(corpus[25:30])
        index.add_many(corpus[28:40] + [corpus[2]], chunk_size=5)  # a replacement, and others' rows met
        index.query(corpus[45])  # up to date: the other writer's last rows, the removals
        with DedupIndex(path) as fresh:
            fresh.query(corpus[45])
            expected = np.sort(np.concatenate(fresh._store._recent.segments))
        assert np.array_equal(np.sort(np.concatenate(index._store._recent.segments)), expected)
        others = [seq for (seq,) in index._store._db.execute("SELECT seq FROM articles WHERE id IN "
                                                              "('a0025', 'a0026', 'a0027')")]
        assert len(others) == 3 and set(others) <= set(read)  # another writer's rows are read ...
        assert len(read) < len(others) + 10  # ... this store's own (35 written) nearly never


def test_a_merge_cut_short_is_reported_and_done_again(corpus, path, monkeypatch):
    """A merge that fails after putting part of its entries in ``bands`` leaves answers as they
    were, is reported by the next write (which changes nothing), and is done again after it."""
    import dedup.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "_MERGE_ROWS", 50)  # several pieces, some of them written
    finish = sqlite_store.SQLiteStore._finish

    def fail(*args):
        raise OSError("disk full")

    with DedupIndex(path) as index:
        index.add_many(corpus[:20])
        monkeypatch.setattr(sqlite_store.SQLiteStore, "_finish", staticmethod(fail))
        index.add_many(corpus[20:30])  # 30 recent: a merge is claimed, and fails
        index._store.finish_merge()
        partly = index._store._db.execute("SELECT count(*) FROM bands").fetchone()[0]
        assert partly > 0 and index._store._merged() == 0 and holders_consistent(index)
        probes = [{**a, "id": "probe"} for a in corpus[:30]]
        before = [as_seen(index.query(p)) for p in probes]
        with pytest.raises(IndexStoreError, match="cannot merge the recent keys: disk full"):
            index.add_many(corpus[30:35])
        assert len(index) == 30
        monkeypatch.setattr(sqlite_store.SQLiteStore, "_finish", staticmethod(finish))
        index.add_many(corpus[30:35])  # claims the failed merge again
        index._store.finish_merge()
        assert index._store._merged() == 35 and holders_consistent(index)
        after = [as_seen(index.query(p)) for p in probes]
    monkeypatch.setattr(sqlite_store, "MERGE_AT", 10**6)
    with DedupIndex(path.with_name("never-merged.db")) as reference:
        reference.add_many(corpus[:30])
        assert [as_seen(reference.query(p)) for p in probes] == before
        reference.add_many(corpus[30:35])
        assert [as_seen(reference.query(p)) for p in probes] == after


def test_the_wal_is_copied_into_the_file_while_the_index_is_open(corpus, path, monkeypatch):
    """A checkpoint thread copies committed articles into the file itself (the WAL alone held
    them before), without closing the index; a failed checkpoint is reported by the next write,
    which changes nothing, and the one after goes on."""
    import shutil
    import sqlite3

    import dedup.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "_CHECKPOINT_ROWS", 10)
    monkeypatch.setattr(sqlite_store, "MERGE_AT", 10**6)  # no merge thread: it connects too
    connect = sqlite_store._connect

    def in_file_alone() -> int:
        shutil.copyfile(path, path.with_name("copy.db"))  # the file without its WAL
        with closing(sqlite3.connect(path.with_name("copy.db"))) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]

    with DedupIndex(path) as index:
        index.add_many(corpus[:5])
        index.add_many(corpus[5:12])  # 12 written since the last checkpoint: one starts
        index._store._checkpointer.join()
        assert in_file_alone() == 12
        index.add_many(corpus[12:15])
        assert in_file_alone() == 12 and not index._store.checkpointing  # 3 more only: no checkpoint yet
        monkeypatch.setattr(sqlite_store, "_connect", lambda location: sqlite3.connect("/nonexistent/dir/x.db"))
        index.add_many(corpus[15:25])
        index._store._checkpointer.join()
        with pytest.raises(IndexStoreError, match="cannot copy the write-ahead log into the index"):
            index.add_many(corpus[25:30])
        assert len(index) == 25
        monkeypatch.setattr(sqlite_store, "_connect", connect)
        index.add_many(corpus[25:30])
        assert len(index) == 30


def test_a_merge_claimed_by_a_process_that_died_is_taken_over(corpus, path):
    """A claim whose process is gone (here: written by hand) holds merges back only until the
    recent articles reach twice the merge mark; then the next writer merges them."""
    with DedupIndex(path) as index:
        index.add_many(corpus[:20])
        index._store._db.execute("INSERT INTO state VALUES ('merging', 1000)")  # MERGE_AT is 25 here
        index.add_many(corpus[20:45])
        index._store.finish_merge()
        assert index._store._merged() == 0 and len(index) == 45  # 45 recent: not yet taken over
        index.add_many(corpus[45:50])
        index._store.finish_merge()
        assert index._store._merged() == 50 and holders_consistent(index)


def test_a_chunk_another_writer_added_to_meanwhile_is_matched_again(corpus, path, monkeypatch):
    """An add matches before its write transaction; when another writer adds an article in
    between, it matches again inside it (finding that article too), aligning only the new pairs."""
    import dedup.index

    with DedupIndex(path) as first, DedupIndex(path) as other:
        first.add_many(corpus[:20])
        expected = {m.id for m in first.query({**corpus[3], "id": "probe"})} | {"meanwhile"}
        begin = first._store.transaction

        def transaction():
            if not getattr(transaction, "done", False):
                transaction.done = True
                other.add({**corpus[3], "id": "meanwhile"})
            return begin()

        compared = []
        compare = dedup.index.compare_documents
        monkeypatch.setattr(first._store, "transaction", transaction)
        monkeypatch.setattr(dedup.index, "compare_documents",
                            lambda a, b, *args, **kw: compared.append((a.id, b.id)) or compare(a, b, *args, **kw))
        assert {m.id for m in first.add({**corpus[3], "id": "late"})} == expected
        assert sorted(b for a, b in compared if a == "late") == sorted(expected) and len(first) == 22


# -- crashes and concurrency: real processes ---------------------------------------------------

_CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {tests!r})
    from test_index import make_corpus
    from dedup import DedupIndex
    articles = make_corpus({n}, seed={seed})
    for a in articles:
        a["id"] = {prefix!r} + a["id"]
    import dedup.store.sqlite
    dedup.store.sqlite.MERGE_AT = 30  # merges happen in the middle of the run
    with DedupIndex({location!r}) as index:
        for first in range(0, len(articles), {chunk}):
            chunk = articles[first:first + {chunk}]
            index.add_many(chunk, chunk_size={chunk})
            print(json.dumps([a["id"] for a in chunk]), flush=True)
""")


def _child(location: str, *, n: int, seed: int, prefix: str, chunk: int) -> subprocess.Popen:
    code = _CHILD.format(tests=str(Path(__file__).parent), n=n, seed=seed, prefix=prefix, location=location, chunk=chunk)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.slow
def test_sigkill_during_add_many_loses_no_committed_article(path):
    DedupIndex(path).close()
    child = _child(str(path), n=400, seed=11, prefix="k", chunk=20)
    committed: list[str] = []
    for _ in range(4):
        committed += __import__("json").loads(child.stdout.readline())
    child.send_signal(signal.SIGKILL)  # most likely inside the next chunk's transaction
    child.wait()
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    with DedupIndex(path) as index:
        assert all(i in index for i in committed)
        assert len(index) % 20 == 0 and len(index) >= len(committed)  # whole chunks only
        assert holders_consistent(index)
        assert index._store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_parallel_writers_lose_and_duplicate_nothing(path):
    DedupIndex(path).close()
    children = [_child(str(path), n=60, seed=5, prefix=p, chunk=6) for p in ("p", "q", "shared-")]
    children += [_child(str(path), n=60, seed=5, prefix="shared-", chunk=6)]  # same ids as the third
    for child in children:  # every child waited for before any assertion
        child.communicate(timeout=300)
    assert [child.returncode for child in children] == [0, 0, 0, 0]
    with DedupIndex(path) as index:
        assert len(index) == 180
        assert all(f"{p}a{i:04d}" in index for p in ("p", "q", "shared-") for i in range(60))
        assert holders_consistent(index)
        # The p- and q- copies of the same text found each other, whoever came second.
        assert any(m.id.startswith(("p", "q")) for m in index.query({"id": "probe", "text": make_corpus(60, 5)[0]["text"]}))


def test_cli_add_query_remove_stats(tmp_path):
    import json as _json

    from typer.testing import CliRunner

    from dedup.cli import app

    runner = CliRunner()
    data = tmp_path / "a.jsonl"
    corpus = make_corpus(20)
    data.write_text("".join(_json.dumps(a) + "\n" for a in corpus) + "{broken\n", encoding="utf-8")
    db = str(tmp_path / "cli.db")
    added = runner.invoke(app, ["index", "add", db, str(data)])
    assert added.exit_code == 0 and f"{data}:21" in added.output
    (probe := tmp_path / "q.jsonl").write_text(_json.dumps({**corpus[0], "id": "probe"}) + "\n", encoding="utf-8")
    queried = runner.invoke(app, ["index", "query", db, str(probe), "--format", "json"])
    record = _json.loads(queried.stdout)[0]
    assert record["article"] == "probe" and record["matches"][0]["id"] == corpus[0]["id"]
    assert set(record["matches"][0]["passages"][0]) == {"a_start", "a_end", "b_start", "b_end", "a_text", "b_text", "similarity"}
    assert runner.invoke(app, ["index", "remove", db, corpus[0]["id"]]).exit_code == 0
    assert _json.loads(runner.invoke(app, ["index", "stats", db]).stdout)["articles"] == 19
    for command in ("add", "query", "remove", "stats"):
        assert "Example:" in runner.invoke(app, ["index", command, "--help"]).output


def test_a_lookup_returns_the_first_holders_of_a_crowded_key(path):
    """A key held by many merged articles gives its first ``cap`` holders, not all of them."""
    text = "The central bank raised its main interest rate by half a point on Tuesday to curb inflation."
    with DedupIndex(path) as index:
        index.add_many([{"id": f"copy{n}", "text": text} for n in range(30)])  # one chunk, merged
        index._store.finish_merge()
        keys = np.unique(index._store._db.execute("SELECT entry FROM bands").fetchall()) & ~((1 << 24) - 1)
        some = keys[:3]
        stored_keys, seqs = index._store.lookup(some, 4)
        every_key, every_seq = index._store.lookup(some, 100)
        for key in some.tolist():
            assert sorted(seqs[stored_keys == key].tolist()) == [1, 2, 3, 4]
            assert sorted(every_seq[every_key == key].tolist()) == list(range(1, 31))


def test_a_merge_finishes_over_removed_articles_when_it_read_no_recent_keys(corpus, path):
    """A merge whose range holds removed articles but that was handed no recent keys (another
    writer's file of them, say) has nothing of theirs to take out of ``bands``, and finishes."""
    from dedup.store.keyfilter import KeyFilter
    from dedup.store.sqlite import SQLiteStore, _connect

    with DedupIndex(path) as index:
        index.add_many(corpus[:10])  # fewer than a merge's 25: all recent
        index.remove(corpus[3]["id"])
    db = _connect(str(path))
    try:
        with db:
            assert SQLiteStore._finish(db, 0, 10, [], KeyFilter(), {})
        assert db.execute("SELECT value FROM state WHERE name = 'merged'").fetchone()[0] == 10
    finally:
        db.close()
