"""The DuckDB connection. This module is the only place that turns a home folder into a database path."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import duckdb

from tiemeter.errors import RetriableError
from tiemeter.settings import Home


class WarehouseLocked(RetriableError):
    pass


def connect(home: Home, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    home.ensure()
    try:
        con = duckdb.connect(str(home.db_path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseLocked(
                f"{home.db_path} is in use by another process (DuckDB allows one writer); "
                "BI tools should open the exported snapshot instead"
            ) from None
        raise
    con.execute("SET TimeZone = 'UTC'")
    # Its bar is drawn on stdout even when that is a log file (Airflow task logs, make bench).
    con.execute("SET enable_progress_bar = false")
    # A bounded footprint on small machines; DuckDB spills to disk beyond it.
    con.execute(f"SET memory_limit = '{os.environ.get('TIEMETER_DUCKDB_MEMORY', '1GB')}'")
    return con


@contextlib.contextmanager
def warehouse(home: Home, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(home, read_only=read_only)
    try:
        if not read_only:
            from warehouse.schema import ensure_schema

            ensure_schema(con)
        yield con
    finally:
        con.close()
