"""Scoring a whole corpus end to end with oracle reports, and the report rows and table."""

from test_newsreuse import fake_bodies

from benchmarks.accuracy import main
from benchmarks.accuracy.newsreuse import generate
from benchmarks.accuracy.report import markdown, rows
from benchmarks.accuracy.suites import score


def oracle_report(corpus, flip_every=2):
    """A report that finds every gold case exactly; every other pair written in b/a order."""
    pairs = {}
    for n, case in enumerate(corpus.cases):
        flip = n % flip_every == 0
        a, b = (case.src, case.susp) if flip else (case.susp, case.src)
        spans = (case.src_start, case.src_end, case.susp_start, case.susp_end) if flip else (
            case.susp_start, case.susp_end, case.src_start, case.src_end)
        record = pairs.setdefault(frozenset((a, b)), {"a": a, "b": b, "passages": []})
        if record["a"] != a:
            spans = spans[2:] + spans[:2]
        keys = ("a_start", "a_end", "b_start", "b_end")
        record["passages"].append(dict(zip(keys, spans)) | {"similarity": 1.0})
    return {"pairs": list(pairs.values()), "clusters": []}


def test_oracle_report_scores_perfectly():
    corpus = generate(fake_bodies(), seed=2, wires=10, distractors=10)
    scores = score(corpus, oracle_report(corpus))
    assert scores["plagdet"] == 1.0
    assert scores["pairs"]["f1"] == 1.0


def test_spurious_pair_in_closed_corpus_costs_precision():
    corpus = generate(fake_bodies(), seed=2, wires=10, distractors=10)
    report = oracle_report(corpus)
    distractors = sorted(d for d in corpus.documents if d.startswith("story-"))
    report["pairs"].append({"a": distractors[0], "b": distractors[1],
                            "passages": [{"a_start": 0, "a_end": 5, "b_start": 0, "b_end": 5}]})
    scores = score(corpus, report)
    assert scores["precision"] < 1.0 and scores["pairs"]["precision"] < 1.0


def test_rows_carry_targets_and_markdown_lists_them():
    results = {
        "clough": {"scores": {"tuning": {"clough": {
            "cut": {"total": 10, "reported": 10}, "light": {"total": 9, "reported": 8},
            "non": {"total": 20, "reported": 1}, "heavy": {"total": 9, "reported": 3}}}}},
        "reuters": {"scores": {"held-out": {"reuters": {"groups": 170, "in_one_cluster": 170}}}},
    }
    table = rows(results)
    found = next(r for r in table if r["measure"] == "cut+light found")
    assert (found["value"], found["of"], found["met"]) == (18, 19, False)
    assert next(r for r in table if r["measure"] == "groups in one cluster")["met"] is True
    text = markdown(table)
    assert "| clough | tuning | cut+light found | 18/19 | 19 | **no** |" in text
    assert "0.82" in text and "0.88" in text


def test_unknown_suite_is_a_usage_error():
    assert main(["--only=nope"]) == 2
