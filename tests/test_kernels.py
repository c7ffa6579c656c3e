"""The compiled kernels equal the numpy code and the readable definitions, on random inputs."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedup import compiled, kernels, normalize
from dedup.arrays import equal_pairs
from dedup.candidates import _CONTENT_WEIGHT, _text_shingles_numpy
from dedup.lsh import _BAND_WEIGHT, _ROW_MULTIPLIERS, _band_keys_numpy, band_keys
from dedup.normalize import key_hash, tokenize, tokenize_array
from dedup.shingle import _POSITION_MULTIPLIERS
from dedup.signature import _permuted, _sign_documents_numpy, _sign_joined_numpy, permutations

texts = st.text(alphabet=st.sampled_from("aB1 2.,'’ʼ-\n_éß²\u00a0") | st.characters())


def both_tokenisers(text: str):
    codes = normalize._codes(text)
    return normalize._tokens_compiled(codes), normalize._tokens_numpy(codes)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_tokenize_kernel_finds_exactly_the_regex_tokens(text):
    (starts, ends, hashes, foreign), (_, _, numpy_hashes, numpy_foreign) = both_tokenisers(text)
    reference = tokenize(text)
    assert starts.tolist() == [t.start for t in reference] and ends.tolist() == [t.end for t in reference]
    assert foreign.tolist() == numpy_foreign.tolist()
    assert hashes[~foreign].tolist() == numpy_hashes[~foreign].tolist()
    normalize._unicode_hashes(text, starts, ends, hashes, foreign)
    assert hashes.tolist() == [key_hash(t.key) for t in reference]


def test_long_texts_take_the_compiled_path_with_the_same_tokens(monkeypatch):
    monkeypatch.setattr(compiled, "_started", False)
    text = "The U.S. paid $1,000.50 to Café Müller's staff; e.g. 3.14 isn't ʼ news. " * 20_000
    assert len(text) >= normalize._KERNEL_MIN_CHARS
    codes = normalize._codes(text)
    starts, ends, hashes, foreign = normalize._tokens_numpy(codes)
    normalize._unicode_hashes(text, starts, ends, hashes, foreign)
    tokens = tokenize_array(text)
    assert compiled._started
    assert np.array_equal(tokens.starts, starts) and np.array_equal(tokens.ends, ends)
    assert np.array_equal(tokens.hashes, hashes)


def random_shingles(lengths: list[int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(np.uint64).max, size=sum(lengths), dtype=np.uint64, endpoint=True)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.integers(1, 90), min_size=1, max_size=8), st.integers(1, 40), st.sampled_from([1, 7, 16, 128, 256]),
       st.integers(0, 2**32 - 1))
def test_sign_kernels_equal_the_numpy_signatures(lengths, stride, num_perm, seed):
    shingles = random_shingles(lengths, seed)
    lengths = np.array(lengths, dtype=np.int64)
    a, b = permutations(num_perm, seed)
    documents, windows, owner = kernels.sign_windows(shingles, lengths, stride, a, b)
    expected = _sign_joined_numpy(shingles, lengths, a, b, stride)
    assert np.array_equal(documents, expected.documents) and np.array_equal(windows, expected.windows)
    assert np.array_equal(owner, expected.window_owner)
    assert np.array_equal(kernels.sign_documents(shingles, lengths, a, b), _sign_documents_numpy(shingles, lengths, a, b))
    rows = np.split(_permuted(shingles, a, b), np.cumsum(lengths)[:-1])
    assert np.array_equal(documents, np.array([r.min(axis=0) for r in rows]))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 30), st.sampled_from([(25, 5), (32, 4), (9, 13), (1, 1), (128, 1)]), st.integers(0, 2**32 - 1))
def test_band_key_kernel_equals_the_numpy_keys(n_items, plan, seed):
    bands, rows = plan
    rng = np.random.default_rng(seed)
    signatures = rng.integers(0, 2**32, size=(n_items, 128), dtype=np.uint32)
    keys = kernels.band_keys(signatures, bands, rows, _ROW_MULTIPLIERS, np.uint64(_BAND_WEIGHT))
    assert np.array_equal(keys, _band_keys_numpy(signatures, bands, rows))


def test_band_keys_refuse_more_values_than_a_signature_has():
    with pytest.raises(ValueError):
        band_keys(np.zeros((2, 16), dtype=np.uint32), 5, 4)


@pytest.mark.slow
def test_kernels_run_without_a_writable_cache_directory():
    # The IPython locator is the only one allowed, and it never applies to a file: numba finds
    # nowhere to cache, as on a read-only installation without a writable home directory.
    env = dict(os.environ, NUMBA_CACHE_LOCATOR_CLASSES="IPythonCacheLocator")
    code = ("from dedup import normalize; c = normalize._codes('U.S. and US'); "
            "print(normalize._tokens_compiled(c)[0].tolist())")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[0, 5, 9]"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 12), max_size=8), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_shingle_kernel_equals_the_numpy_shingles(words, size, seed):
    hashes = random_shingles(words, seed)
    words = np.array(words, dtype=np.int64)
    first_token = np.cumsum(words) - words
    ours = kernels.text_shingles(hashes, first_token, words, size, _POSITION_MULTIPLIERS, np.uint64(_CONTENT_WEIGHT))
    for got, expected in zip(ours, _text_shingles_numpy(hashes, first_token, words, size), strict=True):
        assert got.tolist() == expected.tolist()


@settings(max_examples=20, deadline=None)
@given(n=st.integers(0, 3000), seed=st.integers(0, 2**32 - 1))
def test_key_filter_kernel_sets_the_numpy_bits(n, seed):
    from dedup.store import keyfilter

    rng = np.random.default_rng(seed)
    keys = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
    keys = np.concatenate([keys, keys[: n // 3] ^ 1])  # repeats, and entries differing in the article number only
    others = rng.integers(-(2**63), 2**63 - 1, 5000, dtype=np.int64)  # mostly not held: the answers vary
    filters, answers = [], []
    for kernel in (True, False):
        with mock.patch.object(keyfilter, "use_kernels", lambda size, minimum, k=kernel: k):
            bits = keyfilter.KeyFilter()
            bits.add(keys)
            filters.append(bits.bits.copy())
            assert bits.maybe_held(keys).all()
            bits.bits[::2] = 0xFF  # half the bytes full: some absent keys pass
            answers.append(bits.maybe_held(others))
    assert np.array_equal(*filters) and int(np.unpackbits(filters[0]).sum()) <= keyfilter.HASHES * len(keys)
    assert np.array_equal(*answers) and 0 < answers[0].sum() < len(others)


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.integers(-(2**63), 2**63 - 1), max_size=200))
def test_json_integers_writes_what_json_writes(values):
    import json

    from dedup.kernels import json_integers

    array = np.array(values + [0, -1, 2**63 - 1, -(2**63)], dtype=np.int64)
    out = np.empty(21 * len(array) + 2, dtype=np.uint8)
    text = out[: json_integers(array, out)].tobytes().decode("ascii")
    assert text == json.dumps(array.tolist(), separators=(",", ":"))


small_keys = st.lists(st.integers(1, 12), max_size=40).map(lambda xs: np.array(xs, dtype=np.uint64))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(small_keys, small_keys)
def test_alignment_set_kernels_equal_the_numpy_forms(xs, ys):
    from dedup.context import first_places
    from dedup.edges import word_dice

    with_kernels = 2 * kernels.multiset_shared(xs, ys) / (len(xs) + len(ys)) if len(xs) and len(ys) else 0.0
    with mock.patch.object(compiled, "_started", False):
        assert with_kernels == word_dice(xs, ys)
    keys, first = kernels.first_place_keys(xs)
    expected = first_places(xs, np.arange(len(xs)))
    assert keys.tolist() == expected[:, 0].tolist() and first.tolist() == expected[:, 1].tolist()
    ux, uy = np.unique(xs), np.unique(ys)
    _, in_x, in_y = np.intersect1d(ux, uy, assume_unique=True, return_indices=True)
    assert [a.tolist() for a in kernels.sorted_intersection(ux, uy)] == [in_x.tolist(), in_y.tolist()]


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 200), max_size=30), st.integers(1, 3), st.integers(0, 60), st.integers(1, 4))
def test_close_runs_kernel_equals_the_numpy_form(places, count, within, apart):
    from dedup import context

    places = np.array(places, dtype=np.int64)
    with mock.patch.object(context, "_APART", apart):
        expected = context._close_runs(np.zeros(len(places), dtype=np.int64), places, 1, count, within)[0]
    assert kernels.close_runs(places, count, within, apart, context._PLACE_LIMIT) == expected


@st.composite
def sentence_entries(draw):
    """A text's content words (terms of a small vocabulary) and their ascending sentences."""
    sentences_count = draw(st.integers(1, 6))
    words = draw(st.lists(st.tuples(st.integers(0, sentences_count - 1), st.integers(1, 9)), max_size=40))
    words.sort(key=lambda w: w[0])
    sentence = np.array([s for s, _ in words], dtype=np.int64)
    return np.array([t for _, t in words], dtype=np.uint64), sentence, sentences_count


