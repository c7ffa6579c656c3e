"""The one-shot scan: kinds, scores, stats, explanations, determinism."""

from __future__ import annotations

import pytest

from dedup import ConfigError, compare, scan

STORY = ("Heavy rain flooded parts of the city on Monday, closing schools and cutting power to thousands of homes. "
         "Emergency crews rescued several people from cars trapped in rising water near the river. "
         "The weather service warned that more storms were expected later in the week across the region.")
OTHER = ("The football club confirmed on Friday that its coach had signed a new three-year contract. "
         "The club's chairman praised his work with young players and said more signings would follow.")


def test_kinds_and_scores():
    near = STORY.replace("across the region", "across the whole region")
    result = scan([{"id": "a", "text": STORY}, {"id": "b", "text": STORY}, {"id": "c", "text": near},
                   {"id": "d", "text": OTHER + " " + STORY.split(". ", 1)[1]}, {"id": "e", "text": OTHER}])
    kinds = {(p.a, p.b): p for p in result.pairs}
    assert kinds["a", "b"].kind == "exact" and kinds["a", "b"].jaccard == 1.0
    assert kinds["a", "c"].kind == "near-duplicate" and 0.8 <= kinds["a", "c"].jaccard < 1
    assert kinds["a", "d"].kind == "partial" and kinds["a", "d"].jaccard < kinds["a", "d"].containment_b < kinds["a", "d"].containment_a
    assert kinds["d", "e"].kind == "partial"
    assert all(0 <= p.jaccard <= min(p.containment_a, p.containment_b) <= 1 for p in result.pairs)


def test_earlier_dated_article_is_side_a():
    result = scan([{"id": "z", "text": STORY, "date": "2024-01-01"}, {"id": "a", "text": STORY, "date": "2024-02-01"}])
    assert (result.pairs[0].a, result.pairs[0].b) == ("z", "a")


def test_stats_count_every_stage():
    stats = scan([{"id": "a", "text": STORY}, {"id": "b", "text": STORY}, {"id": "c", "text": "too short"}]).stats
    assert (stats["articles_read"], stats["articles_processed"], stats["articles_skipped"]) == (3, 2, 1)
    assert stats["candidate_pairs"] == 1 and stats["pairs_by_kind"]["exact"] == 1
    assert stats["lsh_document"]["bands"] * stats["lsh_document"]["rows"] <= 128


@pytest.mark.parametrize(
    ("corpus", "note"),
    [
        ([{"id": "a", "text": "two words"}, {"id": "b", "text": "three more words"}], "2 articles skipped (too-short)"),
        ([{"id": "a", "text": STORY}], "at least 2 are needed"),
        ([{"id": "a", "text": STORY}, {"id": "b", "text": OTHER}], "0 candidate pairs"),
    ],
)
def test_an_empty_result_explains_itself(corpus, note):
    result = scan(corpus)
    assert not result.pairs and any(note in n for n in result.notes), result.notes


def test_same_input_and_settings_give_the_same_report():
    corpus = [{"id": str(i), "text": STORY if i % 2 else OTHER + " " + STORY} for i in range(6)]
    assert scan(corpus).to_dict() == scan(corpus).to_dict()


def test_compare_one_pair_directly():
    pair = compare({"id": "x", "text": OTHER + " " + STORY}, {"id": "y", "text": STORY})
    assert pair.kind == "partial" and pair.passages[0].b_text == STORY
    assert compare({"id": "x", "text": STORY}, {"id": "y", "text": OTHER}) is None


def test_unknown_setting_is_refused():
    with pytest.raises(ConfigError, match="unknown setting"):
        scan([], treshold=0.5)


def _copies(n: int) -> list[dict]:
    return [{"id": f"c{i:03d}", "text": STORY, "date": f"2024-01-{1 + i % 28:02d}"} for i in range(n)]


def test_copies_are_aligned_against_their_representative_only(monkeypatch):
    """n copies of one story cost n - 1 alignments, not n (n - 1) / 2; the full list is an option."""
    import dedup.detect as detect

    calls = []
    original = detect.compare_documents
    monkeypatch.setattr(detect, "compare_documents", lambda a, b, config, **kw: calls.append(1) or original(a, b, config, **kw))
    for n in (5, 20, 40):
        calls.clear()
        result = scan(_copies(n) + [{"id": "other", "text": OTHER}], workers=1)
        assert len(calls) == n - 1 and len(result.pairs) == n - 1
        assert {p.a for p in result.pairs} == {"c000"}  # the earliest-dated copy
        [cluster] = result.clusters
        assert len(cluster.articles) == n and cluster.origin == "c000"
        assert result.stats["exact_copies_collapsed"] == n - 1
        [(rep, members)] = result.copy_groups
        assert rep == "c000" and len(members) == n - 1 and result.same_words("c003", "c001")
        assert result.to_dict()["copy_groups"] == [{"representative": "c000", "copies": list(members)}]
    calls.clear()
    full = scan(_copies(8), workers=1, all_pairs=True)
    assert len(calls) == len(full.pairs) == 8 * 7 // 2 and len(full.clusters[0].articles) == 8


