"""The warehouse on a DuckLake (PostgreSQL catalog, Parquet files): loaders side by side (two homes'
landing files, and two loaders of one home), a reader meanwhile, a commit conflict retried, and the same warehouse as one loader on a DuckDB file, through
the dbt build and the export.

Needs PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres): the module creates its own database
``tiemeter_lake_test_<pid>`` and drops it at the end; without the server the module skips, saying so.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy
from support import REPO, realdata, run_cli

from bench.bench_lake import start_loaders
from bench.synth import FIRST_ID, write_pages
from tiemeter.landing import QUARANTINE_RESOURCE, RESOURCES, landing_files
from tiemeter.settings import CATALOG_ENV, DATA_PATH_ENV, Home
from tiemeter.warehouse.connection import lake_attach_sql, lake_config, warehouse
from tiemeter.warehouse.loader import load_file, load_pending

PG_HOST, PG_PORT = "127.0.0.1", 5432


def _pg_reachable() -> bool:
    with contextlib.suppress(OSError), socket.create_connection((PG_HOST, PG_PORT), timeout=3):
        return True
    return False


def _pg_server(home: Home) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config=lake_config(home))
    con.execute(f"ATTACH 'host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres' AS pg (TYPE postgres)")
    return con


def _pg_execute(home: Home, sql: str) -> None:
    con = _pg_server(home)
    try:
        con.execute("CALL postgres_execute('pg', ?, use_transaction := false)", [sql])
    finally:
        con.close()


def _lake_home(root: Path, dbname: str, data: Path) -> Home:
    catalog = f"postgres:dbname={dbname} host={PG_HOST} port={PG_PORT} user=postgres"
    return Home(root=root, db_path=root / "tiemeter.duckdb", catalog=catalog, data_path=data)


def _lake_env(home: Home) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env[CATALOG_ENV], env[DATA_PATH_ENV] = home.catalog, str(home.data_path)
    return env


def _landing_lines(homes: list[Home]) -> dict[str, int]:
    """Lines per landing resource, counted from the files themselves."""
    counts: dict[str, int] = {}
    for home in homes:
        for path in landing_files(home.landing):
            resource = path.relative_to(home.landing).parts[0]
            with open(path, "rb") as handle:
                counts[resource] = counts.get(resource, 0) + sum(1 for line in handle if line.strip())
    return counts


READER = """
import json, sys, time
from pathlib import Path
from tiemeter.settings import Home
from tiemeter.warehouse.connection import warehouse
start, stop = Path(sys.argv[2]), Path(sys.argv[3])
samples = []
with warehouse(Home.resolve(sys.argv[1]), read_only=True) as con:
    while not start.exists():
        time.sleep(0.01)
    while not stop.exists():
        samples.append(con.execute(
            "SELECT (SELECT count(*) FROM meta.load_ledger WHERE status = 'loaded'), "
            "(SELECT count(*) FROM raw.x_api_pages)").fetchone())
        time.sleep(0.05)
    samples.append(con.execute(
        "SELECT (SELECT count(*) FROM meta.load_ledger WHERE status = 'loaded'), "
        "(SELECT count(*) FROM raw.x_api_pages)").fetchone())
