"""The vectorised alignment helpers against slow, obviously correct forms of the same thing.

Every test runs twice: with the numpy code, and with the compiled kernels (:mod:`dedup.kernels`)
that take its place in a process that runs them.
"""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import sparse

from dedup import align, chains, compiled, paraphrase, sentences
from dedup.arrays import equal_pairs, ranks
from dedup.normalize import tokenize_array

# (The fixture below only sets which code runs: it need not be reset between examples.)
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True, params=["numpy", "kernels"])
def code_path(request, monkeypatch):
    monkeypatch.setattr(compiled, "_started", request.param == "kernels")
    sentences._features_cache.clear()  # features made by the other path must not serve this one
    yield request.param
    sentences._features_cache.clear()
small_ints = st.lists(st.integers(0, 6), max_size=30).map(lambda xs: np.array(xs, dtype=np.uint64))
WORDS = ["Mr", "U.S", "farm", "farmers", "the", "rice", "grew", "plots", "a", "Dr", "food", "it", "No", "2024", "e.g"]
GAPS = [" ", " ", " ", ". ", ".\" ", "? ", "! ", "; ", ": ", ".\n", "\n\n", ", ", " (", ") ", ".)", "...", ". . ", " . ", "  .\" ", ", . ", " ;\n",
        ".\t", "\t.\x1c", ".')] ", ".\r\n", " \x0b! ", ".\x7f ", ".\u2019 ", ".\u00a0"]  # other spaces; text beyond ASCII


@st.composite
def texts(draw, max_words: int = 60) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), max_size=max_words))
    gaps = draw(st.lists(st.sampled_from(GAPS), min_size=len(words), max_size=len(words)))
    return draw(st.sampled_from(["", " ", "\n", "("])) + "".join(w + g for w, g in zip(words, gaps))


@PROPERTY
@given(st.lists(st.integers(0, 5), max_size=20))
def test_ranks_count_up_within_each_group(counts):
    assert ranks(np.array(counts, dtype=np.int64)).tolist() == [r for c in counts for r in range(c)]


@PROPERTY
@given(small_ints, small_ints)
def test_equal_pairs_lists_every_equal_pair_in_order(xs, ys):
    p, q = equal_pairs(xs, ys)
    expected = [(i, j) for i in range(len(xs)) for j in range(len(ys)) if xs[i] == ys[j]]
    assert list(zip(p.tolist(), q.tolist())) == expected


def _seeds_slow(x: np.ndarray, y: np.ndarray) -> list[tuple[int, int]]:
    pairs = [(i, j) for i in range(len(x)) for j in range(len(y)) if x[i] == y[j]]
    guard = chains._MAX_SEED_MULTIPLICITY
    return [(i, j) for i, j in pairs if (x == x[i]).sum() * (y == x[i]).sum() <= guard]


@PROPERTY
@given(small_ints, small_ints)
def test_shingle_seeds_match_every_pair_within_the_boilerplate_guard(x, y):
    assert [tuple(s) for s in chains.seeds(x, y).tolist()] == _seeds_slow(x, y)


@PROPERTY
@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.integers(0, 10))
def test_seed_guard_drops_shingles_repeated_too_often(values, extra):
    x = np.array(values + [9] * extra, dtype=np.uint64)
    assert [tuple(s) for s in chains.seeds(x, x).tolist()] == _seeds_slow(x, x)


def _chain_seeds_slow(points: np.ndarray, reach: int) -> list[list[tuple[int, int]]]:
    """Greedy chaining, every open chain searched for every seed."""
    open_chains, done = [], []
    for i, j in points.tolist():
        done += [c for c in open_chains if i - c[-1][0] > reach]
        open_chains = [c for c in open_chains if i - c[-1][0] <= reach]
        costs = [(max(i - c[-1][0], j - c[-1][1]) + abs((i - c[-1][0]) - (j - c[-1][1])), n)
                 for n, c in enumerate(open_chains) if 0 < i - c[-1][0] <= reach and 0 < j - c[-1][1] <= reach]
        if costs:
            open_chains[min(costs)[1]].append((i, j))
        else:
            open_chains.append([(i, j)])
    return sorted(done + open_chains)


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(1, 8)), max_size=30), st.integers(0, 6))
@example(runs=[(0, 2, 1), (2, 0, 1), (3, 3, 1)], reach=6)  # (3, 3) costs both chains 5: the oldest takes it
def test_chains_match_searching_every_open_chain(runs, reach):
    diagonals = {(i + t, j + t) for i, j, length in runs for t in range(length)}  # copied passages
    points = np.array(sorted(diagonals), dtype=np.int64).reshape(-1, 2)
    assert sorted(c.seeds for c in chains.chain_seeds(points, reach)) == _chain_seeds_slow(points, reach)


