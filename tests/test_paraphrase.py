"""Paraphrase alignment by sentences: summaries of a longer stretch of text."""

from __future__ import annotations

from dedup.normalize import tokenize_array
from dedup.paraphrase import _pair, _seeds, _summaries, features, sentence_spans

KEPT = ["The harbour authority approved funding for a deeper shipping channel near the old docks.",
        "Dredging crews will remove silt from the riverbed during the coming winter months.",
        "Local fishermen fear the works could damage spawning grounds for salmon and trout.",
        "Engineers expect larger container vessels to reach the terminal within three years."]
SUMMARY = ["Harbour authority approved funding for deeper shipping channel by the old docks.",
           "Dredging crews remove silt from riverbed in coming winter months.",
           "Fishermen fear works damage spawning grounds of salmon and trout.",
           "Engineers expect larger container vessels reach terminal in three years."]


def filler(n: int) -> str:
    return f"Sentence number {n} talks about alpha{n} beta{n} gamma{n} delta{n} epsilon{n} zeta{n} only."


def spans(a: str, b: str):
    return sentence_spans(a, tokenize_array(a), b, tokenize_array(b), min_words=25)


def test_a_summary_of_scattered_sentences_is_one_passage_over_the_whole_stretch():
    # each kept sentence 5 sentences after the last: too far apart for the clustering of reuse
    source = " ".join(s for n, kept in enumerate(KEPT) for s in [kept] + [filler(5 * n + k) for k in range(5 if n < 3 else 0)])
    short = " ".join(["An unrelated opening sentence about the weather forecast today."] + SUMMARY)
    [span] = spans(short, source)
    assert span.summary
    a_tokens, b_tokens = tokenize_array(short), tokenize_array(source)
    assert short[a_tokens.starts[span.a0] :].startswith("Harbour") and span.a1 == len(a_tokens)
    assert span.b0 == 0 and span.b1 == len(b_tokens)


def test_a_reused_passage_of_adjacent_sentences_is_not_a_summary():
    """Even with a look-alike of one of its sentences far away, which makes its seeds reach over
    a long stretch of the other side."""
    source = " ".join([*KEPT, *(filler(n) for n in range(10)), KEPT[3], filler(10)])
    short = " ".join(SUMMARY)
    fa, fb = features(short, tokenize_array(short)), features(source, tokenize_array(source))
    seeds = _seeds(fa, fb, 0.33, 0.33)
    assert sorted(set(seeds[:, 1].tolist())) == [0, 1, 2, 3, 14]  # the seeds do reach far
    assert _summaries(seeds, _pair(fa, fb), fa, fb, min_fragment_cosine=0.34) == []
    # the same sentences scattered: a summary
    scattered = " ".join([KEPT[0], filler(0), filler(1), KEPT[1], filler(2), filler(3), KEPT[2],
                          *(filler(n) for n in range(4, 12)), KEPT[3]])
    fb = features(scattered, tokenize_array(scattered))
    assert len(_summaries(_seeds(fa, fb, 0.33, 0.33), _pair(fa, fb), fa, fb, min_fragment_cosine=0.34)) == 1


def test_a_period_after_a_space_ends_a_sentence():
    """Web text whose links were stripped leaves " . " where a sentence ended."""
    text = "It was set up under Title VII of the . It opened on July 2, 1965 with a small staff of lawyers."
    assert features(text, tokenize_array(text)).bounds.tolist() == [0, 9, 21]



def test_a_look_alike_sentence_beyond_a_reused_passage_is_not_taken_in():
    """The last reused sentence resembles its source sentence and, less, a sentence on the same
    topic a few sentences after the reused passage: the passage ends where the reuse does."""
    reused = " ".join([*SUMMARY[:3], "Engineers expect larger container vessels at the terminal."])
    topic = "Larger container vessels reach the terminal at the docks every week."
    source = " ".join([*KEPT, filler(0), filler(1), topic, filler(2)])
    fa, fb = features(reused, tokenize_array(reused)), features(source, tokenize_array(source))
    assert [3, 6] in _seeds(fa, fb, 0.28, 0.28)[:, :2].tolist()  # the look-alike does seed
    [span] = sentence_spans(reused, tokenize_array(reused), source, tokenize_array(source), min_words=25,
                            min_cosine=0.28, min_dice=0.28)
    assert span.b1 == fb.bounds[4]  # up to the end of the last reused sentence, "... three years."
    # a look-alike more alike than the sentence's own source is its partner: it stays
    closer = "Larger container vessels expect to reach the terminal."
    source = " ".join([*KEPT, filler(0), filler(1), closer, filler(2)])
    fb = features(source, tokenize_array(source))
    [span] = sentence_spans(reused, tokenize_array(reused), source, tokenize_array(source), min_words=25,
                            min_cosine=0.28, min_dice=0.28)
    assert span.b1 == fb.bounds[7]