@settings(max_examples=100, deadline=None, derandomize=True)
@given(sentence_entries(), sentence_entries(), st.booleans())
def test_paraphrase_kernels_equal_the_numpy_forms(a, b, dense):
    from dedup import paraphrase, sentences

    ea, eb = sentences._entries_numpy(*a), sentences._entries_numpy(*b)
    for ours, numpy_form in ((kernels.sentence_entries(*a), ea), (kernels.sentence_entries(*b), eb)):
        assert [x.tolist() for x in ours] == [getattr(numpy_form, f).tolist() for f in sentences.Entries.__dataclass_fields__]
    rng = np.random.default_rng(len(a[0]) * 100 + len(b[0]))
    ua, ub = rng.random(len(ea.term)), rng.random(len(eb.term))
    width, size = b[2], a[2] * b[2]
    p, q = equal_pairs(ea.term, eb.term, order=eb.by_term)
    expected = paraphrase._tally(ea.sentence[p] * width + eb.sentence[q], ua[p] * ub[q], size)
    found = kernels.sentence_tally(ea.term, ea.sentence, ua, eb.term, eb.sentence, ub, eb.by_term, width, size,
                                   size if dense else 0)
    assert [x.tolist() for x in found] == [x.tolist() for x in expected]  # the same sums, bit for bit
    fa = sentences.TextFeatures(np.arange(a[2] + 1), a[0], a[1], ea)
    fb = sentences.TextFeatures(np.arange(b[2] + 1), b[0], b[1], eb)
    numpy_pair, joint = paraphrase._pair(fa, fb), paraphrase._joint(fa, fb)
    assert joint.isf.tolist() == numpy_pair.isf.tolist()
    vocab = np.union1d(ea.vocab, eb.vocab)  # each entry's code is its term's place, as _pair codes the words
    assert joint.code_a.tolist() == np.searchsorted(vocab, ea.term).tolist()
    assert joint.code_b.tolist() == np.searchsorted(vocab, eb.term).tolist()
    # the seeds' strengths to the millionth (sentence_spans asks only texts that hold content words)
    for min_cosine, min_dice in ((0.0, 0.0), (0.3, 0.3), (0.6, 0.1)) if len(a[0]) and len(b[0]) else ():
        with mock.patch.object(compiled, "_started", False):
            numpy_seeds = paraphrase._seeds(fa, fb, min_cosine, min_dice)
        with mock.patch.object(compiled, "_started", True):
            kernel_seeds = paraphrase._seeds(fa, fb, min_cosine, min_dice)
        assert kernel_seeds.dtype == numpy_seeds.dtype and kernel_seeds.tolist() == numpy_seeds.tolist()


