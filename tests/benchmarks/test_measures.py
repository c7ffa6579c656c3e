"""PAN measures on hand-made cases; every expected value is derived in the comment above it."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.accuracy.gold import Alignment
from benchmarks.accuracy.measures import (
    covered_chars,
    granularity,
    macro_precision,
    macro_recall,
    pair_scores,
    pan_scores,
    plagdet,
)

CASE = Alignment("s", 0, 100, "r", 0, 100)  # |CASE| = 100 + 100 = 200 characters


def test_perfect_detection_scores_one():
    # The detection is the case: every character found, none extra, one detection per case.
    scores = pan_scores([CASE], [CASE])
    assert scores["precision"] == scores["recall"] == scores["granularity"] == scores["plagdet"] == 1.0


def test_half_covering_detection_halves_recall():
    # Detection covers 50 of 100 chars on each side: recall (50 + 50) / 200 = 0.5.
    # All of its 100 chars lie in the case: precision 1. plagdet = F1 = 2 * 0.5 / 1.5 = 2/3.
    scores = pan_scores([CASE], [Alignment("s", 0, 50, "r", 0, 50)])
    assert scores["recall"] == 0.5
    assert scores["precision"] == 1.0
    assert scores["plagdet"] == pytest.approx(2 / 3)


def test_two_detections_splitting_one_case_give_granularity_two():
    # Halves [0, 50) and [50, 100) on both sides: recall 1, precision 1, granularity 2,
    # plagdet = 1 / log2(1 + 2) = 0.6309...
    halves = [Alignment("s", 0, 50, "r", 0, 50), Alignment("s", 50, 100, "r", 50, 100)]
    scores = pan_scores([CASE], halves)
    assert scores["granularity"] == 2.0
    assert scores["recall"] == scores["precision"] == 1.0
    assert scores["plagdet"] == pytest.approx(1 / math.log2(3))


def test_detection_with_no_case_drops_precision():
    # A perfect detection (precision 1) plus one on a pair with no case (precision 0):
    # macro precision (1 + 0) / 2 = 0.5; recall 1; plagdet = 2 * 0.5 / 1.5 = 2/3.
    spurious = Alignment("s2", 0, 10, "r2", 0, 10)
    scores = pan_scores([CASE], [CASE, spurious])
    assert scores["precision"] == 0.5
    assert scores["recall"] == 1.0
    assert scores["plagdet"] == pytest.approx(2 / 3)


def test_overlap_on_one_side_only_is_no_detection():
    # Same susp span, but the source span [200, 300) misses the case's [0, 100): r does not
    # detect s, so recall 0 and precision 0 (plagdet 0).
    scores = pan_scores([CASE], [Alignment("s", 0, 100, "r", 200, 300)])
    assert scores["recall"] == scores["precision"] == scores["plagdet"] == 0.0
    assert scores["granularity"] == 1.0


def test_same_spans_on_another_pair_is_no_detection():
    # Offsets match but the source document differs.
    assert macro_recall([CASE], [Alignment("s", 0, 100, "other", 0, 100)]) == 0.0


def test_overlong_detection_halves_precision():
    # Detection [0, 200) on both sides has 400 chars of which 200 are the case: precision 0.5.
    detection = Alignment("s", 0, 200, "r", 0, 200)
    assert macro_precision([CASE], [detection]) == 0.5
    assert macro_recall([CASE], [detection]) == 1.0


def test_sides_are_weighted_by_their_length():
    # Case 100 susp chars + 300 src chars = 400. Detection finds all 100 susp and 100 src chars:
    # recall (100 + 100) / 400 = 0.5; precision 1.
    case = Alignment("s", 0, 100, "r", 0, 300)
    detection = Alignment("s", 0, 100, "r", 0, 100)
    assert macro_recall([case], [detection]) == 0.5
    assert macro_precision([case], [detection]) == 1.0


def test_one_detection_covering_two_cases():
    # Two adjacent cases, one detection over both: each case fully recalled (recall 1), each
    # case has one detection (granularity 1), and all 400 detection chars lie in the union of
    # the cases (precision 1).
    cases = [CASE, Alignment("s", 100, 200, "r", 100, 200)]
    scores = pan_scores(cases, [Alignment("s", 0, 200, "r", 0, 200)])
    assert (scores["precision"], scores["recall"], scores["granularity"]) == (1.0, 1.0, 1.0)


def test_overlapping_detections_count_shared_chars_once():
    # [0, 60) and [40, 100): the union covers the case (recall 1), not 120 % of it; both
    # detections detect the case, so granularity 2.
    detections = [Alignment("s", 0, 60, "r", 0, 60), Alignment("s", 40, 100, "r", 40, 100)]
    assert macro_recall([CASE], detections) == 1.0
    assert granularity([CASE], detections) == 2.0


def test_macro_average_over_cases():
    # Case 1 found fully (1.0), case 2 on another pair not at all (0.0): recall (1 + 0) / 2.
    other = Alignment("t", 0, 10, "q", 0, 10)
    assert macro_recall([CASE, other], [CASE]) == 0.5


def test_empty_conventions_follow_pan():
    # Nothing to find and nothing found: perfect. Cases without detections, or detections
    # without cases (a negatives-only set like PAN 01): precision and recall 0.
    assert pan_scores([], [])["plagdet"] == 1.0
    assert macro_recall([CASE], []) == macro_precision([CASE], []) == 0.0
    assert macro_precision([], [CASE]) == 0.0
    assert granularity([CASE], []) == 1.0


def test_plagdet_matches_reference_values():
    # Values from the PAN reference implementation's own unit tests.
    assert plagdet(1.0, 0.5, 1.0) == pytest.approx(2 / 3)
    assert plagdet(0.75, 0.25, 2.0) == pytest.approx(0.23659865)
    assert plagdet(0.0, 0.0, 1.0) == 0.0


def test_pair_scores():
    # Gold {ab, cd}, reported {ab, ef}: 1 hit of 2 reported (P 0.5) and 2 true (R 0.5).
    scores = pair_scores({("a", "b"), ("c", "d")}, {("a", "b"), ("e", "f")})
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.5, 0.5, 0.5)
    assert pair_scores(set(), set())["f1"] == 1.0


spans = st.tuples(st.integers(0, 60), st.integers(0, 60)).map(sorted).map(tuple)


@given(st.integers(0, 50), st.integers(0, 50), st.lists(spans, max_size=6))
def test_covered_chars_agrees_with_set_oracle(start, length, others):
    end = start + length
    oracle = set(range(start, end)) & {i for lo, hi in others for i in range(lo, hi)}
    assert covered_chars(start, end, others) == len(oracle)


alignments = st.builds(
    lambda s, a, b, c, d: Alignment(s, a, a + b, "r", c, c + d),
    st.sampled_from(["s1", "s2"]),
    st.integers(0, 100),
    st.integers(1, 50),
    st.integers(0, 100),
    st.integers(1, 50),
)


@given(st.lists(alignments, max_size=5), st.lists(alignments, max_size=5))
def test_measures_are_bounded(cases, detections):
    scores = pan_scores(cases, detections)
    assert 0.0 <= scores["precision"] <= 1.0
    assert 0.0 <= scores["recall"] <= 1.0
    assert scores["granularity"] >= 1.0
    assert 0.0 <= scores["plagdet"] <= 1.0
