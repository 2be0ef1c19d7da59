"""Schemas and the tables the loader owns: one raw table per landed resource, and the meta tables."""

from __future__ import annotations

import duckdb

from tiemeter.landing import RESOURCES
from warehouse.context import ensure_context_tables

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


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for table in RESOURCES:
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.{table} ({RAW_COLUMNS})")
    for ddl in META_DDL + META_VIEWS:
        con.execute(ddl)
    ensure_context_tables(con)
