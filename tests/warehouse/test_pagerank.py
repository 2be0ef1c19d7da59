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
    run_cli(home, "import", "twarc", str(s.write(tmp_path / "p.jsonl")))
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