print(json.dumps(samples))
"""


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    if not _pg_reachable():
        pytest.skip(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}: the DuckLake tests need a PostgreSQL "
            "server there (trust auth for user postgres) for the DuckLake catalog"
        )
    root = tmp_path_factory.mktemp("lake")
    dbname = f"tiemeter_lake_test_{os.getpid()}"
    data = root / "lake_data"
    home_a = _lake_home(root / "a", dbname, data)
    home_b = _lake_home(root / "b", dbname, data)
    _pg_execute(home_a, f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
    _pg_execute(home_a, f"CREATE DATABASE {dbname}")
    try:
        yield _build(root, home_a, home_b)
    finally:
        _pg_execute(home_a, f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


def _land(root: Path, home_a: Home, home_b: Home) -> None:
    """Different landing files for A and B: the real X samples split between them, and synthetic
    search pages (the bench's) for volume, so that the loads overlap."""
    samples = sorted(realdata("x_api_v2").glob("*.jsonl"))
    for home, files in ((home_a, samples[0::2]), (home_b, samples[1::2])):
        result = run_cli(
            Home(root=home.root, db_path=home.db_path), "import", "twarc", "--no-load", *map(str, files)
        )
        assert result.code in (0, 3), result  # 3: a sample's bad line is quarantined (it is meant to be)
    for n in range(16):
        home = home_a if n % 2 == 0 else home_b
        pages = root / f"synthetic-{n}.jsonl"
        write_pages(pages, 600, first_id=FIRST_ID + n * 10_000_000, vary_text=True, seed=n)
        result = run_cli(
            Home(root=home.root, db_path=home.db_path), "import", "twarc", "--no-load", str(pages)
        )
        assert result.code == 0, result


def _build(root: Path, home_a: Home, home_b: Home) -> dict:
    _land(root, home_a, home_b)
    with warehouse(home_a):  # the catalog and the schemas, so that the reader can attach read-only
        pass
    start, stop = root / "start", root / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home_a.root), str(start), str(stop)],
        env=_lake_env(home_a), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    # the third: a second loader of A's home, at the same time
    loaders = start_loaders((home_a, home_b, home_a), start, _lake_env)
    time.sleep(1.0)  # all three have started Python and connected
    start.touch()
    loads = []
    for proc in loaders:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        loads.append(json.loads(out.strip().splitlines()[-1]))
    stop.touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err[-3000:]
    # one loader doing it all: every landing file of A and B in one home, on a DuckDB file
    single = Home.resolve(root / "single")
    for home in (home_a, home_b):
        shutil.copytree(home.landing, single.landing, dirs_exist_ok=True)
    single_report = load_pending(single)
    return {
        "a": home_a,
        "b": home_b,
        "single": single,
        "loads": loads,
        "single_loaded": len(single_report.loaded),
        "samples": json.loads(out.strip().splitlines()[-1]),
        "expected_lines": _landing_lines([home_a, home_b]),
    }


@contextlib.contextmanager
def _both(lake_home: Home, file_home: Home):
    """One DuckDB connection with the DuckLake (read-only, as ``lake``) and the file (as ``single``)."""
    con = duckdb.connect(config=lake_config(lake_home))
    try:
        con.execute(lake_attach_sql(lake_home, read_only=True))
        con.execute(f"ATTACH '{file_home.db_path}' AS single (READ_ONLY)")
        yield con
    finally:
        con.close()


def _differences(con, table: str, columns: str) -> tuple[int, int]:
    only_lake = con.execute(
        f"SELECT count(*) FROM (SELECT {columns} FROM lake.{table} EXCEPT ALL SELECT {columns} FROM single.{table})"
    ).fetchone()[0]
    only_single = con.execute(
        f"SELECT count(*) FROM (SELECT {columns} FROM single.{table} EXCEPT ALL SELECT {columns} FROM lake.{table})"
    ).fetchone()[0]
    return only_lake, only_single


def _columns(con, database: str, schema: str, table: str, leave_out=()) -> str:
    names = [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
            "AND table_name = ? ORDER BY column_index",
            [database, schema, table],
        ).fetchall()
        if row[0] not in leave_out
    ]
    assert names, f"{database}.{schema}.{table} has no columns"
    return ", ".join(f'"{n}"' for n in names)


def test_two_loaders_at_once_load_every_file_once(lake):
    files_a = len(landing_files(lake["a"].landing))
    files_b = len(landing_files(lake["b"].landing))
    assert [load["failed"] for load in lake["loads"]] == [[], [], []]
    # A's two loaders shared its files (each file once), B's loader loaded B's
    assert lake["loads"][0]["loaded"] + lake["loads"][2]["loaded"] == files_a
    assert lake["loads"][1]["loaded"] == files_b
    assert lake["single_loaded"] == files_a + files_b
    expected = lake["expected_lines"]
    with _both(lake["a"], lake["single"]) as con:
        ledger = con.execute(
            "SELECT count(*), count(DISTINCT landing_file) FROM lake.meta.load_ledger WHERE status = 'loaded'"
        ).fetchone()
        assert ledger == (files_a + files_b, files_a + files_b)
        # the two loaders ran side by side: in commit order, their files interleave
        of_a = {p.relative_to(lake["a"].landing).as_posix() for p in landing_files(lake["a"].landing)}
        order = [
            row[0] in of_a
            for row in con.execute(
                "SELECT landing_file FROM lake.meta.load_ledger WHERE status = 'loaded' ORDER BY loaded_at"
            ).fetchall()
        ]
        assert sum(1 for x, y in zip(order, order[1:], strict=False) if x != y) > 1
        for resource, lines in expected.items():
            table = "meta.quarantine" if resource == QUARANTINE_RESOURCE else f"raw.{resource}"
            assert con.execute(f"SELECT count(*) FROM lake.{table}").fetchone()[0] == lines, table