@st.composite
def seed_points(draw, a_sentences: int = 14, b_sentences: int = 14):
    """Seeds ``(i, j, strength)`` of distinct sentence pairs, strengths often tied, in random order."""
    cells = draw(st.lists(st.tuples(st.integers(0, a_sentences - 1), st.integers(0, b_sentences - 1)), min_size=1,
                          max_size=30, unique=True))
    strengths = draw(st.lists(st.sampled_from([330_000, 500_000, 500_000, 800_000, 1_000_000]), min_size=len(cells),
                              max_size=len(cells)))
    return np.array([(i, j, s) for (i, j), s in zip(cells, strengths)], dtype=np.int64)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(seed_points(), st.integers(0, 4), st.integers(0, 2), st.data())
def test_seed_clusters_equal_the_numpy_clustering_and_trimming(points, gap, trim_gap, data):
    """Each cluster (as a set of seeds; their order inside a cluster is of no consequence), the
    clusters' order, and each trimmed cluster's size and sentences, for all the seeds and for a
    part of them (as a cluster cut again)."""
    from dedup import paraphrase

    rows = np.array(sorted(data.draw(st.sets(st.integers(0, len(points) - 1), min_size=1))), dtype=np.int64)
    members, starts, ranges, kept, trimmed = kernels.seed_clusters(points, rows, gap, trim_gap)
    clusters = paraphrase._cluster(points[rows], gap)
    assert len(starts) - 1 == len(clusters) == len(kept) == len(trimmed)
    with mock.patch.object(paraphrase, "_TRIM_GAP", trim_gap):
        for g, cluster in enumerate(clusters):
            ours = points[members[starts[g]:starts[g + 1]]]
            assert sorted(map(tuple, ours.tolist())) == sorted(map(tuple, cluster.tolist()))
            for which, group in ((g, cluster), (trimmed[g], paraphrase._trimmed(cluster))):
                sentences = [group[:, 0].min(), group[:, 0].max(), group[:, 1].min(), group[:, 1].max()]
                assert ranges[which].tolist() == sentences
            assert kept[g] == len(paraphrase._trimmed(cluster)) and (trimmed[g] == g) == (kept[g] == len(cluster))


