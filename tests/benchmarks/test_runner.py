"""Turning a (fake) dedup report into oriented detections."""

from benchmarks.accuracy.gold import Alignment, PairCorpus
from benchmarks.accuracy.measures import pan_scores
from benchmarks.accuracy.runner import compare_pairs, detections_from_report

DOCS = {"s": "x" * 100, "r": "y" * 100, "t": "z" * 50, "q": "w" * 50}
CORPUS = PairCorpus(
    name="fake",
    documents=DOCS,
    pairs=(("s", "r"), ("t", "q")),
    cases=(Alignment("s", 10, 30, "r", 50, 70),),
)


def passage(a_start, a_end, b_start, b_end):
    return {"a_start": a_start, "a_end": a_end, "b_start": b_start, "b_end": b_end,
            "a_text": "", "b_text": "", "similarity": 1.0}


def test_both_orders_of_a_pair_map_to_the_same_detection():
    forward = {"pairs": [{"a": "s", "b": "r", "passages": [passage(10, 30, 50, 70)]}]}
    backward = {"pairs": [{"a": "r", "b": "s", "passages": [passage(50, 70, 10, 30)]}]}
    for report in (forward, backward):
        found = detections_from_report(report, CORPUS)
        assert found.alignments == [Alignment("s", 10, 30, "r", 50, 70)]
        assert found.pairs == {("s", "r")}
        assert pan_scores(CORPUS.cases, found.alignments)["plagdet"] == 1.0


def test_unlisted_pairs_are_counted_not_scored():
    report = {"pairs": [{"a": "s", "b": "q", "passages": [passage(0, 10, 0, 10)]}]}
    found = detections_from_report(report, CORPUS)
    assert (found.alignments, found.unlisted) == ([], 1)


def test_closed_corpus_scores_unlisted_pairs_as_false_positives():
    closed = PairCorpus(name="c", documents=DOCS, pairs=CORPUS.pairs, cases=CORPUS.cases, closed=True)
    report = {"pairs": [{"a": "s", "b": "q", "passages": [passage(0, 10, 0, 10)]}]}
    found = detections_from_report(report, closed)
    assert found.pairs == {("s", "q")} and found.unlisted == 0
    assert pan_scores(closed.cases, found.alignments)["precision"] == 0.0


def test_listed_negative_pair_with_passages_is_a_false_detection():
    report = {"pairs": [{"a": "q", "b": "t", "passages": [passage(0, 5, 0, 5)]}]}
    found = detections_from_report(report, CORPUS)
    assert found.alignments == [Alignment("t", 0, 5, "q", 0, 5)]


def test_pairs_without_passages_are_not_detected():
    found = detections_from_report({"pairs": [{"a": "s", "b": "r", "passages": []}]}, CORPUS)
    assert found.pairs == set() and found.alignments == []


def test_pairs_compared_one_by_one_follow_the_report_contract():
    wire = ("The central bank raised its main interest rate by half a percentage point on Tuesday, its third "
            "increase this year, citing stubborn inflation and a weaker currency.")
    documents = {"susp": "Markets fell sharply on the news. " + wire, "src": wire,
                 "other": "A storm closed the northern ports for two days and flights were cancelled across the region."}
    report, _ = compare_pairs(documents, [("susp", "src"), ("susp", "other")])
    (pair,) = report["pairs"]
    assert {pair["a"], pair["b"]} == {"susp", "src"}
    corpus = PairCorpus(name="one", documents=documents, pairs=(("susp", "src"), ("susp", "other")),
                        cases=(Alignment("susp", 34, len(documents["susp"]), "src", 0, len(wire)),))
    found = detections_from_report(report, corpus)
    assert found.pairs == {("susp", "src")}
    assert pan_scores(corpus.cases, found.alignments)["plagdet"] > 0.95


def test_a_representative_pair_stands_for_its_identical_copies():
    documents = {**DOCS, "r2": DOCS["r"], "r3": "y" * 99 + "!"}
    corpus = PairCorpus(name="copies", documents=documents, pairs=(("s", "r"), ("s", "r2"), ("s", "r3")), cases=(
        Alignment("s", 10, 30, "r", 50, 70), Alignment("s", 10, 30, "r2", 50, 70), Alignment("s", 10, 30, "r3", 50, 70)))
    report = {"pairs": [{"a": "r", "b": "s", "passages": [passage(50, 70, 10, 30)]},
                        {"a": "r", "b": "r2", "passages": [passage(0, 100, 0, 100)]}],
              "copy_groups": [{"representative": "r", "copies": ["r2", "r3"]}]}
    found = detections_from_report(report, corpus)
    # r3 is listed as a copy but its text differs: its offsets need not hold, so it is not counted
    assert found.pairs == {("s", "r"), ("s", "r2")}
    assert sorted(found.alignments) == [Alignment("s", 10, 30, "r", 50, 70), Alignment("s", 10, 30, "r2", 50, 70)]
    without_groups = detections_from_report({"pairs": report["pairs"]}, corpus)
    assert without_groups.pairs == {("s", "r")}


def test_a_pair_the_report_lists_itself_is_not_replaced_by_a_copy_s():
    documents = {**DOCS, "r2": DOCS["r"]}
    corpus = PairCorpus(name="copies", documents=documents, pairs=(("s", "r"), ("s", "r2")), cases=())
    report = {"pairs": [{"a": "s", "b": "r", "passages": [passage(10, 30, 50, 70)]},
                        {"a": "s", "b": "r2", "passages": [passage(0, 5, 0, 5)]}],
              "copy_groups": [{"representative": "r", "copies": ["r2"]}]}
    found = detections_from_report(report, corpus)
    assert sorted(found.alignments) == [Alignment("s", 0, 5, "r2", 0, 5), Alignment("s", 10, 30, "r", 50, 70)]
