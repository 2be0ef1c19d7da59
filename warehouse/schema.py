"""Schemas and the tables the loader owns: one raw table per landed resource, and the meta tables."""

from __future__ import annotations

import re

import duckdb

from tiemeter.landing import RESOURCES
from tiemeter.warehouse.context import ensure_context_tables

SCHEMAS = ("raw", "meta", "staging", "core", "marts")

# One raw table per landing resource (tiemeter.landing.RESOURCES): the payload JSON, untouched, and
# its provenance.
RAW_COLUMNS = """
    landing_file VARCHAR NOT NULL,
    line_no      BIGINT NOT NULL,
    source       VARCHAR,
    endpoint     VARCHAR,
    kind         VARCHAR,
    params       JSON,
    retrieved_at TIMESTAMPTZ,
    run_id       VARCHAR,
    payload      JSON NOT NULL,
    loaded_at    TIMESTAMPTZ NOT NULL
"""
# No PRIMARY KEY on raw tables: the ledger already makes (landing_file, line_no) unique, and DuckDB's
# index would cost memory on every bulk load.

META_DDL = [
    """
    CREATE TABLE IF NOT EXISTS meta.load_ledger (
        landing_file VARCHAR PRIMARY KEY,
        resource     VARCHAR NOT NULL,
        sha256       VARCHAR NOT NULL,
        bytes        BIGINT NOT NULL,
        rows         BIGINT,
        status       VARCHAR NOT NULL,  -- loaded | failed
        error        VARCHAR,
        loaded_at    TIMESTAMPTZ NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS meta.quarantine (
        landing_file   VARCHAR NOT NULL,
        line_no        BIGINT NOT NULL,
        source         VARCHAR,
        run_id         VARCHAR,
        source_file    VARCHAR,
        source_line    BIGINT,
        reason         VARCHAR NOT NULL,
        raw            VARCHAR,
        raw_bytes      BIGINT,
        quarantined_at TIMESTAMPTZ,
        PRIMARY KEY (landing_file, line_no)
    )
    """,
    # the marks of the incremental core models (transforms/macros/incremental.sql)
    """
    CREATE TABLE IF NOT EXISTS meta.watermarks (
        model     VARCHAR PRIMARY KEY,
        loaded_at TIMESTAMPTZ
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS meta.builds (
        build_id    VARCHAR PRIMARY KEY,
        layers      VARCHAR NOT NULL,
        models      INTEGER NOT NULL,
        started_at  TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ NOT NULL
    )
    """,
]


# A view, so the ledger is current as soon as the loader ran, without a build.
META_VIEWS = [
    """
    CREATE OR REPLACE VIEW meta.api_requests AS
    SELECT
        run_id,
        retrieved_at                                  AS requested_at,
        endpoint,
        payload ->> '$.__tiemeter.job'                AS job,
        payload ->> '$.method'                        AS method,
        payload ->> '$.path'                          AS path,
        try_cast(payload ->> '$.status' AS INTEGER)   AS status,
        payload ->> '$.problem'                       AS problem,
        try_cast(payload ->> '$.items' AS INTEGER)    AS items,
        try_cast(payload ->> '$.duration_ms' AS DOUBLE) AS duration_ms,
        try_cast(payload ->> '$.cost_usd' AS DOUBLE)  AS cost_usd,
        params,
        landing_file,
        line_no
    FROM raw.x_api_requests
    """,
    """
    COMMENT ON VIEW meta.api_requests IS 'Grain: one row per HTTP attempt to the X API (retries included). \
problem is null for an attempt that gave a usable answer; cost_usd is the estimate from the price table \
(x.prices_usd) for the items returned.'
    """,
]


def without_constraints(ddl: str) -> str:
    """The DDL for a DuckLake, which has no PRIMARY KEY, UNIQUE or index: a key column stays NOT NULL.
    The keys stay checked: the loader writes a ledger row per file in the file's transaction, and the
    grains are dbt tests."""
    ddl = re.sub(r",\s*PRIMARY KEY\s*\([^)]*\)", "", ddl)
    return re.sub(r"\bPRIMARY KEY\b", "NOT NULL", ddl)


def _has_view(con: duckdb.DuckDBPyConnection, schema: str, view: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() "
            "AND schema_name = ? AND view_name = ?",
            [schema, view],
        ).fetchone()[0]
    )


def ensure_schema(con: duckdb.DuckDBPyConnection, constraints: bool = True) -> None:
    """Schemas, raw and meta tables, created where missing. ``constraints=False``: a DuckLake (no
    keys); there the view is created once, not replaced, so that writers starting at once do not
    conflict over it."""
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for table in RESOURCES:
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.{table} ({RAW_COLUMNS})")
    for ddl in META_DDL:
        con.execute(ddl if constraints else without_constraints(ddl))
    if constraints or not _has_view(con, "meta", "api_requests"):
        for ddl in META_VIEWS:
            con.execute(ddl)
    ensure_context_tables(con)