def test_the_lake_equals_one_loader_on_a_duckdb_file(lake):
    with _both(lake["a"], lake["single"]) as con:
        for resource in RESOURCES:
            columns = _columns(con, "single", "raw", resource, leave_out=("loaded_at",))
            assert _differences(con, f"raw.{resource}", columns) == (0, 0), resource
        ledger = _columns(con, "single", "meta", "load_ledger", leave_out=("loaded_at",))
        assert _differences(con, "meta.load_ledger", ledger) == (0, 0)
        assert _differences(con, "meta.quarantine", _columns(con, "single", "meta", "quarantine")) == (0, 0)
        assert (
            con.execute("SELECT count(*) FROM lake.meta.quarantine").fetchone()[0] > 0
        )  # compared something


def test_a_reader_reads_while_the_loaders_write(lake):
    samples = lake["samples"]
    files = len(landing_files(lake["a"].landing)) + len(landing_files(lake["b"].landing))
    assert len(samples) >= 2
    ledger_counts = [s[0] for s in samples]
    assert ledger_counts == sorted(ledger_counts)  # each read sees a committed state, never one undone
    assert ledger_counts[-1] == files
    assert any(0 < count < files for count in ledger_counts)  # it read while the loads ran
    # a file's ledger row and its pages commit together: a read never sees a ledger row without its rows
    pages_per_file_total = lake["expected_lines"]["x_api_pages"]
    assert samples[-1][1] == pages_per_file_total


