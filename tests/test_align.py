"""Passage alignment on hand-made cases: reordering, edits, repetition, offsets."""

from __future__ import annotations

import numpy as np

from dedup.align import align, seeds
from dedup.normalize import tokenize_array
from dedup.shingle import shingle_hashes
from dedup.spans import Span, one_place

P1 = "The central bank raised its main interest rate by half a percentage point on Tuesday to curb inflation."
P2 = "Opposition lawmakers said the decision would hurt small businesses that are already struggling with debt."
P3 = "The finance ministry is expected to publish revised growth forecasts for the coming year next month."
OWN_A = "Our correspondent in the capital reports that traders were caught by surprise by the timing."
OWN_B = "Local shopkeepers interviewed on Wednesday were divided about what the change would mean for them."


def run(a: str, b: str, **overrides):
    options = {"shingle_size": 5, "min_passage_words": 8, "max_gap_words": 12, **overrides}
    ta, tb = tokenize_array(a), tokenize_array(b)
    k = options["shingle_size"]
    return align(a, ta, shingle_hashes(ta.hashes, k), b, tb, shingle_hashes(tb.hashes, k), **options)


def test_seeds_are_all_matching_shingle_positions():
    x = np.array([5, 7, 5, 9], dtype=np.uint64)
    y = np.array([9, 5, 1, 5], dtype=np.uint64)
    assert seeds(x, y).tolist() == [[0, 1], [0, 3], [2, 1], [2, 3], [3, 0]]


def test_reordered_paragraphs_are_each_found():
    a = "\n\n".join([P1, OWN_A, P2, P3])
    b = "\n\n".join([P3, OWN_B, P1, P2])
    passages = run(a, b)
    found = {p.a_text.strip() for p in passages}
    assert P1 in found and P3 in found and any(P2 in f for f in found)
    for p in passages:
        assert a[p.a_start : p.a_end] == p.a_text and b[p.b_start : p.b_end] == p.b_text


def test_small_edits_inside_a_passage_give_one_passage():
    edited = P1.replace("Tuesday", "Tuesday, 16 August,").replace("its main", "its key")
    [passage] = run(f"{OWN_A} {P1} {OWN_A}", f"{OWN_B} {edited} {OWN_B}")
    assert passage.a_text == P1 and passage.b_text == edited
    assert 0.7 < passage.similarity < 1.0


def test_verbatim_copy_has_similarity_one_and_exact_offsets():
    a, b = f"{OWN_A} {P2}", f"{P2} {OWN_B}"
    [passage] = run(a, b)
    assert passage.a_text == P2 and passage.b_text == P2 and passage.similarity == 1.0
    assert (passage.b_start, passage.b_end) == (0, len(P2))


def test_passages_shorter_than_the_minimum_are_not_reported():
    assert run("alpha beta gamma delta epsilon zeta", "one alpha beta gamma delta epsilon two") == []
    assert len(run(f"{OWN_A} {P1}", f"{P1} {OWN_B}", min_passage_words=30)) == 0


def test_a_paragraph_repeated_in_one_article_is_matched_once_at_its_first_copy():
    a = f"{P1}\n\n{OWN_A}\n\n{P1}"
    passages = run(a, f"{OWN_B} {P1}")
    assert [(p.a_start, p.b_text) for p in passages] == [(0, P1)]


def test_unrelated_texts_share_nothing():
    assert run(P1 + " " + P2, OWN_A + " " + OWN_B) == []


SOURCE = ("After emancipation there was an expansion of peasant farming as many of the freed workers acquired "
          "their own lands. Some of them practised rice farming on a small scale, but they still continued to "
          "depend on other crops for their main source of food. Some attempts at large scale rice farming were "
          "not successful because of an irregular supply of irrigation water and poor knowledge of methods.")
SHUFFLED = ("Some of them practised farming rice on scale small, but still they continued depending on crops "
            "other for main their source of food. After emancipation an expansion was there of farming peasant as "
            "many workers freed of estates acquired own their lands. Attempts some at scale large farming of rice "
            "were successful not because an supply irregular of water irrigation and knowledge poor of methods.")