def _near_copies(n: int) -> list[dict]:
    """``n`` copies of a story, each with a different word replaced (pairwise Jaccard about 0.7,
    0.82 with the unedited first one)."""
    words = (STORY + " " + OTHER).split()
    texts = [" ".join(f"edit{i}" if k == (i * 7) % len(words) and i else w for k, w in enumerate(words)) for i in range(n)]
    return [{"id": f"n{i:03d}", "text": text, "date": f"2024-01-{1 + i % 28:02d}"} for i, text in enumerate(texts)]


def test_near_copies_are_aligned_against_their_representative_only(monkeypatch):
    """n near copies of one story cost n - 1 alignments once n passes max_bucket_size (below,
    every pair is aligned, as an LSH bucket that size gives them all); the full list is an option."""
    import dedup.detect as detect

    calls = []
    original = detect.compare_documents
    monkeypatch.setattr(detect, "compare_documents", lambda a, b, config, **kw: calls.append(1) or original(a, b, config, **kw))
    for n, bucket in ((5, 4), (40, 20), (80, 20)):
        calls.clear()
        result = scan(_near_copies(n) + [{"id": "other", "text": STORY.split(". ", 1)[1]}], workers=1,
                      max_bucket_size=bucket)
        [(rep, members)] = result.near_copy_groups
        assert rep == "n000" and len(members) == n - 1 and result.stats["near_copies_collapsed"] == n - 1
        near = [p for p in result.pairs if p.b != "other" and p.a != "other"]
        assert len(near) == n - 1 and all(p.a == "n000" and p.kind == "near-duplicate" for p in near)
        assert n - 1 < len(calls) <= 2 * n - 1  # plus at most one pair per copy with the article reusing it
        assert any("other" in (p.a, p.b) and p.kind == "partial" for p in result.pairs)
        [cluster] = result.clusters
        assert len(cluster.articles) == n + 1
    full, collapsed = (scan(_near_copies(8), workers=1, all_pairs=flag, max_bucket_size=4) for flag in (True, False))
    assert collapsed.near_copy_groups and not full.near_copy_groups and len(full.pairs) > len(collapsed.pairs)
    calls.clear()
    few = scan(_near_copies(8), workers=1)
    assert len(calls) == len(few.pairs) == 8 * 7 // 2 and not few.near_copy_groups


def test_a_copy_group_still_meets_its_partial_reuses():
    corpus = _copies(4) + [{"id": "rewrite", "text": OTHER + " " + STORY.split(". ", 1)[1]}]
    pairs = {(p.a, p.b): p.kind for p in scan(corpus).pairs}
    assert pairs[("c000", "rewrite")] == "partial"
    assert sum(kind == "exact" for kind in pairs.values()) == 3


def test_a_batch_is_prepared_as_each_article_alone():
    """prepare_many makes a batch's shingles, terms and context triples in one pass over the joined
    texts; each document must hold what preparing its article alone gives."""
    import numpy as np

    from dedup import Article, Config
    from dedup.context import triple_places
    from dedup.detect import prepare, prepare_many
    from dedup.sentences import content_terms
    from dedup.shingle import shingle_hashes

    texts = [STORY, "", "Too short.", "One two three four five", OTHER, STORY.upper(), "Über 1,000 Menschen. " * 3]
    articles = [Article(id=str(i), text=t) for i, t in enumerate(texts)]
    for together, article in zip(prepare_many(articles, Config()), articles):
        alone = prepare(article, Config())
        assert np.array_equal(together.tokens.hashes, alone.tokens.hashes)
        shingles = shingle_hashes(alone.tokens.hashes, Config().shingle_size)  # (prepare is a batch of one)
        assert np.array_equal(together.shingles, shingles) and np.array_equal(together.shingle_set, np.unique(shingles))
        for made in (content_terms, lambda text, tokens: triple_places(text, tokens)[0],
                     lambda text, tokens: triple_places(text, tokens)[1]):
            assert np.array_equal(made(article.text, together.tokens), made(article.text, alone.tokens))
    assert "terms" in prepare_many(articles, Config())[0].tokens.memo  # made with the batch


def test_a_scan_of_several_chunks_with_the_longest_shingles_runs(monkeypatch):
    """Several chunks load the kernels before the workers fork, aligning two warm-up pairs: with
    the default settings, since with 50-word shingles those short texts hold none."""
    from dedup import compiled, detect
    from dedup.config import Config

    monkeypatch.setattr(compiled, "_started", compiled._started)  # restored afterwards
    monkeypatch.setattr(detect, "_CHUNK", 2)
    words = " ".join(f"word{i}" for i in range(60))
    articles = [{"id": str(n), "text": f"{words} and story {n} ends here."} for n in range(5)]
    result = detect.scan(articles, Config(shingle_size=50, min_passage_words=50, workers=1))
    assert compiled._started
    assert len(result.pairs) == 10 and all(p.passages for p in result.pairs)  # every two share the 60 words
