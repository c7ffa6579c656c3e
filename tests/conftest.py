"""Shared fixtures: the seed articles and small helpers for writing input files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dedup import Config, read_paths

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED_A = "000_159d068078cb091f.txt"
SEED_B = "002_03f42af68fe181a5.txt"


@pytest.fixture(scope="session")
def seeds():
    """The two seed articles as read from ``data/`` (Reuters story first)."""
    articles = {a.id: a for a in read_paths([DATA], Config())}
    return articles[SEED_A], articles[SEED_B]


@pytest.fixture(scope="session")
def seed_passages(seeds):
    """How many passages the library reports for the seed pair (held to the hand-marked shared
    text in ``test_seeds``); the command line must report the same."""
    from dedup import scan

    [pair] = scan(seeds).pairs
    return len(pair.passages)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
