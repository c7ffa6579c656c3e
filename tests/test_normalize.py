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