@st.composite
def pair_features(draw):
    """Two texts' sentences (of random lengths in words) and content words, as
    :func:`dedup.sentences.features` gives them, over a shared vocabulary."""
    from dedup import sentences

    found = []
    for _ in "ab":
        count = draw(st.integers(1, 14))
        bounds = np.cumsum([0] + draw(st.lists(st.integers(1, 40), min_size=count, max_size=count)))
        words = sorted(draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(1, 30)), min_size=1,
                                     max_size=80)))
        terms = np.array([t for _, t in words], dtype=np.uint64)
        sentence = np.array([s for s, _ in words], dtype=np.int64)
        found.append(sentences.TextFeatures(bounds.astype(np.int64), terms, sentence,
                                            sentences._entries_numpy(terms, sentence, count)))
    return found


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pair_features(), st.data(), st.integers(0, 4), st.sampled_from([0.0, 0.2, 0.34, 0.6, 0.9, 1.1]))
def test_compiled_passages_equal_the_numpy_passages(features, data, max_gap, min_fragment_cosine):
    """Clusters (cut again while weak, trimmed) and summaries, with their cosines to the bit."""
    from dedup import paraphrase

    fa, fb = features
    points = data.draw(seed_points(fa.sentences, fb.sentences))
    pair, joint = paraphrase._pair(fa, fb), paraphrase._joint(fa, fb)
    expected = paraphrase._numpy_spans(points, pair, fa, fb, max_gap, min_fragment_cosine)
    assert paraphrase._compiled_spans(points, joint, fa, fb, max_gap, min_fragment_cosine) == expected


