"""marts.network_pagerank: Network impact: PageRank (Brin and Page 1998) of each person in the window's engagement graph (engager -> engaged, weighted by interactions), as Kwak et al. Grain, columns and tests: schema.yml."""

from __future__ import annotations

import duckdb
import numpy as np
from scipy import sparse

DAMPING = 0.85
TOLERANCE = 1e-12
MAX_ITERATIONS = 1000


def pagerank(sources: np.ndarray, targets: np.ndarray, weights: np.ndarray, nodes: int) -> np.ndarray:
    """Weighted PageRank of a graph given as edge arrays over node indices 0..nodes-1."""
    if nodes == 0:
        return np.zeros(0)
    out_weight = np.bincount(sources, weights=weights, minlength=nodes)
    # column-stochastic transition: rank flows from source to target in proportion to weight
    scale = np.divide(
        weights, out_weight[sources], out=np.zeros_like(weights, dtype=float), where=out_weight[sources] > 0
    )
    transition = sparse.csr_matrix((scale, (targets, sources)), shape=(nodes, nodes))
    dangling = out_weight == 0
    rank = np.full(nodes, 1.0 / nodes)
    for _ in range(MAX_ITERATIONS):
        previous = rank
        rank = DAMPING * (transition @ rank + previous[dangling].sum() / nodes) + (1 - DAMPING) / nodes
        if np.abs(rank - previous).sum() < TOLERANCE:
            break
    return rank / rank.sum()


# Each window's people, numbered 0..n-1 in a stable order (so the numbering can be recomputed).
NODES_SQL = """
    SELECT window_end, person_id,
           (row_number() OVER (PARTITION BY window_end ORDER BY person_id) - 1)::BIGINT AS node
    FROM (
        SELECT window_end, source_person_id AS person_id FROM tiemeter_pagerank_edges
        UNION
        SELECT window_end, target_person_id FROM tiemeter_pagerank_edges
    )
"""


def model(dbt, session: duckdb.DuckDBPyConnection):
    """A dbt Python model (dbt-duckdb runs it in-process on the warehouse's connection)."""
    dbt.config(materialized="table")
    # Named views: dbt-duckdb's session wraps the connection, so SQL cannot see this frame's variables.
    dbt.ref("engagement_edges").create_view("tiemeter_pagerank_edges", replace=True)
    edge_arrays = session.execute(
        f"""
        WITH nodes AS ({NODES_SQL})
        SELECT epoch_us(e.window_end) AS window_us, s.node AS source, t.node AS target, e.weight::DOUBLE AS weight
        FROM tiemeter_pagerank_edges e
        JOIN nodes s ON s.window_end = e.window_end AND s.person_id = e.source_person_id
        JOIN nodes t ON t.window_end = e.window_end AND t.person_id = e.target_person_id
        """
    ).fetchnumpy()
    node_counts = session.execute(
        f"WITH nodes AS ({NODES_SQL}) SELECT epoch_us(window_end), count(*) FROM nodes GROUP BY 1"
    ).fetchall()
    parts = {"window_us": [], "node": [], "pagerank": [], "nodes": []}
    for window_us, nodes in node_counts:
        in_window = edge_arrays["window_us"] == window_us
        rank = pagerank(
            edge_arrays["source"][in_window],
            edge_arrays["target"][in_window],
            edge_arrays["weight"][in_window],
            nodes,
        )
        parts["window_us"].append(np.full(nodes, window_us, dtype=np.int64))
        parts["node"].append(np.arange(nodes, dtype=np.int64))
        parts["pagerank"].append(rank)
        parts["nodes"].append(np.full(nodes, nodes, dtype=np.int64))
    # DuckDB reads a dict of NumPy arrays in place (a registered view); passing the ranks as list
    # parameters instead costs seconds per window.
    ranks = {
        key: np.concatenate(values)
        if values
        else np.zeros(0, dtype=np.float64 if key == "pagerank" else np.int64)
        for key, values in parts.items()
    }
    session.register("tiemeter_pagerank_ranks", ranks)
    session.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE tiemeter_network_pagerank AS
        WITH nodes AS ({NODES_SQL})
        SELECT n.window_end, n.person_id, r.pagerank, r.pagerank * r.nodes AS pagerank_scaled, r.nodes
        FROM nodes n
        JOIN tiemeter_pagerank_ranks r ON r.window_us = epoch_us(n.window_end) AND r.node = n.node
        """
    )
    session.unregister("tiemeter_pagerank_ranks")
    return session.table("tiemeter_network_pagerank")
