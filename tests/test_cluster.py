"""Clusters: whole stories together, weak chains apart, origins by date, passage clusters."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Article, scan
from dedup.cluster import _average_linkage, cluster_articles, components
from dedup.models import Pair


def pair(a, b, coverage):
    return Pair(a=a, b=b, kind="partial", jaccard=0.3, containment_a=0.5, containment_b=0.5, coverage_a=coverage,
                coverage_b=coverage)


def articles(*ids, dates=None):
    return [Article(id=i, text="x", date=(dates or {}).get(i)) for i in ids]


def test_components():
    assert components(4, np.array([[0, 1], [2, 3]])).tolist() == [0, 0, 1, 1]


def test_a_chain_of_links_does_not_glue_unrelated_stories():
    # a~b and b~c and c~d each share much text, but a, c and d share nothing with each other
    found = cluster_articles(articles("a", "b", "c", "d"), [pair("a", "b", 0.9), pair("b", "c", 0.9), pair("c", "d", 0.9)],
                             threshold=0.5)
    assert len(found) == 2 and all(len(c.articles) == 2 for c in found)


def test_copies_of_one_story_form_one_cluster_with_the_earliest_as_origin():
    ids = ["w", "x", "y", "z"]
    links = [pair(a, b, 1.0) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    [cluster] = cluster_articles(articles(*ids, dates={"x": "2024-01-02", "y": "2024-01-01"}), links, threshold=0.5)
    assert cluster.articles == ("w", "x", "y", "z") and (cluster.origin, cluster.origin_date) == ("y", "2024-01-01")


def test_a_pair_sharing_little_of_either_article_is_not_a_story_cluster():
    assert cluster_articles(articles("a", "b"), [pair("a", "b", 0.2)], threshold=0.5) == []


def test_one_wire_paragraph_in_three_articles_is_one_passage_cluster():
    wire = "The central bank raised its main interest rate by half a percentage point on Tuesday to curb inflation."
    own = ["Markets in Asia were calm on Wednesday as investors waited for more data from the region.",
           "A spokesman for the ministry declined to comment on the decision when reached by telephone.",
           "Economists polled last week had been split on whether the move would come this soon or later."]
    corpus = [{"id": f"n{i}", "text": f"{own[i]} {wire} {['Staff', 'Agencies', 'Wires'][i]} contributed."} for i in range(3)]
    result = scan(corpus)
    assert len(result.pairs) == 3
    [cluster] = result.passage_clusters
    assert cluster.articles == ("n0", "n1", "n2") and all(s.text == wire for s in cluster.spans)


@settings(max_examples=300, deadline=None)
@given(st.integers(3, 12).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                   st.sampled_from([0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0])), min_size=2, max_size=3 * n))))
def test_average_linkage_splits_as_scikit_learn_does(case):
    """Our SciPy average linkage cut at the threshold gives scikit-learn's clusters, ties included."""
    from sklearn.cluster import AgglomerativeClustering

    n, links = case
    sims = {(min(x, y), max(x, y)): s for x, y, s in links if x != y}
    distance = np.ones((n, n))
    np.fill_diagonal(distance, 0.0)
    for (x, y), s in sims.items():
        distance[x, y] = distance[y, x] = 1.0 - s
    expected = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                       distance_threshold=0.5 + 1e-9).fit_predict(distance)
    ours = _average_linkage(list(range(n)), [(x, y, s) for (x, y), s in sims.items()], 0.5)
    assert sorted(sorted(g) for g in ours) == sorted(sorted(np.flatnonzero(expected == label).tolist())
                                                     for label in set(expected.tolist()))
