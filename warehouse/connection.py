"""The warehouse connection. This module is the only place that knows where the warehouse is and what
it is: the home's DuckDB file, or a DuckLake (a PostgreSQL catalog, Parquet files under a folder) when
the home has a catalog (``[warehouse]`` in the config). Either way the caller gets a DuckDB
connection whose current database is the warehouse, with the schemas raw, meta, staging, core, marts.

The DuckLake and PostgreSQL extensions come from the ``duckdb-extension-ducklake`` and
``duckdb-extension-postgres`` packages (pinned to the DuckDB release): their files are copied into an
extension folder of the home and loaded from there; DuckDB never downloads an extension
(``autoinstall_known_extensions`` is off).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import random
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import duckdb
import duckdb_extension_ducklake
import duckdb_extension_postgres

from tiemeter.errors import FatalError, RetriableError
from tiemeter.settings import Home
from tiemeter.temp_files import temp_path
from tiemeter.warehouse.schema import ensure_schema

log = logging.getLogger(__name__)
T = TypeVar("T")


class WarehouseLocked(RetriableError):
    pass


class LakeConflict(RetriableError):
    """Another writer committed a change to the same DuckLake tables first; the transaction was rolled
    back as a whole and may be run again."""


class CatalogUnreachable(RetriableError):
    """The DuckLake's PostgreSQL catalog did not answer (down, restarting, or not yet started)."""


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
    con = _connect_lake(home, read_only) if home.is_lake else _connect_file(home, read_only)
    _configure(con)
    return con


def _configure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET TimeZone = 'UTC'")
    # Its bar is drawn on stdout even when that is a log file (Airflow task logs, make bench).
    con.execute("SET enable_progress_bar = false")
    # A bounded footprint on small machines; DuckDB spills to disk beyond it.
    con.execute(f"SET memory_limit = '{memory_limit()}'")


def _connect_file(home: Home, read_only: bool) -> duckdb.DuckDBPyConnection:
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
    return con


# -- DuckLake ---------------------------------------------------------------------------------------

LAKE = "lake"  # the DuckLake's name in a connection (and dbt's database)
# Extension name -> (its package, the file name DuckDB looks for in the extension folder)
_EXTENSIONS = {
    "ducklake": (duckdb_extension_ducklake, "ducklake"),
    "postgres": (duckdb_extension_postgres, "postgres_scanner"),
}


def _platform() -> str:
    return duckdb.execute("PRAGMA platform").fetchone()[0]


def extension_directory(home: Home) -> Path:
    """DuckDB's extension folder for this home, holding the packaged ducklake and postgres extensions
    of this DuckDB release. Copied in atomically (temp file + rename), so processes starting at once
    never load half a file."""
    base = home.root / "duckdb_extensions"
    folder = base / f"v{duckdb.__version__}" / _platform()
    for name, (package, file_name) in _EXTENSIONS.items():
        source = (
            Path(package.__file__).parent
            / "extensions"
            / f"v{duckdb.__version__}"
            / f"{name}.duckdb_extension"
        )
        if not source.is_file():
            raise FatalError(
                f"{source}: missing; install duckdb-extension-{name}=={duckdb.__version__} (the DuckDB release)"
            )
        target = folder / f"{file_name}.duckdb_extension"
        if target.is_file() and target.stat().st_size == source.stat().st_size:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        tmp = temp_path(target)
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        except OSError as error:
            tmp.unlink(missing_ok=True)
            if is_disk_full(error):
                raise disk_full_error(folder) from None
            raise
    return base


def lake_config(home: Home) -> dict[str, object]:
    """DuckDB settings of a connection that may attach the DuckLake: our extension folder, no downloads."""
    return {
        "extension_directory": str(extension_directory(home)),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
    }


_SECRET = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def redact(text: str) -> str:
    """A catalog string or an error message without its password."""
    return _SECRET.sub(r"\1***", text)


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def lake_attach_sql(home: Home, read_only: bool = False, alias: str = LAKE) -> str:
    options = [f"DATA_PATH {_sql_literal(str(home.data_path) + os.sep)}"]
    if read_only:
        options.append("READ_ONLY")
    return f"ATTACH {_sql_literal('ducklake:' + home.catalog)} AS {alias} ({', '.join(options)})"