def summary_case(short_lengths, long_lengths, cells, terms=None):
    """A short text (sentences of ``short_lengths`` words) and a long one, each sentence with one
    content word (of ``terms``, or all the same), and the seeds ``cells`` (short, long sentence)."""
    from dedup import sentences

    found = []
    for lengths in (short_lengths, long_lengths):
        sentence = np.arange(len(lengths), dtype=np.int64)
        words = np.ones(len(lengths), dtype=np.uint64) if terms is None else np.array(terms[:len(lengths)], np.uint64)
        found.append(sentences.TextFeatures(np.cumsum([0, *lengths]).astype(np.int64), words, sentence,
                                            sentences._entries_numpy(words, sentence, len(lengths))))
    return found[0], found[1], np.array([(i, j, 500_000) for i, j in cells], dtype=np.int64)


@st.composite
def summary_cases(draw):
    """A few short sentences whose seeds meet sentences of a longer text; A or B is the short one."""
    short = draw(st.lists(st.sampled_from([1, 2, 3]), min_size=3, max_size=8))
    long = draw(st.lists(st.sampled_from([1, 2, 3, 6, 9, 12, 36]), min_size=1, max_size=16))
    cells = draw(st.lists(st.tuples(st.integers(0, len(short) - 1), st.integers(0, len(long) - 1)), min_size=1,
                          max_size=30, unique=True))
    fa, fb, points = summary_case(short, long, cells, draw(st.lists(st.integers(1, 5), min_size=16, max_size=16)))
    points[:, 2] = draw(st.lists(st.sampled_from([330_000, 800_000]), min_size=len(points), max_size=len(points)))
    return (fb, fa, points[:, [1, 0, 2]]) if draw(st.booleans()) else (fa, fb, points)


# (numpy's mean of the steps between a group's sentences on the long side, when it meets one)
@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered in scalar divide")
@settings(max_examples=300, deadline=None, derandomize=True)
@given(summary_cases())
@example(summary_case([1, 1, 1], [3, 3, 3], [(0, 0), (1, 2), (2, 0)]))  # 3 times as many words: the lower limit
@example(summary_case([1, 1, 1], [12, 12, 12], [(0, 0), (1, 2), (2, 2)]))  # 12 times: the upper limit
@example(summary_case([1, 1, 1], [4, 4, 4, 4], [(0, 0), (1, 1), (2, 3)]))  # half the steps one apart: not one
@example(summary_case([1, 1, 1], [9], [(0, 0), (1, 0), (2, 0)]))  # one long sentence (numpy's mean of no steps)
def test_compiled_summaries_equal_the_numpy_summaries(case):
    from dedup import paraphrase

    fa, fb, points = case
    expected = paraphrase._summaries(points, paraphrase._pair(fa, fb), fa, fb, 0.0)
    assert paraphrase._compiled_summaries(points, paraphrase._joint(fa, fb), fa, fb, 0.0) == expected


@settings(max_examples=100, deadline=None, derandomize=True)
@given(pair_features(), st.data())
def test_batched_cosines_equal_the_cosine_of_each_group(features, data):
    from dedup import paraphrase

    fa, fb = features
    corners = data.draw(st.lists(seed_points(fa.sentences, fb.sentences), min_size=1, max_size=12))
    ranges = np.array([[c[:, 0].min(), c[:, 0].max(), c[:, 1].min(), c[:, 1].max()] for c in corners])
    pair = paraphrase._pair(fa, fb)
    expected = [pair.cosine(c) for c in corners]
    assert paraphrase._cosines(paraphrase._joint(fa, fb), ranges) == expected
    with mock.patch.object(paraphrase, "_VECTOR_CELLS", 1):  # one group a kernel call
        assert paraphrase._cosines(paraphrase._joint(fa, fb), ranges) == expected


