"""The DuckDB connection. This module is the only place that turns a home folder into a database path."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from tiemeter.errors import FatalError, RetriableError
from tiemeter.settings import Home
from tiemeter.temp_files import temp_path
from warehouse.schema import ensure_schema


class WarehouseLocked(RetriableError):
    pass


class DiskFull(FatalError):
    """No space left where the warehouse is: the message names the path and the free space."""


def is_disk_full(error: BaseException) -> bool:
    return getattr(error, "errno", None) == errno.ENOSPC or "No space left on device" in str(error)


def disk_full_error(path: Path) -> DiskFull:
    folder = path if path.is_dir() else path.parent
    try:
        free = f"{shutil.disk_usage(folder).free / 1e6:,.1f} MB free"
    except OSError:
        free = "free space unknown"
    return DiskFull(
        f"{path}: no space left on the device ({free} in {folder}); free some space and run again: "
        "nothing written so far is lost"
    )


# The storage format a new warehouse is written in. DuckDB's default (v1.0.0, for old readers) keeps
# long strings uncompressed; from v1.2.0 it compresses them with zstd, and the raw layer is one API page
# of JSON per row (measured in bench/bench_disk.py). Only DuckDB >= 1.2 opens such a file; BI tools read
# the exported snapshot, which keeps the default format.
STORAGE_VERSION = "v1.2.0"


def _create(db_path: Path) -> None:
    """Create an empty warehouse beside its final name and rename it into place, so that a full disk
    or a kill never leaves a file that is not a database. A 0-byte file (left by a version that
    created it in place) holds nothing and is replaced."""
    if db_path.exists() and db_path.stat().st_size > 0:
        return
    tmp = temp_path(db_path)
    try:
        duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION}).close()
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, db_path)
    except (OSError, duckdb.Error) as error:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        if is_disk_full(error):
            raise disk_full_error(db_path) from None
        raise


class NoWarehouse(FatalError):
    """Nothing has been loaded into this home yet (or the home is mistyped)."""


def connect(home: Home, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if read_only and not home.db_path.exists():  # a reader never creates a warehouse (or a home)
        raise NoWarehouse(
            f"no warehouse at {home.db_path}: check --home / --db (or TIEMETER_HOME / TIEMETER_DB); "
            "'tiemeter import ...' or 'tiemeter collect ... --load' creates it"
        )
    try:
        if not read_only:
            home.ensure()
            _create(home.db_path)
        con = duckdb.connect(str(home.db_path), read_only=read_only)
    except (OSError, duckdb.IOException) as error:
        if "lock" in str(error).lower():
            raise WarehouseLocked(
                f"{home.db_path} is in use by another process (DuckDB allows one writer); "
                "BI tools should open the exported snapshot instead"
            ) from None
        if is_disk_full(error):
            raise disk_full_error(home.db_path) from None
        raise
    con.execute("SET TimeZone = 'UTC'")
    # Its bar is drawn on stdout even when that is a log file (Airflow task logs, make bench).
    con.execute("SET enable_progress_bar = false")
    # A bounded footprint on small machines; DuckDB spills to disk beyond it.
    con.execute(f"SET memory_limit = '{memory_limit()}'")
    return con


def memory_limit() -> str:
    return os.environ.get("TIEMETER_DUCKDB_MEMORY", "1GB")


def dbt_environment(home: Home) -> dict[str, str]:
    """What transforms/profiles.yml reads: the warehouse of ``home`` and DuckDB's memory limit."""
    home.ensure()
    return {"TIEMETER_DBT_DATABASE": str(home.db_path), "TIEMETER_DUCKDB_MEMORY": memory_limit()}


@contextlib.contextmanager
def warehouse(home: Home, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(home, read_only=read_only)
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()