def _connect_lake(home: Home, read_only: bool) -> duckdb.DuckDBPyConnection:
    if not read_only:
        home.ensure()
        home.data_path.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config=lake_config(home))
    try:
        _attach_lake(con, home, read_only)
    except BaseException:
        con.close()
        raise
    con.execute(f"USE {LAKE}")
    return con


def _attach_lake(con: duckdb.DuckDBPyConnection, home: Home, read_only: bool) -> None:
    where = redact(home.catalog)
    for attempt in range(CONNECT_ATTEMPTS):
        try:
            con.execute(lake_attach_sql(home, read_only))
            return
        except duckdb.Error as error:
            message = redact(" ".join(str(error).split()))
            if "does not exist" in message and "database" in message and not read_only:
                create_catalog_database(con, home.catalog)
                continue
            if read_only and ("does not exist" in message or "not initialized" in message.lower()):
                raise NoWarehouse(
                    f"no DuckLake at catalog {where!r} yet: 'tiemeter import ...' or "
                    f"'tiemeter collect ... --load' creates it ({message})"
                ) from None
            racing = is_lake_conflict(error) or "already exists" in message
            if racing and attempt + 1 < CONNECT_ATTEMPTS:
                # two first connections initialising the catalog at once: the other one's is used
                time.sleep(0.2 * (attempt + 1) * (0.5 + random.random()))
                continue
            if "connect" in message.lower() or "connection" in message.lower():
                raise CatalogUnreachable(f"DuckLake catalog {where!r} is unreachable: {message}") from None
            raise FatalError(f"DuckLake catalog {where!r}: {message}") from None
    raise CatalogUnreachable(
        f"DuckLake catalog {where!r}: could not attach after {CONNECT_ATTEMPTS} attempts"
    )


CONNECT_ATTEMPTS = 5


def _libpq_value(catalog: str, key: str) -> str | None:
    match = re.search(rf"(?:^|\s){key}\s*=\s*('[^']*'|\S+)", catalog.split(":", 1)[1])
    return match.group(1).strip("'") if match else None


def create_catalog_database(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Create the PostgreSQL database a new DuckLake's catalog names (connecting to the server's
    ``postgres`` database with the same host, port, user and password)."""
    conninfo = catalog.split(":", 1)[1]
    dbname = _libpq_value(catalog, "dbname")
    if not dbname:
        raise FatalError(f"DuckLake catalog {redact(catalog)!r}: name its database (dbname=...)")
    server = re.sub(r"(?:^|\s)dbname\s*=\s*('[^']*'|\S+)", " ", conninfo).strip() + " dbname=postgres"
    con.execute(f"ATTACH {_sql_literal(server)} AS tiemeter_pg_server (TYPE postgres)")
    try:
        quoted = '"' + dbname.replace('"', '""') + '"'
        with contextlib.suppress(duckdb.Error):  # created by another process just now
            con.execute(
                f"CALL postgres_execute('tiemeter_pg_server', {_sql_literal('CREATE DATABASE ' + quoted)}, use_transaction := false)"
            )
    finally:
        con.execute("DETACH tiemeter_pg_server")


# DuckLake inlines inserts of up to 10 rows into the catalog (PostgreSQL) instead of writing a Parquet
# file. Right for the small meta tables (ledger rows, marks, config); wrong for raw, where a row is an
# API page of up to MBs: these layers always write Parquet files under data_path.
PARQUET_SCHEMAS = ("raw", "staging", "core", "marts")


def _parquet_only(con: duckdb.DuckDBPyConnection) -> None:
    done = {
        row[0]
        for row in con.execute(
            f"SELECT scope_entry FROM {LAKE}.options() "
            "WHERE option_name = 'data_inlining_row_limit' AND scope = 'SCHEMA' AND value = '0'"
        ).fetchall()
    }
    for schema in PARQUET_SCHEMAS:
        if schema not in done:
            con.execute(f"CALL {LAKE}.set_option('data_inlining_row_limit', 0, schema => '{schema}')")


# Commit conflicts on a DuckLake (another writer committed to the same tables first): the transaction
# is rolled back whole and run again, with a growing, jittered pause.
CONFLICT_ATTEMPTS = 12


def retry_on_conflict(
    run: Callable[[], T], what: str, logger: logging.Logger | None = None, attempts: int = CONFLICT_ATTEMPTS
) -> T:
    """``run()`` (one transaction, which it rolls back whole when it fails), run again after a DuckLake
    commit conflict; after ``attempts`` conflicts in a row LakeConflict, a retry outcome: nothing of
    ``what`` was committed. On the DuckDB file (one writer) the first attempt commits."""
    for attempt in range(attempts):
        try:
            return run()
        except duckdb.Error as error:
            if not is_lake_conflict(error):
                raise
            reason = redact(" ".join(str(error).split()))[:300]
            if attempt + 1 == attempts:
                raise LakeConflict(
                    f"{what}: {attempts} commit conflicts in a row with other writers; nothing of it was "
                    f"committed, run it again ({reason})"
                ) from None
            (logger or log).info("%s: commit conflict, running it again (%s)", what, reason[:200])
            time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def retrying_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """``work()`` in one transaction, run again after a DuckLake commit conflict."""

    def once() -> T:
        con.execute("BEGIN TRANSACTION")
        try:
            result = work()
            con.execute("COMMIT")
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        return result

    return retry_on_conflict(once, "a warehouse transaction")


def is_lake_conflict(error: BaseException) -> bool:
    """DuckLake's commit conflicts (another transaction committed first), which a retry resolves."""
    return isinstance(error, duckdb.TransactionException) and "conflict" in str(error).lower()