@pytest.mark.parametrize("vocabulary", [15, 16, 17, 500, 3000, 12000])
def test_batched_cosines_sum_as_blas_does_on_long_vectors(vocabulary):
    """BLAS sums a dot product in several partial sums, in blocks of 16 and on more than 10,000
    values in threads: the batched products equal each ``va @ vb`` and ``np.linalg.norm``."""
    from dedup import paraphrase, sentences

    rng = np.random.default_rng(vocabulary)
    found = []
    for count in (9, 13):
        sentence = np.sort(rng.integers(0, count, 3 * vocabulary))
        terms = rng.integers(1, vocabulary + 1, len(sentence)).astype(np.uint64)
        bounds = np.cumsum(np.concatenate([[0], rng.integers(1, 30, count)]))
        found.append(sentences.TextFeatures(bounds, terms, sentence, sentences._entries_numpy(terms, sentence, count)))
    fa, fb = found
    groups = [np.array([[i0, j0, 0], [i1, j1, 0]]) for i0, i1, j0, j1 in
              [(0, 8, 0, 12), (2, 3, 5, 5), (4, 4, 0, 1), (1, 7, 3, 11), (0, 0, 12, 12)]]
    ranges = np.array([[g[0, 0], g[1, 0], g[0, 1], g[1, 1]] for g in groups])
    pair = paraphrase._pair(fa, fb)
    assert paraphrase._cosines(paraphrase._joint(fa, fb), ranges) == [pair.cosine(g) for g in groups]


WORDS = ("farmers grew rice on small plots near the river and they still relied on good harvests for food "
         "while prices rose 12 pct in March the ministry said on Tuesday").split()


@st.composite
def reworded_pairs(draw):
    """Two texts of the same words: pieces of one reused in the other, some edited or reordered."""
    def sentence():
        words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=14))
        return " ".join(words).capitalize() + draw(st.sampled_from([". ", ".\n", "; ", "? "]))
    a = [sentence() for _ in range(draw(st.integers(1, 12)))]
    b = [draw(st.sampled_from([s, s.replace(" the ", " a "), s[::-1], sentence()])) for s in a]
    return "".join(a), "".join(draw(st.permutations(b)))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(reworded_pairs())
def test_alignment_with_the_kernels_equals_alignment_with_numpy(texts):
    from dedup import sentences
    from dedup.config import Config
    from dedup.detect import compare_documents, prepare_many
    from dedup.models import Article

    config = Config(shingle_size=3, min_passage_words=4, paraphrase_min_words=4, min_fragment_words=6)
    found = []
    for started in (False, True):
        sentences._features_cache.clear()
        with mock.patch.object(compiled, "_started", started):
            a, b = prepare_many([Article(id=str(n), text=t) for n, t in enumerate(texts)], config)
            found.append(compare_documents(a, b, config, reworded=True))
    assert found[0] == found[1]


def test_a_scan_loads_every_alignment_kernel_before_its_workers_fork():
    """The warm-up pairs run each alignment kernel, so that forked workers inherit them all."""
    alignment = ["chain_points", "close_runs", "consistent_seeds", "first_place_keys", "joint_entry_codes",
                 "multiset_shared", "range_vectors", "seed_clusters", "seed_points", "sentence_bounds",
                 "sentence_entries", "sentence_frequencies", "sentence_seeds", "sorted_intersection", "summary_groups"]
    code = ("from dedup import compiled, detect, kernels; compiled.start(); "
            "detect._load_alignment_kernels(); "
            f"print([n for n in {alignment!r} if not getattr(kernels, n).signatures])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert set(alignment) < set(kernels.__all__)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(-300, 300), st.integers(0, 3)), max_size=400),
       st.lists(st.integers(-310, 310), max_size=40))
def test_packed_spans_equal_binary_searches(held, asked):
    """The galloping pass finds each key's entries where ``np.searchsorted`` does, over long
    stretches of entries between two keys and over none."""
    owner = (1 << 24) - 1
    entries = np.unique(np.array([(key << 24) | seq for key, seq in held], dtype=np.int64))
    keys = np.unique(np.array(asked, dtype=np.int64) << 24)
    lo, hi = kernels.packed_spans(entries, keys, owner)
    assert lo.tolist() == np.searchsorted(entries, keys, "left").tolist()
    assert hi.tolist() == np.searchsorted(entries, keys | owner, "right").tolist()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.integers(-50, 50), max_size=60), st.lists(st.integers(-50, 50), max_size=60))
