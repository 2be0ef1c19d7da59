"""What the models need besides the data: the config (accounts, campaigns, blogs, metric settings)
and the optional identity mapping file, written into ``meta.config_*`` tables before a build."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb

from tiemeter.config import Config, ConfigError

IDENTITY_KINDS = (
    "x_user_id",
    "x_username",
    "email",
    "email_hash",
    "commenter_name",
    "commenter_url",
    "disqus_username",
)

CONTEXT_DDL = [
    "CREATE TABLE IF NOT EXISTS meta.config_accounts (name VARCHAR, x_username VARCHAR, x_user_id VARCHAR)",
    "CREATE TABLE IF NOT EXISTS meta.config_campaigns (name VARCHAR, url VARCHAR, query VARCHAR, owner VARCHAR)",
    "CREATE TABLE IF NOT EXISTS meta.config_blogs (name VARCHAR, site_url VARCHAR, feed_url VARCHAR, owner VARCHAR)",
    "CREATE TABLE IF NOT EXISTS meta.config_tie_weights (term VARCHAR, weight DOUBLE)",
    "CREATE TABLE IF NOT EXISTS meta.config_tie_interaction_weights (kind VARCHAR, weight DOUBLE)",
    "CREATE TABLE IF NOT EXISTS meta.identity_map (label VARCHAR, kind VARCHAR, value VARCHAR, site VARCHAR, line INTEGER)",
]

# meta.config_metrics: one row of [metrics] settings. Rewritten whole on every build, so a warehouse
# made by an older version (fewer columns) gets the current columns.
METRICS_COLUMNS = {
    "window_days": "INTEGER",
    "as_of": "TIMESTAMPTZ",
    "heavyweight_followers": "BIGINT",
    "strong_tie_threshold": "DOUBLE",
    "weak_tie_threshold": "DOUBLE",
    "w_true_reach": "DOUBLE",
    "w_amplification": "DOUBLE",
    "w_network_impact": "DOUBLE",
    "attribution_rule": "VARCHAR",
    "attribution_lookback_days": "INTEGER",
}


def ensure_context_tables(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in CONTEXT_DDL:
        con.execute(ddl)
    columns = [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'meta' AND table_name = 'config_metrics' "
            "ORDER BY column_index"
        ).fetchall()
    ]
    if (
        columns != list(METRICS_COLUMNS)
        or not con.execute("SELECT count(*) FROM meta.config_metrics").fetchone()[0]
    ):
        write_metrics(con, Config(path=None))
    if not con.execute("SELECT count(*) FROM meta.config_tie_weights").fetchone()[0]:
        write_tie_weights(con, Config(path=None))


def write_metrics(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    m = config.metrics
    columns = ", ".join(f"{name} {kind}" for name, kind in METRICS_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE meta.config_metrics ({columns})")
    con.execute(
        f"INSERT INTO meta.config_metrics VALUES ({', '.join('?' * len(METRICS_COLUMNS))})",
        [
            m.window_days,
            m.as_of,
            m.heavyweight_followers,
            m.strong_tie_threshold,
            m.weak_tie_threshold,
            m.spread_weights["true_reach"],
            m.spread_weights["amplification"],
            m.spread_weights["network_impact"],
            m.attribution_rule,
            m.attribution_lookback_days,
        ],
    )


def write_tie_weights(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """metrics.tie_weights (one row per term) and metrics.tie_interaction_weights (one per kind)."""
    m = config.metrics
    _replace(con, "meta.config_tie_weights", [[term, w] for term, w in m.tie_weights.items()])
    _replace(
        con,
        "meta.config_tie_interaction_weights",
        [[kind, w] for kind, w in m.tie_interaction_weights.items()],
    )


def write_context(con: duckdb.DuckDBPyConnection, config: Config, identities_csv: Path | None = None) -> None:
    """Replace the meta.config_* tables with ``config`` and meta.identity_map with the mapping file."""
    ensure_context_tables(con)
    _replace(
        con,
        "meta.config_accounts",
        [[a.name, (a.x_username or "").lstrip("@").lower() or None, a.x_user_id] for a in config.accounts],
    )
    _replace(con, "meta.config_campaigns", [[c.name, c.url, c.query, c.owner] for c in config.campaigns])
    _replace(con, "meta.config_blogs", [[b.name, b.site_url, b.feed_url, b.owner] for b in config.blogs])
    write_metrics(con, config)
    write_tie_weights(con, config)
    _replace(con, "meta.identity_map", read_identity_map(identities_csv) if identities_csv else [])


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: list[list]) -> None:
    con.execute(f"DELETE FROM {table}")
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def read_identity_map(path: Path) -> list[list]:
    """``identities.csv``: columns person, kind, value[, site]. Rows sharing ``person`` are one person.

    kind is one of x_user_id, x_username, email, email_hash, commenter_name, commenter_url,
    disqus_username. E-mail addresses are hashed here and never stored.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such identity mapping file")
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"person", "kind", "value"} - set(reader.fieldnames or [])
        if missing:
            raise ConfigError(
                f"{path}: missing column(s) {', '.join(sorted(missing))} (need person, kind, value[, site])"
            )
        for line, row in enumerate(reader, start=2):
            person, kind, value = ((row.get(k) or "").strip() for k in ("person", "kind", "value"))
            site = (row.get("site") or "").strip() or None
            if not person or not value:
                raise ConfigError(f"{path}:{line}: person and value are required")
            if kind not in IDENTITY_KINDS:
                raise ConfigError(f"{path}:{line}: kind {kind!r} is not one of {', '.join(IDENTITY_KINDS)}")
            if kind == "email":
                kind, value = "email_hash", hashlib.md5(value.lower().encode()).hexdigest()
            elif kind in ("x_username", "commenter_name", "disqus_username", "email_hash"):
                value = value.lstrip("@").lower() if kind == "x_username" else value.lower()
            rows.append([person, kind, value, site, line])
    return rows