# Loads and builds on a DuckLake: loaders run side by side, a build runs alone. A staging model reads
# the raw rows loaded after the newest ``loaded_at`` it has (transforms/macros/incremental.sql); a load
# still running when a build starts would commit rows older than that mark, which the next build
# would skip. So a loader holds a shared lock, a build an exclusive one: PostgreSQL advisory locks in
# the catalog's database, held by a transaction of their own (released when it ends or its process
# dies). Readers take none.
_WRITER_LOCK_KEY = 0x7469656D65746572 & 0x7FFFFFFFFFFFFFFF  # "tiemeter"


@contextlib.contextmanager
def writer_lock(home: Home, exclusive: bool = False) -> Iterator[None]:
    """Shared (a loader) or exclusive (a build) on a DuckLake; nothing on the DuckDB file, whose own
    lock already allows one writer."""
    if not home.is_lake:
        yield
        return
    con = duckdb.connect(config=lake_config(home))
    try:
        conninfo = home.catalog.split(":", 1)[1]
        try:
            try:
                con.execute(f"ATTACH {_sql_literal(conninfo)} AS tiemeter_lock (TYPE postgres)")
            except duckdb.Error as error:
                if "does not exist" not in str(error):
                    raise
                create_catalog_database(con, home.catalog)  # the first writer of a new DuckLake
                con.execute(f"ATTACH {_sql_literal(conninfo)} AS tiemeter_lock (TYPE postgres)")
            con.execute("BEGIN TRANSACTION")
            function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
            con.execute(f"CALL postgres_execute('tiemeter_lock', 'SELECT {function}({_WRITER_LOCK_KEY})')")
        except duckdb.Error as error:
            message = redact(" ".join(str(error).split()))
            raise CatalogUnreachable(
                f"DuckLake catalog {redact(home.catalog)!r}: no writer lock: {message}"
            ) from None
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute("COMMIT")  # ends the PostgreSQL transaction, and with it the lock
        con.close()


def memory_limit() -> str:
    return os.environ.get("TIEMETER_DUCKDB_MEMORY", "1GB")


def dbt_environment(home: Home) -> dict[str, str]:
    """What transforms/profiles.yml reads: its target (``home``: the DuckDB file, ``lake``: the
    DuckLake), the warehouse of ``home`` and DuckDB's memory limit."""
    home.ensure()
    values = {
        "TIEMETER_DBT_TARGET": "home",
        "TIEMETER_DBT_DATABASE": str(home.db_path),
        "TIEMETER_DUCKDB_MEMORY": memory_limit(),
    }
    if home.is_lake:
        values.update(
            TIEMETER_DBT_TARGET="lake",
            TIEMETER_DBT_CATALOG=f"ducklake:{home.catalog}",
            TIEMETER_DBT_DATA_PATH=str(home.data_path) + os.sep,
            TIEMETER_DBT_EXTENSIONS=str(extension_directory(home)),
        )
    return values


@contextlib.contextmanager
def warehouse(home: Home, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(home, read_only=read_only)
    try:
        if not read_only:
            if home.is_lake:
                retrying_transaction(con, lambda: ensure_schema(con, constraints=False))
                retrying_transaction(con, lambda: _parquet_only(con))
            else:
                ensure_schema(con)
        yield con
    finally:
        con.close()