def test_a_paraphrased_passage_with_shuffled_sentences_is_one_passage():
    a, b = f"{OWN_A}\n\n{SOURCE}\n\n{OWN_A}", f"{OWN_B}\n\n{SHUFFLED}\n\n{OWN_B}"
    [passage] = run(a, b, paraphrase_min_words=40)
    # found from the words both sides share, then widened to the whole sentences (dedup.edges)
    assert passage.a_text == SOURCE and passage.b_text == SHUFFLED


def test_an_incidental_phrase_far_from_any_passage_is_not_reported():
    phrase = "possess a high school diploma or its equivalent"
    a = f"Applicants must {phrase} and two years of experience. {OWN_A} {P1}"
    b = f"{P1} {OWN_B} Students who {phrase} may enrol in the autumn."
    passages = run(a, b, min_fragment_words=20)
    assert [p.a_text for p in passages] == [P1]
    assert len(run(a, b, min_fragment_words=0)) == 2


def test_alignment_mirrors_when_the_sides_swap():
    a, b = f"{P1} {OWN_A} {SOURCE}", f"{SHUFFLED} {OWN_B} {P1}"
    forward = [(p.a_start, p.a_end, p.b_start, p.b_end) for p in run(a, b, paraphrase_min_words=40)]
    backward = [(p.b_start, p.b_end, p.a_start, p.a_end) for p in run(b, a, paraphrase_min_words=40)]
    assert sorted(forward) == sorted(backward) and len(forward) == 2


def test_a_pair_sharing_one_short_phrase_is_not_looked_at_for_paraphrase(monkeypatch):
    """One stock phrase (consecutive seeds on one diagonal, shorter than a passage) skips the
    paraphrase stage; two separate shared phrases do not."""
    calls = []
    monkeypatch.setattr("dedup.align.sentence_spans", lambda *a, **k: calls.append(1) or [])
    phrase, other = "said in a statement on", "according to people familiar with the matter"
    one = run(f"{OWN_A} The ministry {phrase} Monday.", f"{OWN_B} A spokesman {phrase} Friday.",
              paraphrase_min_words=10)
    assert one == [] and calls == []
    run(f"The ministry {phrase} Monday. {OWN_A} Rates rose, {other}.",
        f"A spokesman {phrase} Friday. {OWN_B} Prices fell, {other}.", paraphrase_min_words=10)
    assert calls == [1]


def test_a_pair_sharing_one_phrase_and_reworded_text_is_looked_at_for_paraphrase(monkeypatch):
    """Besides the one phrase, these share 3 context triples in two separate runs (a reworded
    sentence), as a pair found by triples must to be aligned without shared shingles."""
    calls = []
    monkeypatch.setattr("dedup.align.sentence_spans", lambda *a, **k: calls.append(1) or [])
    phrase = "said in a statement on"
    run(f"The ministry {phrase} Monday. Regional authorities closed the crossing to freight traffic until "
        "repairs to the bridge are finished, officials added.",
        f"A spokesman {phrase} Friday. Until bridge repairs are finished, authorities regional closed to "
        "freight traffic the crossing, officials added.", paraphrase_min_words=10)
    assert calls == [1]


def test_weaker_sentence_pairs_seed_paraphrase_only_in_pairs_without_a_verbatim_copy(monkeypatch):
    """A pair that copies a long passage verbatim is held to a stricter sentence similarity than
    one sharing only reworded text (dedup.align._COPIED_SEED, _REWORDED_SEED)."""
    calls = []
    monkeypatch.setattr("dedup.align.sentence_spans", lambda *a, **k: calls.append(k.get("min_cosine")) or [])
    copy = f"{P1} {P2} {P3}"
    run(f"{OWN_A} {copy}", f"{copy} {OWN_B}", paraphrase_min_words=25)
    run(f"{OWN_A}\n\n{SOURCE}", f"{SHUFFLED}\n\n{OWN_B}", paraphrase_min_words=25)
    assert calls == [0.6, 0.28]


