"""Grouping: articles into story clusters, and shared passages into passage clusters.

Article clusters use average linkage (SciPy's ``linkage``, which scikit-learn's
``AgglomerativeClustering`` also runs, without its second of import time) inside each
connected component of the pair graph, on the similarity ``max(coverage_a, coverage_b)`` (how
much of the smaller side is shared text). Average linkage is the guard against chaining: a
group joins another only when the two share that much text *on average over all their member
pairs*, so one long chain of weak links cannot glue unrelated stories together.

Passage clusters are the connected components of passage occurrences, where two occurrences are
linked when a pair's alignment matched them, or when they overlap by at least half in one article.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .models import Article, Cluster, Pair, PassageCluster, PassageSpan

__all__ = ["cluster_articles", "cluster_passages", "components"]

_MAX_LINKAGE_SIZE = 4000  # above this a component is split on strong links only (memory is n^2)


def components(n: int, edges: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes, given ``(m, 2)`` edges."""
    if len(edges) == 0:
        return np.arange(n)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _pair_similarity(pair: Pair) -> float:
    return max(pair.coverage_a, pair.coverage_b)


def _average_linkage(members: list[int], sims: list[tuple[int, int, float]], threshold: float) -> list[list[int]]:
    """Split one connected component by average linkage; ``sims`` are its own edges."""
    size = len(members)
    if size == 2:
        return [members] if sims[0][2] > threshold - 1e-9 else [[m] for m in members]
    local = {m: i for i, m in enumerate(members)}
    distance = np.ones((size, size))
    np.fill_diagonal(distance, 0.0)
    for x, y, sim in sims:
        distance[local[x], local[y]] = distance[local[y], local[x]] = 1.0 - sim
    if size > _MAX_LINKAGE_SIZE:
        strong = np.argwhere(np.triu(distance <= 1.0 - threshold, 1))
        labels = components(size, strong)
    else:
        from scipy.cluster.hierarchy import fcluster, linkage  # imported here: 0.2-0.4 s to load
        from scipy.spatial.distance import squareform

        tree = linkage(squareform(distance, checks=False), method="average")
        labels = fcluster(tree, t=1.0 - threshold + 1e-9, criterion="distance")
    groups = defaultdict(list)
    for member, label in zip(members, labels):
        groups[label].append(member)
    return list(groups.values())


def _origin(ids: Sequence[str], by_id: dict[str, Article]) -> tuple[str | None, str | None]:
    dated = sorted((by_id[i].date, i) for i in ids if by_id[i].date)
    return (dated[0][1], dated[0][0]) if dated else (None, None)


def cluster_articles(articles: Sequence[Article], pairs: Sequence[Pair], *, threshold: float,
                     copies: dict[str, list[str]] | None = None) -> list[Cluster]:
    """Story clusters of two or more articles, largest first, each naming its likely origin.

    ``copies`` maps a representative to its exact copies, which were compared with it only:
    they join whatever cluster it joins (or form one with it).
    """
    copies = copies or {}
    members_of = {m: r for r, ms in copies.items() for m in ms}
    index = {a.id: i for i, a in enumerate(articles)}
    sims = {}
    for pair in pairs:
        if pair.a in members_of or pair.b in members_of:
            continue
        x, y = sorted((index[pair.a], index[pair.b]))
        sims[x, y] = _pair_similarity(pair)
    labels = components(len(articles), np.array(list(sims), dtype=np.int64).reshape(-1, 2))
    members, edges = defaultdict(list), defaultdict(list)
    for node in sorted({n for edge in sims for n in edge}):
        members[labels[node]].append(node)
    for (x, y), sim in sims.items():
        edges[labels[x]].append((x, y, sim))
    groups = []
    for label, nodes in members.items():
        groups.extend(g for g in _average_linkage(nodes, edges[label], threshold) if len(g) > 1)
    id_groups = [[articles[n].id for n in g] for g in groups]
    in_group = {i for g in id_groups for i in g}
    id_groups += [[r] for r in copies if r not in in_group]
    id_groups = [g + [m for r in g for m in copies.get(r, [])] for g in id_groups]
    by_id = {a.id: a for a in articles}
    id_groups = sorted((sorted(g) for g in id_groups), key=lambda g: (-len(g), g))
    return [Cluster(id=k, articles=tuple(g), origin=_origin(g, by_id)[0], origin_date=_origin(g, by_id)[1])
            for k, g in enumerate(id_groups, start=1)]


Span = tuple[str, int, int, str]  # article id, start, end, text


def _occurrences(pairs: Sequence[Pair]) -> tuple[list[Span], list[tuple[int, int]]]:
    """Every passage occurrence once (with its text, taken from the pairs: the articles' own
    texts may have been let go), and the links that the alignments made between them."""
    nodes: dict[tuple[str, int, int], int] = {}
    texts: list[str] = []
    links = []
    for pair in pairs:
        for p in pair.passages:
            ends = []
            for key, text in (((pair.a, p.a_start, p.a_end), p.a_text), ((pair.b, p.b_start, p.b_end), p.b_text)):
                if key not in nodes:
                    nodes[key] = len(nodes)
                    texts.append(text)
                ends.append(nodes[key])
            links.append((ends[0], ends[1]))
    return [(*key, text) for key, text in zip(nodes, texts)], links


def _overlap_links(spans: list[Span]) -> list[tuple[int, int]]:
    """Link occurrences in the same article that overlap by at least half of the shorter one."""
    links = []
    by_article = defaultdict(list)
    for node, (article, start, end, _) in enumerate(spans):
        by_article[article].append((start, end, node))
    for items in by_article.values():
        items.sort()
        for x, (start, end, node) in enumerate(items):
            for start2, end2, node2 in items[x + 1 :]:
                if start2 >= end:
                    break
                if min(end, end2) - start2 >= 0.5 * min(end - start, end2 - start2):
                    links.append((node, node2))
    return links


def _merge_spans(spans: list[Span]) -> list[Span]:
    """Union of overlapping occurrences per article, in article then position order (the text
    of a union is pieced together from the texts of its parts)."""
    merged: list[Span] = []
    for article, start, end, text in sorted(spans):
        if merged and merged[-1][0] == article and start <= merged[-1][2]:
            _, first, last, joined = merged[-1]
            merged[-1] = (article, first, max(end, last), joined + text[last - start :])
        else:
            merged.append((article, start, end, text))
    return merged


def cluster_passages(articles: Sequence[Article], pairs: Sequence[Pair]) -> list[PassageCluster]:
    """Passages found in two or more articles, most widespread first."""
    spans, links = _occurrences(pairs)
    if not spans:
        return []
    labels = components(len(spans), np.array(links + _overlap_links(spans), dtype=np.int64).reshape(-1, 2))
    groups = defaultdict(list)
    for span, label in zip(spans, labels):
        groups[label].append(span)
    by_id = {a.id: a for a in articles}
    merged = [_merge_spans(g) for g in groups.values()]
    merged = [g for g in merged if len({s[0] for s in g}) > 1]
    merged.sort(key=lambda g: (-len({s[0] for s in g}), g))
    return [
        PassageCluster(
            id=k,
            spans=tuple(PassageSpan(article=a, start=s, end=e, text=text) for a, s, e, text in g),
            origin=_origin(sorted({s[0] for s in g}), by_id)[0],
        )
        for k, g in enumerate(merged, start=1)
    ]
