"""Invariants checked on generated corpora (hypothesis), against slow obviously-correct oracles."""

from __future__ import annotations

import random
from unittest.mock import patch

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import Config, scan
from dedup.candidates import candidates_of_texts
from dedup.detect import prepare
from dedup.normalize import tokenize, tokenize_array
from dedup.sentences import features

WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ro", "si", "tu", "va", "ze") for b in
         ("bar", "con", "dil", "fen", "gos", "hum", "jat", "kel", "mor", "nip", "pra", "quo", "rux", "sel", "tib")]
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def corpora(draw, max_docs: int = 7):
    """Random articles, some of which copy a passage of another (possibly the whole of it)."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    docs = [[rng.choice(WORDS) for _ in range(rng.randint(3, 160))] for _ in range(draw(st.integers(2, max_docs)))]
    for _ in range(draw(st.integers(0, 5))):
        src, dst = rng.randrange(len(docs)), rng.randrange(len(docs))
        start = rng.randrange(len(docs[src]))
        passage = docs[src][start : start + rng.randint(5, 120)]
        at = rng.randint(0, len(docs[dst]))
        docs[dst] = docs[dst][:at] + passage + docs[dst][at:]
    if draw(st.booleans()):
        docs.append(list(docs[0]))  # an identical copy
    punctuation = [" ", " ", " ", ", ", ". ", "\n\n"]
    return [{"id": f"d{i}", "text": "".join(w + rng.choice(punctuation) for w in words).strip()} for i, words in enumerate(docs)]


def keys(text: str) -> list[str]:
    return [t.key for t in tokenize(text)]


@PROPERTY
@given(corpora())
def test_every_passage_slices_to_matching_text_in_both_articles(corpus):
    texts = {d["id"]: d["text"] for d in corpus}
    for pair in scan(corpus).pairs:
        for p in pair.passages:
            assert texts[pair.a][p.a_start : p.a_end] == p.a_text
            assert texts[pair.b][p.b_start : p.b_end] == p.b_text
            a, b = keys(p.a_text), keys(p.b_text)
            # passages start and end on words the other side shares (pieces of one passage moved
            # within it are joined, so the two sides need not start on the same word), or on
            # sentence bounds on both sides (edited passages are widened to whole sentences)
            starts = _on_bound(texts[pair.a], p.a_start) and _on_bound(texts[pair.b], p.b_start)
            ends = _on_bound(texts[pair.a], p.a_end) and _on_bound(texts[pair.b], p.b_end)
            assert starts or (a[0] in b and b[0] in a)
            assert ends or (a[-1] in b and b[-1] in a)
            shared = sum(min(a.count(w), b.count(w)) for w in set(a))
            assert 2 * shared / (len(a) + len(b)) >= 0.5


def _on_bound(text: str, offset: int) -> bool:
    """Whether a passage's start or end offset lies on a sentence bound (between the same tokens)."""
    tokens = tokenize_array(text)
    return int(np.searchsorted(tokens.starts, offset)) in features(text, tokens).bounds.tolist()


def _comparable(result) -> dict:
    """The report without what lists input in input order (articles, skipped inputs)."""
    report = result.to_dict()
    report.pop("articles")
    report["skipped"] = sorted(report["skipped"], key=str)
    return report


@PROPERTY
@given(corpora(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order_but_for_the_arrival_rules(corpus, rnd):
    """Two candidate rules count holders in arrival order, as the index must (it cannot know who
    comes later): the first-holder rule for one shared bucket and a context triple, and the
    pairing of a crowded bucket's later members with its first. Without them, the report is the
    same in any input order; with them, a shuffle may only add or drop pairs, never change one
    found both ways."""
    import dedup.detect as detect

    shuffled = list(corpus)
    rnd.shuffle(shuffled)
    both = _comparable(scan(corpus)), _comparable(scan(shuffled))
    found = [{(p["a"], p["b"]): p for p in report["pairs"]} for report in both]
    for key in found[0].keys() & found[1].keys():
        assert found[0][key] == found[1][key]
    config = Config(max_bucket_size=len(corpus) + 1)  # no bucket is crowded
    with patch.object(detect, "first_holder_pairs", lambda short, firsts: np.empty((0, 2), np.int64)):
        unordered = _comparable(scan(corpus, config)), _comparable(scan(shuffled, config))
    for report in unordered:
        report["stats"]["lsh_passage"].pop("first_holder_pairs")
    assert unordered[0] == unordered[1]


@PROPERTY
@given(corpora())
def test_identical_articles_are_always_found(corpus):
    corpus = corpus + [{"id": "copy", "text": corpus[0]["text"]}]
    found = {(p.a, p.b): p.kind for p in scan(corpus).pairs}
    if len(keys(corpus[0]["text"])) >= Config().shingle_size:
        assert found.get(tuple(sorted(("copy", "d0")))) == "exact"


def _oracle(corpus, config):
    """Brute force: every pair's exact Jaccard and the longest run of shingles it shares verbatim."""
    docs = [prepare(_article(d), config) for d in corpus]
    docs = [d for d in docs if len(d.shingles)]
    out = {}
    for i in range(len(docs)):
        for j in range(i + 1, len(docs)):
            a, b = set(docs[i].shingles.tolist()), set(docs[j].shingles.tolist())
            out[i, j] = (len(a & b) / len(a | b), _longest_common_run(docs[i].shingles, docs[j].shingles))
    return docs, out


def _article(record):
    from dedup import Article
    return Article(id=record["id"], text=record["text"])


def _longest_common_run(x: np.ndarray, y: np.ndarray) -> int:
    best, previous = 0, {}
    for i, hx in enumerate(x.tolist()):
        current = {}
        for j, hy in enumerate(y.tolist()):
            if hx == hy:
                current[j] = previous.get(j - 1, 0) + 1
                best = max(best, current[j])
        previous = current
    return best


@PROPERTY
@given(corpora())
def test_lsh_candidates_include_what_a_brute_force_oracle_finds(corpus):
    """Pairs at or above the near-duplicate threshold, and pairs sharing a verbatim run of two
    windows, must be candidates. The miss probability the bands imply at those similarities is
    about 1e-4 or less (such a run gives several window pairs of Jaccard 0.6 or more; see the
    stats' ``miss_probability`` and the README), and runs are derandomised, so a failure here is
    a real bug, not bad luck."""
    config = Config()
    docs, oracle = _oracle(corpus, config)
    found = {tuple(p) for p in candidates_of_texts([d.article.text for d in docs], config).tolist()}
    for (i, j), (jaccard, run) in oracle.items():
        if jaccard >= config.threshold or run >= 2 * config.window_size:
            assert (i, j) in found, (docs[i].id, docs[j].id, jaccard, run)