@PROPERTY
@given(st.lists(st.integers(0, 60), min_size=1, max_size=60, unique=True), st.data(), st.integers(1, 7))
def test_chain_hits_count_the_words_the_seeds_cover(i_values, data, k):
    i = sorted(i_values)
    j = sorted(data.draw(st.lists(st.integers(0, 90), min_size=len(i), max_size=len(i), unique=True)))
    chain = chains.chain_seeds(np.array(list(zip(i, j)), dtype=np.int64), reach=100)[0]
    assert chain.seeds == list(zip(i, j))
    span = align._chain_span(chain, k)
    assert span.hit_a == len({w for x in i for w in range(x, x + k)})
    assert span.hit_b == len({w for y in j for w in range(y, y + k)})


@PROPERTY
@given(st.lists(st.integers(0, 8), max_size=17), st.lists(st.integers(0, 8), max_size=17), st.integers(0, 4))
def test_extension_shortcut_changes_nothing(a, b, max_gap):
    assert align._extension(a, b, max_gap) == align._matched_extension(a, b, max_gap)


@PROPERTY
@given(texts())
def test_sentence_boundaries_match_the_gap_by_gap_form(text):
    tokens = tokenize_array(text)
    assert sentences._boundaries(text, tokens).tolist() == sentences._boundaries_slow(text, tokens).tolist()


@PROPERTY
@given(texts())
def test_terms_by_key_hash_match_stemming_each_word(text):
    tokens = tokenize_array(text)
    expected = [sentences._term(text[s:e]) for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist())]
    assert sentences._terms(text, tokens).tolist() == expected


@PROPERTY
@given(st.lists(texts(), min_size=1, max_size=4))
def test_compiled_term_table_matches_stemming_each_word_as_it_grows(batch):
    """A fresh compiled table of 4 slots (so that it grows several times): the same terms as
    stemming every word, text after text."""
    table = sentences._TermTable()
    table.keys, table.values = np.zeros(4, np.uint64), np.zeros(4, np.uint64)
    seen = set()
    for text in batch:
        tokens = tokenize_array(text)
        expected = [sentences._term(text[s:e]) for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist())]
        assert table._by_table(text, tokens).tolist() == expected
        assert table._by_table(text, tokens).tolist() == expected  # now all found in the table
        seen |= set(tokens.hashes.tolist()) - {0}
        assert table.size == len(seen) and 2 * table.size <= len(table.keys)


@PROPERTY
@given(texts())
def test_entries_count_each_term_of_each_sentence(text):
    f = sentences.features(text, tokenize_array(text))
    pairs = list(zip(f.term_sentence.tolist(), f.terms.tolist()))
    e = f.entries
    assert list(zip(e.sentence.tolist(), e.term.tolist())) == sorted(set(pairs))
    assert e.count.tolist() == [pairs.count(key) for key in sorted(set(pairs))]
    assert e.vocab.tolist() == sorted(set(f.terms.tolist()))
    assert e.frequency.tolist() == [len({s for s, t in set(pairs) if t == term}) for term in e.vocab.tolist()]
    assert (e.vocab[e.vocab_index] == e.term).all() and (np.diff(e.term[e.by_term].astype(float)) >= 0).all()
    assert e.size.tolist() == [len({t for s, t in pairs if s == n}) for n in range(f.sentences)]


def _sentence_seeds_scipy(fa, fb, min_cosine: float, min_dice: float) -> dict[tuple[int, int], float]:
    """Sentence seeds with scipy sparse matrices (the form the array code replaced), with their
    cosines."""
    vocab, codes = np.unique(np.concatenate([fa.terms, fb.terms]), return_inverse=True)
    ca, cb = codes[: len(fa.terms)], codes[len(fa.terms) :]
    ma = sparse.csr_matrix((np.ones(len(ca)), (fa.term_sentence, ca)), shape=(fa.sentences, len(vocab)))
    mb = sparse.csr_matrix((np.ones(len(cb)), (fb.term_sentence, cb)), shape=(fb.sentences, len(vocab)))
    ma.sum_duplicates()
    mb.sum_duplicates()
    df = np.bincount(ma.indices, minlength=len(vocab)) + np.bincount(mb.indices, minlength=len(vocab))
    isf = np.log((fa.sentences + fb.sentences) / np.maximum(df, 1))

    def unit(m):
        w = m.multiply(isf[None, :]).tocsr()
        norms = np.sqrt(np.asarray(w.multiply(w).sum(axis=1)).ravel())
        w.data /= np.repeat(np.maximum(norms, 1e-12), np.diff(w.indptr))
        return w

    cos = (unit(ma) @ unit(mb).T).toarray()
    ba, bb = (ma > 0).astype(np.float64).toarray(), (mb > 0).astype(np.float64).toarray()
    dice = 2 * (ba @ bb.T) / np.maximum(ba.sum(axis=1)[:, None] + bb.sum(axis=1)[None, :], 1)
    return {(int(i), int(j)): float(cos[i, j]) for i, j in zip(*np.nonzero((cos >= min_cosine) & (dice >= min_dice)))}


