"""The mission's own example: the Reuters story and its rewrite, against hand-marked shared text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dedup import scan

GOLD = json.loads((Path(__file__).parent / "data" / "seed_shared_passages.json").read_text(encoding="utf-8"))


def occurrences(text: str, fragment: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(fragment)
    while start >= 0:
        spans.append((start, start + len(fragment)))
        start = text.find(fragment, start + 1)
    assert spans, f"gold fragment not in text: {fragment!r}"
    return spans


def covered(span: tuple[int, int], by: list[tuple[int, int]]) -> float:
    """Share of ``span`` inside the union of ``by``."""
    hits = set()
    for start, end in by:
        hits.update(range(max(start, span[0]), min(end, span[1])))
    return len(hits) / (span[1] - span[0])


@pytest.fixture(scope="module")
def seed_pair(seeds):
    result = scan(seeds)
    assert len(result.pairs) == 1
    return seeds, result.pairs[0]


@pytest.mark.parametrize("entry", GOLD["shared"], ids=lambda e: e["a"][:30])
def test_every_shared_passage_is_found_whole(seed_pair, entry):
    (a, b), pair = seed_pair
    best = 0.0
    for fa in occurrences(a.text, entry["a"]):
        for fb in occurrences(b.text, entry["b"]):
            for p in pair.passages:
                best = max(best, min(covered(fa, [(p.a_start, p.a_end)]), covered(fb, [(p.b_start, p.b_end)])))
    assert best >= 0.9, f"no single passage covers {entry['a']!r} on both sides (best {best:.2f})"


def test_nothing_unshared_is_reported(seed_pair):
    (a, b), pair = seed_pair
    gold_a = [s for e in GOLD["shared"] for s in occurrences(a.text, e["a"])]
    gold_b = [s for e in GOLD["shared"] for s in occurrences(b.text, e["b"])]
    for p in pair.passages:
        assert covered((p.a_start, p.a_end), gold_a) >= 0.9, p.a_text
        assert covered((p.b_start, p.b_end), gold_b) >= 0.9, p.b_text


def test_seed_pair_is_partial_reuse_with_low_whole_document_jaccard(seed_pair):
    (a, b), pair = seed_pair
    assert (pair.a, pair.b) == (a.id, b.id)  # the earlier-dated Reuters story is side a
    assert pair.kind == "partial"
    assert 0.2 < pair.jaccard < 0.35  # whole-document Jaccard misses this reuse at 0.8
    assert pair.coverage_a > 0.5 and pair.coverage_b > 0.5


def test_edited_passage_comes_back_as_one_passage(seed_pair):
    (a, b), pair = seed_pair
    start = a.text.index("The nine-day exercise")
    end = a.text.index("ease sanctions.") + len("ease sanctions.")
    holding = [p for p in pair.passages if p.a_start <= start and p.a_end >= end]
    assert len(holding) == 1
    assert "16 August" in holding[0].b_text and "denuclearisation" in holding[0].b_text
