"""Loaders against the real corpora in ../shared/data (skipped where the data is absent)."""

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.accuracy.corpora import identical_body_groups, load_clough, load_pan13, load_reuters, read_text
from benchmarks.accuracy.splits import SPLITS, sample, split_of

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
needs = lambda name: pytest.mark.skipif(not (DATA / name).exists(), reason=f"{name} not in ../shared/data")  # noqa: E731


def collapse(text):
    return " ".join(text.split())


@needs("pan13-train")
def test_pan13_verbatim_cases_slice_equal_text():
    # Category 02 copies verbatim up to whitespace, so correct offsets give equal slices.
    corpus = load_pan13(DATA / "pan13-train", "02")
    assert (len(corpus.pairs), len(corpus.cases)) == (1000, 1252)
    for case in corpus.cases:
        susp = corpus.documents[case.susp][case.susp_start : case.susp_end]
        assert collapse(susp) == collapse(corpus.documents[case.src][case.src_start : case.src_end])


@needs("pan13-train")
def test_pan13_negatives_have_no_cases():
    corpus = load_pan13(DATA / "pan13-train", "01")
    assert len(corpus.pairs) == 1000 and not corpus.cases


@needs("clough-stevenson")
def test_clough_labels_and_encodings():
    corpus = load_clough(DATA / "clough-stevenson")
    assert len(corpus.documents) == 100
    assert Counter(corpus.meta["category"].values()) == {"non": 38, "cut": 19, "light": 19, "heavy": 19}
    assert ("g0pB_taskb", "orig_taskb") in corpus.pairs


@needs("reuters21578")
def test_reuters_bodies_and_identical_groups():
    bodies = load_reuters(DATA / "reuters21578")
    groups = identical_body_groups(bodies)
    assert len(bodies) == 19043
    assert (len(groups), sum(map(len, groups))) == (340, 683)


def test_read_text_keeps_crlf_and_falls_back(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes("caf\xe9\r\nok".encode("cp1252"))
    assert read_text(path, ("utf-8", "cp1252")) == "caf\xe9\r\nok"


def test_splits_are_stable_and_balanced():
    keys = [f"pair-{i}" for i in range(2000)]
    parts = Counter(split_of(k) for k in keys)
    assert set(parts) == set(SPLITS) and abs(parts["tuning"] - 1000) < 100
    assert sample(keys, 50) == sample(list(reversed(keys)), 50)[::-1]