def test_each_side_of_a_paraphrase_passage_is_narrowed_on_its_own():
    """A reworded passage whose first sentence was moved to its end on the other side keeps
    that sentence on both sides; only words with no counterpart at the edges are cut."""
    from dedup.align import Span, _anchor
    from dedup.sentences import content_terms

    a = ("Meanwhile, yesterday the harvest festival began in the village square. Some of them practised "
         "rice farming on a small scale, but still depended on other crops for food.")
    b = ("Some practised rice farming on a small scale, yet still depended on other crops for food. The "
         "village square hosted the opening of the harvest festival yesterday, officials noted.")
    ta, tb = tokenize_array(a), tokenize_array(b)
    span = _anchor(Span(0, len(ta), 0, len(tb), 10, 10), content_terms(a, ta), content_terms(b, tb))
    assert a[ta.starts[span.a0] :].startswith("yesterday the harvest") and a[: ta.ends[span.a1 - 1]].endswith("food")
    assert b[tb.starts[span.b0] :].startswith("practised rice") and b[: tb.ends[span.b1 - 1]].endswith("yesterday")


def test_a_copy_at_one_end_of_a_reworded_passage_and_the_other_end_of_its_rewrite_is_apart():
    """Two paragraphs in the other order, one copied and one reworded, with the rewrite's own
    text between them, are two passages; with nothing between them, one."""
    apart = run(f"{P1} {OWN_A} {SOURCE}", f"{SHUFFLED} {OWN_B} {P1}", paraphrase_min_words=40)
    assert sorted(p.a_text for p in apart) == sorted([P1, SOURCE])
    [together] = run(f"{OWN_A} {P1} {SOURCE}", f"{SHUFFLED} {P1} {OWN_B}", paraphrase_min_words=40)
    assert together.a_text == f"{P1} {SOURCE}" and together.b_text == f"{SHUFFLED} {P1}"


def test_a_sentence_the_other_text_repeats_is_reported_where_it_was_copied_from():
    notice = "For all inquiries about the course, please call the school office or send us an email today."
    a = "\n\n".join([OWN_A, P1 + " " + notice + " " + P2, P3])
    b = "\n\n".join([notice, OWN_B, P1 + " " + notice + " " + P2, "Archive.", notice])
    passages = run(a, b)
    assert [(p.a_text, p.b_text) for p in passages] == [(P1 + " " + notice + " " + P2,) * 2]


def test_a_passage_grown_over_its_neighbour_on_one_side_does_not_hide_the_neighbour():
    spans = [Span(0, 50, 0, 50, 50, 50), Span(40, 70, 60, 90, 20, 20)]
    ha, hb = np.arange(100), np.r_[np.arange(50), np.arange(300, 350)]
    assert one_place(spans, ha, hb) == spans


def test_pieces_that_widening_brings_together_are_joined(monkeypatch):
    import dedup.align as align_module
    from dedup.align import _finished

    # Reworded sentences moved within one passage: two edited pieces, crossed and 10 words apart,
    # whose edges each widen to the sentence bound the other starts at.
    text = " ".join(f"w{i}" for i in range(60))
    grown = {(0, 10, 30, 40): (0, 20, 20, 40), (20, 30, 0, 10): (20, 40, 0, 20)}
    monkeypatch.setattr(align_module, "widen", lambda span, *rest: grown[span])
    tokens = tokenize_array(text)
    spans = _finished([Span(0, 10, 30, 40, 7, 7), Span(20, 30, 0, 10, 7, 7)], text, tokens, text, tokens)
    assert [(s.a0, s.a1, s.b0, s.b1) for s in spans] == [(0, 40, 0, 40)]


def test_the_pieces_of_a_summary_become_one_passage_and_neighbouring_copies_do_not():
    from dedup.spans import summaries

    # Three summary sentences in a row on A, each summing up a stretch spread over B.
    pieces = [Span(100, 120, 0, 90, 12, 12), Span(121, 140, 300, 340, 10, 10), Span(150, 170, 600, 640, 9, 9)]
    assert [(s.a0, s.a1, s.b0, s.b1) for s in summaries(pieces)] == [(100, 170, 0, 640)]
    # Two copied paragraphs next to each other on A, taken from far apart in B: two passages.
    copies = [Span(100, 140, 0, 40, 40, 40), Span(141, 180, 500, 539, 39, 39)]
    assert summaries(copies) == copies