def test_merge_sorted_equals_a_stable_sort(a, b):
    a, b = np.sort(np.array(a, dtype=np.int64)), np.sort(np.array(b, dtype=np.int64))
    assert kernels.merge_sorted(a, b).tolist() == np.sort(np.concatenate([a, b]), kind="stable").tolist()


# Values that share some of their 8-bit digits (skipped passes) and differ in others, with repeats.
radix_values = st.lists(st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 300), st.integers(2**63 - 5, 2**63 + 5),
                                  st.sampled_from([7 << 40 | 3, 7 << 40 | 1, 9 << 56])), max_size=80)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(radix_values)
def test_radix_sort_equals_a_stable_argsort(values):
    values = np.array(values, dtype=np.uint64)
    payload = np.arange(len(values), dtype=np.uint64) * np.uint64(3)
    order = np.argsort(values, kind="stable")
    alone, none = kernels.radix_sort(values, np.empty(0, np.uint64))
    carried, moved = kernels.radix_sort(values, payload)
    assert alone.tolist() == carried.tolist() == values[order].tolist() and len(none) == 0
    assert moved.tolist() == payload[order].tolist()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.integers(-2**63, 2**63 - 1), max_size=60), st.booleans())
def test_sort_carrying_orders_signed_values_as_numpy_does(values, carry):
    """The compiled path (all lengths, signed values through their sign bit) against numpy's."""
    from dedup import arrays

    values = np.array(values, dtype=np.int64)
    payload = np.arange(len(values), dtype=np.int64) - 7 if carry else None
    with mock.patch.object(compiled, "_started", False):
        expected = arrays.sort_carrying(values, payload)
    with mock.patch.object(compiled, "_started", True), mock.patch.object(arrays, "_RADIX_MIN", 0):
        found = arrays.sort_carrying(values, payload)
        unique = arrays.sorted_unique(values)
    assert found[0].dtype == np.int64 and found[0].tolist() == expected[0].tolist() == sorted(values.tolist())
    assert (found[1] is None and expected[1] is None) or found[1].tolist() == expected[1].tolist()
    assert unique.tolist() == sorted(set(values.tolist()))


packed_entries = st.lists(st.tuples(st.integers(-8, 8), st.integers(1, 5)), max_size=60)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(packed_entries, packed_entries, st.lists(st.integers(-9, 9), max_size=20), st.integers(-9, 9))
def test_recent_keys_found_alike_by_binary_searches_one_walk_and_a_sample(first, second, asked, later):
    """However the recent keys are searched, and when the filter of a few keys asked among many
    was made before some of them came (``later``, added by article 99), or is made anew."""
    from dedup.store import sqlite

    keys = np.unique(np.array(asked, dtype=np.int64) << 24)
    runs = [np.unique(np.array([(key << 24) | seq for key, seq in run], dtype=np.int64)) for run in (first, second)]
    # numpy; one walk; a filter of the recent keys, then numpy or sampled searches
    # (the filter keeps the entries added since it was marked, or is dropped when they are many)
    for (started, walk_ratio), pending, made_anew in itertools.product(((False, 10**9), (True, 10**9), (False, 0), (True, 0)),
                                                                      (0, 10), (0, 10**9)):
        recent = sqlite._Recent()
        recent.segments, recent.seen = runs, 5
        with (mock.patch.object(compiled, "_started", started), mock.patch.object(sqlite, "_WALK_RATIO", walk_ratio),
              mock.patch.object(sqlite, "_SEARCH_MIN_ENTRIES", 0), mock.patch.object(sqlite, "_SAMPLE", 3),
              mock.patch.object(sqlite, "_RECENT_FILTER_PENDING", pending),
              mock.patch.object(sqlite, "_RECENT_FILTER_KEYS", made_anew)):
            for _ in range(2):
                wanted = set(keys.tolist())
                expected = sorted(e for run in recent.segments for e in run.tolist() if e & ~sqlite._OWNER in wanted)
                assert sorted(recent.lookup(keys).tolist()) == expected
                recent.update(0, [(99, np.array([later << 24], dtype="<i8").tobytes())])