@PROPERTY
@given(texts(), texts(), st.sampled_from([0.1, 0.2, 0.33, 0.6]))
def test_sentence_seeds_match_sparse_matrix_algebra(a, b, threshold):
    fa, fb = paraphrase.features(a, tokenize_array(a)), paraphrase.features(b, tokenize_array(b))
    if len(fa.terms) == 0 or len(fb.terms) == 0:
        return
    found = paraphrase._seeds(fa, fb, threshold, threshold)
    expected = _sentence_seeds_scipy(fa, fb, threshold, threshold)
    assert {(i, j) for i, j, _ in found.tolist()} == set(expected)
    # each seed carries its cosine, in millionths
    assert all(abs(strength - expected[i, j] * paraphrase._STRENGTH_SCALE) <= 1 for i, j, strength in found.tolist())


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=1500))
def test_locality_order_only_reorders_the_candidate_pairs(pairs):
    from dedup.batches import locality_order

    candidates = np.array(sorted({(min(p), max(p)) for p in pairs if p[0] != p[1]}), dtype=np.int64).reshape(-1, 2)
    assert sorted(map(tuple, locality_order(candidates).tolist())) == sorted(map(tuple, candidates.tolist()))


@PROPERTY
@given(st.sets(st.integers(0, 50)), st.sets(st.integers(0, 50)))
def test_shared_shingles_count_the_intersection(xs, ys):
    from dedup.detect import _shared

    as_array = lambda values: np.array(sorted(values), dtype=np.uint64)  # noqa: E731
    assert _shared(as_array(xs), as_array(ys)) == len(xs & ys)


@PROPERTY
@given(st.text(alphabet="0123456789 ²٣৭Ⅻ abcXYZ.,é", max_size=80))
def test_figure_flags_read_from_code_points_match_isdigit(text):
    tokens = tokenize_array(text)
    assert align._starts_with_digit(text, tokens.starts).tolist() == [text[i].isdigit() for i in tokens.starts.tolist()]


@PROPERTY
@given(texts(), texts())
def test_context_checks_answer_the_same_from_fresh_tokens_and_from_memo(a, b):
    """What Tokens.memo keeps serves later calls: the same answers as tokens met for the first time."""
    from dedup import context

    ta, tb = tokenize_array(a), tokenize_array(b)
    first = (context.shared_together(a, ta, b, tb, count=1), context.shared_triples(a, ta, b, tb))
    assert {"terms", "triples", "triple_places"} <= ta.memo.keys()
    again = (context.shared_together(a, ta, b, tb, count=1), context.shared_triples(a, ta, b, tb))
    fresh = (context.shared_together(a, tokenize_array(a), b, tokenize_array(b), count=1),
             context.shared_triples(a, tokenize_array(a), b, tokenize_array(b)))
    assert first == again == fresh
    assert sentences.content_terms(a, ta) is ta.memo["terms"]


@PROPERTY
@given(st.lists(st.integers(1, 9), min_size=1, max_size=8), st.lists(st.integers(1, 9), min_size=1, max_size=8),
       st.data())
def test_seeds_that_contradict_a_verbatim_passage_are_dropped_as_read_one_by_one(lengths_a, lengths_b, data):
    bounds_a, bounds_b = np.cumsum([0, *lengths_a]), np.cumsum([0, *lengths_b])
    seeds = data.draw(st.lists(st.tuples(st.integers(0, len(lengths_a) - 1), st.integers(0, len(lengths_b) - 1),
                                         st.integers(0, 10**6)), max_size=12))
    fixed = data.draw(st.lists(st.tuples(st.integers(0, bounds_a[-1]), st.integers(0, bounds_a[-1]),
                                         st.integers(0, bounds_b[-1]), st.integers(0, bounds_b[-1])), max_size=3))
    fixed = [(min(a0, a1), max(a0, a1), min(b0, b1), max(b0, b1)) for a0, a1, b0, b1 in fixed]
    points = np.array(seeds, dtype=np.int64).reshape(-1, 3)
    features = [sentences.TextFeatures(np.array(b, dtype=np.int64), None, None, None) for b in (bounds_a, bounds_b)]

    def contradicts(i, j, a0, a1, b0, b1):
        (x0, x1), (y0, y1) = (bounds_a[i], bounds_a[i + 1]), (bounds_b[j], bounds_b[j + 1])
        inside_a, inside_b = 2 * (min(x1, a1) - max(x0, a0)) >= x1 - x0, 2 * (min(y1, b1) - max(y0, b0)) >= y1 - y0
        meets_a, meets_b = x0 < a1 and a0 < x1, y0 < b1 and b0 < y1
        return (inside_a and not meets_b) or (inside_b and not meets_a)

    expected = [s for s in seeds if not any(contradicts(s[0], s[1], *f) for f in fixed)]
    assert paraphrase._consistent(points, *features, fixed).tolist() == [list(s) for s in expected]
