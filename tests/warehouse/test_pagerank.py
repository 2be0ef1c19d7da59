"""Network impact: our PageRank against networkx on the same graph, within 1e-6."""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from datetime import timedelta

import networkx as nx
import numpy as np
from support import REPO
from transform_helpers import rows

spec = importlib.util.spec_from_file_location(
    "network_pagerank", REPO / "transforms/models/marts/network_pagerank.py"
)
network_pagerank = importlib.util.module_from_spec(spec)
spec.loader.exec_module(network_pagerank)


def networkx_rank(edges: dict[tuple, float], nodes) -> dict:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for (a, b), w in edges.items():
        graph.add_edge(a, b, weight=w)
    return nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-13, max_iter=10_000)


def test_random_weighted_graph_with_dangling_nodes():
    rng = random.Random(7)
    nodes = list(range(400))
    edges: dict[tuple, float] = {}
    for _ in range(3000):
        a, b = rng.randrange(300), rng.randrange(400)  # nodes 300..399 never act: dangling
        if a != b:
            edges[(a, b)] = edges.get((a, b), 0) + rng.randint(1, 5)
    src = np.array([a for a, _ in edges])
    dst = np.array([b for _, b in edges])
    weight = np.array(list(edges.values()), dtype=float)
    ours = network_pagerank.pagerank(src, dst, weight, len(nodes))
    theirs = networkx_rank(edges, nodes)
    assert max(abs(ours[n] - theirs[n]) for n in nodes) < 1e-6
    assert abs(ours.sum() - 1) < 1e-9


def test_mart_matches_networkx_on_the_interactions(tmp_path):
    """Rebuild the window's graph from core.interactions in Python and rank it with networkx."""
    from scenario import T0, XScenario
    from support import run_cli
    from transform_helpers import build_scenario

    from tiemeter.settings import Home

    home = Home.resolve(tmp_path / "home").ensure()
    s = XScenario()
    ids = [str(i) for i in range(1, 31)]
    for i in ids:
        s.user(i, f"user{i}", int(i) * 10)
    rng = random.Random(3)
    n = 1000
    for k in range(200):
        author = rng.choice(ids)
        mention = rng.choice([i for i in ids if i != author])
        s.tweet(str(n + k), author, T0 + timedelta(hours=k), f"hey @user{mention}", mentions=(mention,))
    for k in range(60):
        s.tweet(
            str(2000 + k),
            rng.choice(ids),
            T0 + timedelta(hours=k, minutes=30),
            reply_to=str(n + rng.randrange(200)),
        )
    run_cli(home, "import", "twarc", "--no-load", str(s.write(tmp_path / "p.jsonl")))
    build_scenario(home, {"metrics": {"as_of": (T0 + timedelta(days=12)).isoformat(), "window_days": 90}})

    (as_of,) = rows(home, "SELECT as_of FROM marts.analysis_window")[0]
    edges = Counter(
        (a, b)
        for a, b, at in rows(
            home, "SELECT actor_person_id, target_person_id, occurred_at FROM core.interactions"
        )
        if as_of - timedelta(days=90) < at <= as_of
    )
    nodes = {p for e in edges for p in e}
    theirs = networkx_rank(dict(edges), nodes)
    ours = dict(
        rows(home, "SELECT person_id, pagerank FROM marts.network_pagerank WHERE window_end = ?", [as_of])
    )
    assert set(ours) == nodes and len(nodes) == 30
    assert max(abs(ours[p] - theirs[p]) for p in nodes) < 1e-6

    # Spearman's rho between the Cha et al. rankings, over the same people, from the same interactions
    # and the scenario's follower counts (user i has 10 * i followers), with ties at their average rank.
    user_of = dict(
        rows(home, "SELECT person_id, x_user_id FROM core.identities WHERE identity_kind = 'x_user'")
    )
    received = Counter(
        (b, "retweets" if kind == "retweet" else "mentions")
        for a, b, kind, at in rows(
            home, "SELECT actor_person_id, target_person_id, kind, occurred_at FROM core.interactions"
        )
        if a is not None
        and kind in ("retweet", "mention", "reply")
        and as_of - timedelta(days=90) < at <= as_of
    )
    ranking = {
        "followers": {p: int(user_of[p]) * 10 for p in nodes},
        "retweets": {p: received[(p, "retweets")] for p in nodes},
        "mentions": {p: received[(p, "mentions")] for p in nodes},
    }
    expected = {
        (a, b): spearman(ranking[a], ranking[b])
        for a, b in [("followers", "retweets"), ("followers", "mentions"), ("retweets", "mentions")]
    }
    got = {
        (a, b): (n, rho)
        for a, b, n, rho in rows(
            home,
            "SELECT ranking_a, ranking_b, people, spearman_rho FROM marts.spread_rank_correlations "
            "WHERE window_end = ?",
            [as_of],
        )
    }
    assert set(got) == set(expected)
    assert expected[("followers", "mentions")] is not None  # the scenario has mentions; no retweets
    for pair, rho in expected.items():
        assert got[pair][0] == len(nodes)
        assert (got[pair][1] is None) if rho is None else abs(got[pair][1] - rho) < 1e-12


def average_ranks(values: dict) -> dict:
    ordered = sorted(values, key=values.get)
    ranks, i = {}, 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and values[ordered[j + 1]] == values[ordered[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[ordered[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: dict, b: dict) -> float | None:
    """Pearson's r of the average ranks; None when either ranking is constant."""
    ra, rb = average_ranks(a), average_ranks(b)
    keys = list(a)
    ma, mb = sum(ra.values()) / len(keys), sum(rb.values()) / len(keys)
    cov = sum((ra[k] - ma) * (rb[k] - mb) for k in keys)
    va, vb = sum((ra[k] - ma) ** 2 for k in keys), sum((rb[k] - mb) ** 2 for k in keys)
    return cov / (va * vb) ** 0.5 if va and vb else None