def test_a_commit_conflict_is_retried_and_the_file_loads_once(lake, tmp_path, caplog):
    """Another writer deletes from the ledger and commits just before this loader's commit, which
    DuckLake then refuses; the loader runs the file's transaction again."""
    home = lake["a"]
    pages = tmp_path / "pages.jsonl"
    write_pages(pages, 300, first_id=FIRST_ID + 900_000_000, seed=99)
    result = run_cli(Home(root=home.root, db_path=home.db_path), "import", "twarc", "--no-load", str(pages))
    assert result.code == 0, result
    loaded = set(
        r[0] for r in duckdb_query(home, "SELECT landing_file FROM meta.load_ledger WHERE status = 'loaded'")
    )
    new = [p for p in landing_files(home.landing) if p.relative_to(home.landing).as_posix() not in loaded]
    assert len(new) == 1
    rel = new[0].relative_to(home.landing).as_posix()
    lines = sum(1 for line in new[0].read_bytes().splitlines() if line.strip())
    with warehouse(home) as con, warehouse(home) as other:
        # a failed attempt of this file is in the ledger, so loading it deletes a ledger row
        con.execute(
            "INSERT INTO meta.load_ledger VALUES (?, 'x_api_pages', 'x', 0, NULL, 'failed', 'earlier', now())",
            [rel],
        )
        other.execute(
            "INSERT INTO meta.load_ledger VALUES ('conflict-bait', 'x_api_pages', 'x', 0, NULL, 'failed', 'x', now())"
        )
        commits = []

        class Interleaved:
            """The loader's connection; before its first COMMIT another writer commits a delete."""

            def execute(self, sql, params=None):
                if sql == "COMMIT" and not commits:
                    commits.append(sql)
                    other.execute("DELETE FROM meta.load_ledger WHERE landing_file = 'conflict-bait'")
                return con.execute(sql, params) if params is not None else con.execute(sql)

        with caplog.at_level(logging.INFO, logger="tiemeter.warehouse.loader"):
            outcome = load_file(Interleaved(), home.landing, new[0])
    assert outcome.status == "loaded" and outcome.rows == lines
    assert "commit conflict" in caplog.text
    rows = duckdb_query(home, "SELECT status, rows FROM meta.load_ledger WHERE landing_file = ?", [rel])
    assert rows == [("loaded", lines)]
    assert duckdb_query(home, "SELECT count(*) FROM raw.x_api_pages WHERE landing_file = ?", [rel]) == [
        (lines,)
    ]
    # the one loader on the DuckDB file gets the same file (the module's comparisons stay like for like)
    single = lake["single"]
    (single.landing / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(new[0], single.landing / rel)
    assert len(load_pending(single).loaded) == 1


def test_transform_and_export_on_the_lake_equal_the_duckdb_file(lake):
    """Every model (incremental strategies, the Python model, persist_docs) and the export's snapshot
    on the DuckLake give what they give on the DuckDB file of the same landing files."""
    env = _lake_env(lake["a"])
    built = subprocess.run(
        [sys.executable, "-m", "tiemeter.cli", "--home", str(lake["a"].root), "transform"],
        env=env, capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    result = run_cli(lake["single"], "transform")
    assert result.code == 0, result
    with _both(lake["a"], lake["single"]) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'single' "
            "AND schema_name IN ('staging', 'core', 'marts') ORDER BY 1, 2"
        ).fetchall()
        lake_tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'lake' "
            "AND schema_name IN ('staging', 'core', 'marts') ORDER BY 1, 2"
        ).fetchall()
        assert lake_tables == tables and ("marts", "network_pagerank") in tables
        for schema, table in tables:
            columns = _columns(con, "single", schema, table, leave_out=("loaded_at", "built_at"))
            assert _differences(con, f"{schema}.{table}", columns) == (0, 0), f"{schema}.{table}"
        # persist_docs: the same table comments on both
        comments = (
            "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name IN ('core', 'marts') ORDER BY 1, 2"
        )
        single_comments = con.execute(comments, ["single"]).fetchall()
        assert con.execute(comments, ["lake"]).fetchall() == single_comments
        assert all(c for _, _, c in single_comments)
        tweets = con.execute("SELECT count(*) FROM lake.core.tweets").fetchone()[0]
    assert tweets > 0
    exported = subprocess.run(
        [sys.executable, "-m", "tiemeter.cli", "--home", str(lake["a"].root), "export", "--format", "csv"],
        env=env, capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr[-3000:]
    snapshot = duckdb.connect(
        str(lake["a"].exports / "tiemeter.duckdb"), read_only=True
    )  # no extension needed
    try:
        assert snapshot.execute("SELECT count(*) FROM core.tweets").fetchone()[0] == tweets
    finally:
        snapshot.close()


def test_bi_reads_the_lake_read_only_through_duckdb_engine(lake):
    """The URI and engine parameters docs/bi.md gives Superset."""
    home = lake["a"]
    catalog = home.catalog.split(":", 1)[1]
    engine = sqlalchemy.create_engine(
        f"duckdb:///ducklake:postgres:{catalog}?access_mode=read_only",
        connect_args={"config": {"extension_directory": str(home.root / "duckdb_extensions"),
                                 "autoinstall_known_extensions": False}},
    )  # fmt: skip
    files = len(landing_files(lake["a"].landing)) + len(landing_files(lake["b"].landing))
    try:
        with engine.connect() as bi:
            loaded = bi.execute(
                sqlalchemy.text("SELECT count(*) FROM meta.load_ledger WHERE status = 'loaded'")
            ).scalar()
            assert loaded >= files  # (the conflict test may have added one)
            columns = [c["name"] for c in sqlalchemy.inspect(bi).get_columns("load_ledger", schema="meta")]
            assert columns[:3] == ["landing_file", "resource", "sha256"]
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
                bi.execute(sqlalchemy.text("DELETE FROM meta.load_ledger"))
    finally:
        engine.dispose()


def duckdb_query(home: Home, sql: str, params=None) -> list[tuple]:
    with warehouse(home, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