def test_texts_with_the_same_words_skip_paraphrase_and_align_whole(monkeypatch):
    import dedup.align as module

    text = "\n\n".join([P1, P2, P3])
    options = {"paraphrase_min_words": 25, "min_fragment_words": 20}
    expected = run(text, text, **options)
    assert [(p.a_start, p.a_end, p.b_start, p.b_end) for p in expected] == [(0, len(text), 0, len(text))]
    calls = []
    real = module.sentence_spans
    monkeypatch.setattr(module, "sentence_spans", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert run(text, "  " + text + "\n", **options) == [
        module.Passage(a_start=0, a_end=len(text), b_start=2, b_end=len(text) + 2, a_text=text, b_text=text,
                       similarity=expected[0].similarity)]
    assert calls == []  # nothing is left outside the copy
    edited = text.replace("half a percentage point", "a quarter of a point")
    run(text, edited, **options)
    assert calls  # one word differs: paraphrase alignment still looks


def test_similarity_is_the_share_of_words_both_sides_hold():
    text = "\n\n".join([P1, P2, P3])
    edited = text.replace("half a percentage point", "half a full point")
    (passage,) = run(text, edited, paraphrase_min_words=25, min_fragment_words=20)
    words = len(tokenize_array(text).hashes)
    assert passage.a_text == text and passage.b_text == edited
    # one word replaced on each side: every other word is held by both
    assert passage.similarity == round((words - 1) / words, 4) < 1.0


# A sentence with most of its small words deleted and one replaced, the rest left in order: what
# random edits leave of reused text (PAN 2013 03), too short for the first look's paraphrase.
_SOURCE = ("The regional water authority approved a plan on Thursday to build three reservoirs in the northern "
           "valleys, after two dry summers left farmers short of irrigation water. Engineers expect construction "
           "to begin next spring and to take about four years, while environmental groups warned that flooding the "
           "valleys would destroy wetlands used by migrating birds. The authority said compensation would be "
           "offered to landowners whose fields are flooded.")
_EDITED = ("Engineers expect building spring four years, environmental groups cautioned flooding valleys destroy "
           "wetlands migrating birds.")


def _look(text_a: str, text_b: str, look_again: bool) -> list:
    ta, tb = tokenize_array(text_a), tokenize_array(text_b)
    return align(text_a, ta, shingle_hashes(ta.hashes, 5), text_b, tb, shingle_hashes(tb.hashes, 5),
                 shingle_size=5, min_passage_words=8, max_gap_words=12, paraphrase_min_words=25,
                 min_fragment_words=20, look_again=look_again)


def test_second_look_finds_what_random_edits_leave_in_order():
    a = "A football match ended in a draw on Saturday. " + _EDITED + " The coach praised the crowd."
    b = _SOURCE + " Rain is expected on Monday."
    assert _look(a, b, look_again=False) == []
    [p] = _look(a, b, look_again=True)
    assert a[p.a_start : p.a_end] == p.a_text and p.a_text.startswith(_EDITED)
    assert b[p.b_start : p.b_end] == p.b_text
    assert p.b_text.startswith("Engineers expect construction") and p.b_text.endswith("migrating birds.")
    assert p.similarity >= 0.5


def test_second_look_ignores_the_same_words_in_another_order():
    words = _EDITED.replace(",", "").replace(".", "").split()
    shuffled = " ".join(words[i] for i in np.random.default_rng(1).permutation(len(words))) + "."
    assert _look(_EDITED, _SOURCE, look_again=True) != []
    assert _look(shuffled, _SOURCE, look_again=True) == []


def test_second_look_ignores_a_passage_with_other_figures():
    source = _SOURCE.replace("next spring", "in 2027")
    same = _EDITED.replace("spring", "2027")
    other = _EDITED.replace("spring", "2029")
    assert _look(same, source, look_again=True) != []
    assert _look(other, source, look_again=True) == []


def test_second_look_leaves_short_verbatim_fragments_to_the_first():
    # two lists of names, each too short for the first look and not whole sentences
    names = "stations WTAF Philadelphia, WDCA Washington, WCIX Miami, KTXA Dallas and KTVT Fort Worth"
    teams = "clubs Ajax Amsterdam, Feyenoord Rotterdam, PSV Eindhoven, AZ Alkmaar and FC Utrecht Holland"
    a = f"The group said it owns the {names} in its report. Shares fell sharply on Monday after the bid. It also sponsors the {teams} this season."
    b = f"Analysts noted the {names} were sold last year. Weather delayed flights across the region. Fans of the {teams} travelled by train."
    assert _look(a, b, look_again=False) == []
    assert _look(a, b, look_again=True) == []
