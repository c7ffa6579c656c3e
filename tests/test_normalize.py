"""Tokens keep their offsets; spelling variants that news rewrites introduce compare equal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup.normalize import normalize_token, tokenize, tokenize_array


def keys(text):
    return [t.key for t in tokenize(text)]


def test_house_style_variants_tokenise_alike():
    assert keys("U.S.-South Korean") == keys("US-South Korean") == ["us", "south", "korean"]
    assert keys("“The minister’s aide”") == keys('"The ministers aide"')
    assert keys("1,000 people") == keys("1000 people")
    assert keys("ﬁnal ＮＥＷＳ") == keys("final news")


def test_decimal_points_are_kept():
    assert normalize_token("1.5") == "1.5" and normalize_token("e.g") == "eg"


@given(st.text())
def test_offsets_slice_the_original_text(text):
    tokens = tokenize_array(text)
    for token, start, end in zip(tokenize(text), tokens.starts.tolist(), tokens.ends.tolist()):
        assert text[start:end] == token.text and (start, end) == (token.start, token.end)


@given(st.text())
def test_normalisation_is_idempotent(text):
    for token in tokenize(text):
        assert normalize_token(token.key) == token.key


@given(st.text(alphabet=st.sampled_from("ab1 2.,'’-\n_éß²\u00a0") | st.characters()))
def test_fast_tokeniser_finds_exactly_the_regex_tokens(text):
    tokens = tokenize_array(text)
    reference = tokenize(text)
    assert tokens.starts.tolist() == [t.start for t in reference]
    assert tokens.ends.tolist() == [t.end for t in reference]
    from dedup.normalize import key_hash

    assert tokens.hashes.tolist() == [key_hash(t.key) for t in reference]


@given(st.lists(st.text(alphabet=st.sampled_from("ab1 2.,'’-\n_é")), max_size=6))
def test_tokenising_many_texts_at_once_equals_one_at_a_time(texts):
    from dedup.normalize import tokenize_many

    for text, together in zip(texts, tokenize_many(texts), strict=True):
        alone = tokenize_array(text)
        assert together.starts.tolist() == alone.starts.tolist() and together.hashes.tolist() == alone.hashes.tolist()
        assert together.ends.tolist() == alone.ends.tolist()
