"""Disk: the warehouse file against the JSON it was loaded from, where its bytes go, and what the
raw layer would cost kept as the landing files themselves (read by ``read_ndjson``) instead.

Each table's bytes are measured by copying it alone into a fresh database file in the warehouse's
storage format (DuckDB's own per-table estimates leave out long strings, i.e. the JSON payloads).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb

from tiemeter.settings import Home
from tiemeter.warehouse.connection import STORAGE_VERSION

TOP_TABLES = 6


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def table_bytes(db_path: Path, tables: list[str], storage_version: str = STORAGE_VERSION) -> dict[str, int]:
    """Bytes of each table alone in a new database file (checkpointed), minus an empty file's."""
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="tiemeter-disk-", dir=db_path.parent) as tmp:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH {_quoted(db_path)} AS w (READ_ONLY)")
        empty = Path(tmp) / "empty.duckdb"
        con.execute(f"ATTACH {_quoted(empty)} AS e (STORAGE_VERSION '{storage_version}')")
        con.execute("DETACH e")
        base = empty.stat().st_size
        for n, table in enumerate(tables):
            probe = Path(tmp) / f"t{n}.duckdb"
            con.execute(f"ATTACH {_quoted(probe)} AS p (STORAGE_VERSION '{storage_version}')")
            con.execute(f"CREATE TABLE p.t AS SELECT * FROM w.{table}")
            con.execute("CHECKPOINT p")
            con.execute("DETACH p")
            sizes[table] = probe.stat().st_size - base
            probe.unlink()
        con.close()
    return sizes


def _scan_seconds(con: duckdb.DuckDBPyConnection, source: str) -> tuple[float, int]:
    """What staging does to the raw layer: unnest every page's tweets (best of two)."""
    best, count = float("inf"), 0
    for _ in range(2):
        started = time.perf_counter()
        count = con.execute(
            f"SELECT count(*) FROM (SELECT unnest(json_extract(payload, '$.data[*]')) FROM {source})"
        ).fetchone()[0]
        best = min(best, time.perf_counter() - started)
    return best, count


def report(home: Home, json_bytes: int) -> dict:
    db = home.db_path
    db_bytes = db.stat().st_size
    landing = [Path(root) / f for root, _, files in os.walk(home.landing) for f in files]
    landing_bytes = sum(p.stat().st_size for p in landing)
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET enable_progress_bar = false")
    version = con.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    block, total, free = con.execute(
        "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size()"
    ).fetchone()
    tables = [
        f"{schema}.{name}"
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE estimated_size > 0 "
            "ORDER BY schema_name = 'raw' DESC, estimated_size DESC"
        ).fetchall()
    ]
    raw_tables = [t for t in tables if t.startswith("raw.")]
    measured = raw_tables + [t for t in tables if not t.startswith("raw.")][:TOP_TABLES]
    con.close()
    sizes = table_bytes(db, measured)
    raw_bytes = sum(sizes[t] for t in raw_tables)
    others = sum(sizes.values()) - raw_bytes
    print(
        f"disk: warehouse {db_bytes / 1e6:,.0f} MB for {json_bytes / 1e6:,.0f} MB of JSON loaded = "
        f"{db_bytes / json_bytes:.2f}x (target <= 1.0x; storage format {version}); the landing copy beside it "
        f"{landing_bytes / 1e6:,.0f} MB\n"
        f"  blocks: {total:,} of {block // 1024} KB, {free:,} free ({free * block / 1e6:,.0f} MB held for reuse "
        "by the next build: a rebuilt table's old blocks)\n"
        f"  raw layer {raw_bytes / 1e6:,.1f} MB ({raw_bytes / json_bytes:.2f}x the JSON); "
        f"the {len(measured) - len(raw_tables)} other tables with most rows {others / 1e6:,.1f} MB: "
        + ", ".join(f"{t} {sizes[t] / 1e6:,.1f}" for t in measured if not t.startswith("raw."))
    )
    # The alternative: no raw copy in the database, staging reads the landing files.
    pages = home.landing / "x_api_pages"
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET enable_progress_bar = false")
    in_db, n_db = _scan_seconds(con, "raw.x_api_pages")
    files, n_files = _scan_seconds(
        con,
        f"(SELECT json AS payload FROM read_ndjson_objects({_quoted(pages / '*' / '*.jsonl')}, "
        "maximum_object_size = 33554432))",
    )
    con.close()
    without_raw = db_bytes - free * block - raw_bytes
    print(
        f"  alternative, raw = the landing files read by read_ndjson: the database would hold about "
        f"{without_raw / 1e6:,.0f} MB ({without_raw / json_bytes:.2f}x; file minus free blocks minus raw), "
        f"the landing files {landing_bytes / 1e6:,.0f} MB stay as today\n"
        f"  staging's scan (unnest every page's tweets): {in_db:.2f}s from raw.x_api_pages ({n_db:,} tweets) vs "
        f"{files:.2f}s from the landing files ({n_files:,})"
    )
    return {
        "db_bytes": db_bytes,
        "json_bytes": json_bytes,
        "raw_bytes": raw_bytes,
        "free_bytes": free * block,
    }
