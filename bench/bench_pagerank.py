"""Network impact: our PageRank against igraph (PRPACK) and networkx on the same 5M-edge graph."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _ours():
    spec = importlib.util.spec_from_file_location(
        "network_pagerank", REPO / "transforms/models/marts/network_pagerank.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pagerank


def engagement_graph(edges: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """A heavy-tailed engagement graph: many engagers, attention concentrated on few targets."""
    rng = np.random.default_rng(seed)
    nodes = edges // 10
    src = rng.integers(0, nodes, edges)
    dst = (rng.pareto(1.2, edges) * 50).astype(np.int64) % nodes
    keep = src != dst
    src, dst = src[keep], dst[keep]
    weight = rng.integers(1, 6, len(src)).astype(float)
    return src, dst, weight, nodes


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def run(edges: int = 5_000_000, with_networkx: bool = True) -> dict:
    import igraph

    src, dst, weight, nodes = engagement_graph(edges)
    ours_s, ours = timed(_ours(), src, dst, weight, nodes)

    def by_igraph():
        graph = igraph.Graph(n=nodes, edges=np.column_stack([src, dst]).tolist(), directed=True)
        return np.array(graph.pagerank(weights=weight.tolist(), damping=0.85, implementation="prpack"))

    igraph_s, theirs = timed(by_igraph)
    result = {
        "edges": len(src),
        "ours_s": ours_s,
        "igraph_s": igraph_s,
        "max_diff_igraph": float(np.abs(ours - theirs).max()),
    }
    print(
        f"pagerank on {len(src):,} edges, {nodes:,} nodes\n"
        f"  tiemeter (scipy sparse power iteration): {ours_s:7.2f}s\n"
        f"  igraph (PRPACK, incl. graph build):      {igraph_s:7.2f}s   ratio tiemeter/igraph = {ours_s / igraph_s:.2f} (target <= 2)\n"
        f"  max |difference| to igraph: {result['max_diff_igraph']:.1e}"
    )
    if with_networkx:
        import networkx as nx

        def by_networkx():
            graph = nx.DiGraph()
            graph.add_nodes_from(range(nodes))
            graph.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), weight.tolist(), strict=True))
            return nx.pagerank(graph, alpha=0.85, weight="weight")

        nx_s, _ = timed(by_networkx)
        result["networkx_s"] = nx_s
        print(
            f"  networkx (incl. graph build):            {nx_s:7.2f}s   networkx/tiemeter = {nx_s / ours_s:.1f}x (target >= 10)"
        )
    return result


if __name__ == "__main__":
    run(int(os.environ.get("BENCH_EDGES", "5000000")))
