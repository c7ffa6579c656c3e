"""Groups of copies, so that alignment work grows linearly with the size of a group.

Two kinds of group, each with a representative that every other member is aligned with (dates
are compared with :func:`date_key`: earlier first, undated after dated, then by id):

exact copies
    articles with the same words (found from each article's word-sequence hash before LSH),
    represented by the earliest of them; their band keys are dropped, so they meet other
    articles only through the representative.
near copies
    a representative (the earliest-dated article that has enough near copies not yet grouped)
    and the ``max_bucket_size`` or more articles whose shingle sets reach the
    near-duplicate ``threshold`` with it (found by verifying the document tier's candidate
    pairs). They keep their band keys, so each still meets the articles it shares a passage
    with; only the pairs of two members of one group, which share most of their text through
    the representative (Jaccard at least ``2 * threshold - 1``), are not aligned. Smaller
    groups are left alone: all their pairs are aligned and listed, as an LSH bucket of up to
    ``max_bucket_size`` articles gives all its pairs. So near copies cost at most about
    ``max_bucket_size`` squared alignments, and then one per article.

Groups are ``{representative: [other members]}`` of article indices.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .arrays import first_of_runs
from .candidates import OWNER_MASK, unique_pairs
from .models import Article

__all__ = ["date_key", "exact_copies", "near_copies", "with_representative_pairs", "without_member_keys",
           "without_member_pairs"]

Groups = dict[int, list[int]]


def date_key(article: Article) -> tuple:
    """Earlier-dated first, undated after dated, then by id: how representatives are chosen."""
    return (article.date is None, article.date or "", article.id)


def exact_copies(articles: list[Article | None], content: np.ndarray) -> Groups:
    """Groups of articles with the same words.

    ``content`` holds each article's word-sequence hash (0 for an article that was skipped).
    """
    order = np.argsort(content, kind="stable")
    values = content[order]
    starts = np.flatnonzero(first_of_runs(values))
    groups = {}
    for start, end in zip(starts.tolist(), np.r_[starts[1:], len(values)].tolist()):
        if end - start > 1 and values[start] != 0:
            members = sorted(order[start:end].tolist(), key=lambda i: date_key(articles[i]))
            groups[members[0]] = members[1:]
    return groups


def near_copies(near: np.ndarray, articles: list[Article | None], *, min_copies: int) -> Groups:
    """Groups of at least ``min_copies`` near copies of one representative, from verified
    near-duplicate pairs ``near`` (``(m, 2)`` article indices).

    Articles are taken earliest-dated first; each one not yet in a group becomes the
    representative of its near-duplicates not yet in a group, when there are at least
    ``min_copies`` of them. The result depends only on the pairs and the articles' dates and
    ids, not on the order of either.
    """
    neighbours = defaultdict(list)
    for i, j in near.tolist():
        neighbours[i].append(j)
        neighbours[j].append(i)
    grouped: set[int] = set()
    groups = {}
    for rep in sorted(neighbours, key=lambda i: date_key(articles[i])):
        if rep in grouped:
            continue
        members = sorted((m for m in set(neighbours[rep]) if m not in grouped), key=lambda i: date_key(articles[i]))
        if len(members) >= max(min_copies, 2):
            groups[rep] = members
            grouped.update(members, (rep,))
    return groups


def without_member_keys(keys: list[list[np.ndarray]], groups: Groups) -> list[list[np.ndarray]]:
    """Band keys without those of the groups' members (representatives keep theirs)."""
    if not groups:
        return keys
    members = np.array(sorted(m for ms in groups.values() for m in ms), dtype=np.uint64)
    return [[chunk[~np.isin(chunk[:, 0] & OWNER_MASK, members)] if len(chunk) else chunk for chunk in tier]
            for tier in keys]


def with_representative_pairs(candidates: np.ndarray, groups: Groups) -> np.ndarray:
    """Add one pair per member, against its representative: linear in the size of a group."""
    extra = [np.array(sorted((min(r, m), max(r, m)) for m in ms), dtype=np.int64) for r, ms in groups.items()]
    return unique_pairs([candidates, *extra]) if extra else candidates


def without_member_pairs(candidates: np.ndarray, groups: Groups) -> np.ndarray:
    """The candidate pairs except those of two members of one group."""
    if not groups or not len(candidates):
        return candidates
    group_of = np.full(int(candidates.max()) + 1, -1, dtype=np.int64)
    for rep, members in groups.items():
        group_of[[m for m in members if m < len(group_of)]] = rep
    left, right = group_of[candidates[:, 0]], group_of[candidates[:, 1]]
    return candidates[(left < 0) | (left != right)]
