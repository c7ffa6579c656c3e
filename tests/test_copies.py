"""Groups of near copies: chosen by date, independent of input order, and only their members' pairs dropped."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.copies import near_copies, without_member_pairs
from dedup.models import Article

ARTICLES = [Article(id=f"a{i:02d}", text="", date=f"2024-03-{1 + i % 5:02d}" if i % 4 else None) for i in range(30)]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=120), st.integers(0, 10**6),
       st.integers(1, 6))
def test_near_copy_groups_do_not_depend_on_the_order_of_the_pairs(pairs, seed, min_copies):
    pairs = sorted({(min(p), max(p)) for p in pairs if p[0] != p[1]})
    shuffled = [(j, i) if random.Random(seed + k).random() < 0.5 else (i, j) for k, (i, j) in enumerate(pairs)]
    random.Random(seed).shuffle(shuffled)
    groups = near_copies(np.array(pairs, dtype=np.int64).reshape(-1, 2), ARTICLES, min_copies=min_copies)
    again = near_copies(np.array(shuffled, dtype=np.int64).reshape(-1, 2), ARTICLES, min_copies=min_copies)
    assert groups == again
    linked = set(pairs)
    members = [m for ms in groups.values() for m in ms]
    assert len(members) == len(set(members)) and not set(members) & set(groups)
    for rep, ms in groups.items():
        assert len(ms) >= max(min_copies, 2) and all((min(rep, m), max(rep, m)) in linked for m in ms)


def test_the_earliest_dated_article_with_enough_near_copies_represents_them():
    star = np.array([(3, k) for k in (1, 2, 5, 6)] + [(1, 2)], dtype=np.int64)
    articles = [Article(id=str(i), text="", date=f"2024-01-{10 - i:02d}") for i in range(7)]  # 6 is the earliest
    assert near_copies(star, articles, min_copies=3) == {3: [6, 5, 2, 1]}  # 6 and 5 have one near copy each
    assert near_copies(star, articles, min_copies=5) == {}


def test_only_pairs_of_two_members_of_one_group_are_dropped():
    candidates = np.array([(0, 1), (0, 2), (1, 2), (1, 3), (2, 4), (3, 4), (4, 5)], dtype=np.int64)
    kept = without_member_pairs(candidates, {0: [1, 2], 3: [4, 5]})
    assert kept.tolist() == [[0, 1], [0, 2], [1, 3], [2, 4], [3, 4]]
