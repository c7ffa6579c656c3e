"""The generated news-reuse corpus: gold offsets slice matching text, and seeds reproduce it."""

import random
from pathlib import Path

import pytest

from benchmarks.accuracy.corpora import load_reuters
from benchmarks.accuracy.newsreuse import generate

REUTERS = Path(__file__).resolve().parents[3] / "shared" / "data" / "reuters21578"
PHRASES = ["the U.S. said", "on Aug 16", "to privatize", "5.5 mln dlrs", "up 2.1 pct"]


def fake_bodies(n=400, seed=0):
    """Reuters-like bodies of random words: indented paragraphs, a "Reuter" sign-off."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(5000)]
    bodies = {}
    for newid in range(1, n + 1):
        paragraphs = [" ".join(rng.choices(vocabulary, k=rng.randint(8, 30)) + [rng.choice(PHRASES)]) + "."
                      for _ in range(rng.randint(2, 7))]
        bodies[str(newid)] = "\n    ".join(paragraphs) + "\n Reuter"
    return bodies


def word_overlap(susp: str, src: str) -> float:
    words = src.lower().split()
    present = set(susp.lower().split())
    return sum(w in present for w in words) / len(words)


def check_gold(corpus):
    assert corpus.cases
    for case in corpus.cases:
        susp = corpus.documents[case.susp][case.susp_start : case.susp_end]
        src = corpus.documents[case.src][case.src_start : case.src_end]
        assert susp and src and susp == susp.strip() and src == src.strip()
        assert word_overlap(susp, src) >= 0.6, (case, susp, src)


def test_gold_offsets_slice_matching_text():
    check_gold(generate(fake_bodies(), seed=3, wires=15, distractors=20))


def test_same_seed_same_corpus_and_other_seed_another():
    bodies = fake_bodies()
    first = generate(bodies, seed=7, wires=10, distractors=10)
    assert generate(bodies, seed=7, wires=10, distractors=10) == first
    assert generate(bodies, seed=8, wires=10, distractors=10) != first


def test_parts_share_no_story():
    bodies = fake_bodies()
    tuning = generate(bodies, seed=1, part="tuning", wires=10, distractors=10)
    held_out = generate(bodies, seed=1, part="held-out", wires=10, distractors=10)
    newid = lambda doc_id: doc_id.split("-")[1]  # noqa: E731
    assert not {newid(d) for d in tuning.documents} & {newid(d) for d in held_out.documents}


def test_every_gold_pair_is_evaluated_and_documents_exist():
    corpus = generate(fake_bodies(), seed=5, wires=10, distractors=10)
    assert corpus.closed
    assert corpus.gold_pairs() == set(corpus.pairs)
    assert all(doc in corpus.documents for pair in corpus.pairs for doc in pair)


@pytest.mark.skipif(not REUTERS.exists(), reason="Reuters-21578 not in ../shared/data")
def test_gold_on_real_reuters_stories():
    check_gold(generate(load_reuters(REUTERS), seed=1, wires=20, distractors=20))
