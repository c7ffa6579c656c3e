"""The frozen config validates on creation and says how to fix a bad value."""

from __future__ import annotations

import dataclasses

import pytest

from dedup import Config, ConfigError


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"threshold": 1.5}, r"threshold must be in \(0, 1\], got 1.5"),
        ({"threshold": 0}, "threshold must be in"),
        ({"num_perm": 4}, "num_perm must be a whole number from 8"),
        ({"shingle_size": 2.5}, "shingle_size must be a whole number"),
        ({"min_passage_words": 3}, "at least shingle_size"),
        ({"text_field": ""}, "text_field must be a non-empty string"),
    ],
)
def test_bad_values_are_refused_with_a_fix(overrides, message):
    with pytest.raises(ConfigError, match=message):
        Config(**overrides)


def test_config_is_frozen_and_replace_validates():
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.threshold = 0.5  # type: ignore[misc]
    assert config.replace(threshold=0.9).threshold == 0.9
    with pytest.raises(ConfigError):
        config.replace(seed=-1)


def test_config_errors_are_value_errors():
    assert issubclass(ConfigError, ValueError)
