"""`make cluster` (issue 14): the demo's DAGs through the scheduler on the CeleryExecutor (Redis broker,
PostgreSQL metadata DB, two Celery workers, the warehouse on a DuckLake) equal the embedded demo
(`make demo`: dag.test() on the DuckDB file). One cluster for the module: it costs ~1-2 minutes.

Its own PostgreSQL databases, Redis DB and queue, so that a user's `make cluster` (tiemeter_airflow,
DB 11) is left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import psycopg2
import pytest
import redis

from tiemeter.cluster import ClusterSpec, drop_database, missing_services
from tiemeter.demo.cluster import COLLECT, demo_cluster, run_demo
from tiemeter.settings import Home
from tiemeter.warehouse.connection import lake_attach_sql, lake_config

REPO = Path(__file__).resolve().parents[2]
# names of this session's own (two sessions at once must not share them)
METADATA_DB = f"tiemeter_airflow_clustertest_{os.getpid()}"
LAKE_DB = f"tiemeter_lake_clustertest_{os.getpid()}"
# columns stamped with the time of the run: the only ones allowed to differ between the two demos
RUN_STAMPS = ("loaded_at", "built_at")
# observations on the replay clock: the replay time plus the real seconds the task has run, so two
# runs of the demo differ below the minute, in these columns (the replay times sit on whole minutes)
REPLAY_CLOCK = "observed_at"  # observed_at, followers_observed_at


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    spec = ClusterSpec(
        airflow_home=tmp_path_factory.mktemp("cluster") / "airflow",
        database=METADATA_DB,
        redis_db=12,
        queue=f"tiemeter_clustertest_{os.getpid()}",
        api_port=_free_port(),
        dags_folder=REPO / "dags",
        warehouse_slots=2,
    )
    missing = missing_services(spec)
    if missing:
        pytest.skip("the cluster test needs PostgreSQL and Redis on loopback: " + "; ".join(missing))
    return spec


@pytest.fixture(scope="module")
def cluster_run(spec, tmp_path_factory):
    """The demo's runs on the cluster: (states per DAG, the home, task_instance hostnames per DAG)."""
    saved = dict(os.environ)
    home = tmp_path_factory.mktemp("cluster-home") / "home"
    try:
        with demo_cluster(spec, home, LAKE_DB, say=lambda _: None) as (cluster, api, study):
            states = run_demo(cluster, api, study, say=lambda _: None)
            con = psycopg2.connect(
                host=spec.pg_host, port=spec.pg_port, user=spec.pg_user, dbname=METADATA_DB
            )
            try:
                with con.cursor() as cur:
                    cur.execute("SELECT dag_id, hostname, state FROM task_instance")
                    tasks = cur.fetchall()
            finally:
                con.close()
            lake_home = Home.resolve(home)
        yield states, lake_home, tasks
    finally:
        os.environ.clear()
        os.environ.update(saved)
        drop_database(spec, METADATA_DB)
        drop_database(spec, LAKE_DB)
        redis.Redis(host=spec.redis_host, port=spec.redis_port, db=spec.redis_db).delete(
            spec.queue, f"_kombu.binding.{spec.queue}"
        )


@pytest.fixture(scope="module")
def embedded_demo(tmp_path_factory) -> Path:
    """`make demo` (dag.test() on the DuckDB file, Airflow on SQLite) in a state folder of its own."""
    state = tmp_path_factory.mktemp("embedded")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIEMETER_", "AIRFLOW__DATABASE"))}
    env.update(
        TIEMETER_DEMO_STATE=str(state),
        AIRFLOW_HOME=str(state / "airflow"),
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        PYTHONPATH=str(REPO),
    )
    done = subprocess.run(
        [sys.executable, "-m", "tiemeter.demo.run"], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return state / "demo" / "tiemeter.duckdb"


def test_every_dag_run_succeeds(cluster_run):
    states, _, _ = cluster_run
    # the demo: collect X and the blogs, X again on the replay clock, then one build
    assert states == {
        "tiemeter_collect_x": ["success", "success"],
        "tiemeter_collect_blogs": ["success"],
        "tiemeter_build_warehouse": ["success"],
    }


def test_both_workers_ran_collect_tasks(cluster_run, spec):
    _, _, tasks = cluster_run
    assert tasks and all(state == "success" for _, _, state in tasks)
    collectors = {host for dag_id, host, _ in tasks if dag_id in COLLECT}
    names = {host.split(".", 1)[0] for host in collectors}
    assert names == {f"worker{i}" for i in range(1, spec.workers + 1)}, collectors


def _tables(con, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
        "AND schema_name = 'marts' ORDER BY 1, 2",
        [database],
    ).fetchall()


def _columns(con, table: str) -> str:
    names = [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'single' AND schema_name = 'marts' "
            "AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
        if row[0] not in RUN_STAMPS
    ]
    return ", ".join(
        f"date_trunc('minute', \"{n}\")" if n.endswith(REPLAY_CLOCK) else f'"{n}"' for n in names
    )


def test_the_marts_equal_the_embedded_demo(cluster_run, embedded_demo):
    _, lake_home, _ = cluster_run
    con = duckdb.connect(config=lake_config(lake_home))
    try:
        con.execute(lake_attach_sql(lake_home, read_only=True))
        con.execute(f"ATTACH '{embedded_demo}' AS single (READ_ONLY)")
        tables = _tables(con, "single")
        assert ("marts", "campaign_summary") in tables
        assert _tables(con, "lake") == tables
        differing = {}
        for _, table in tables:
            columns = _columns(con, table)
            differ = [
                con.execute(
                    f"SELECT count(*) FROM (SELECT {columns} FROM {a}.marts.{table} "
                    f"EXCEPT ALL SELECT {columns} FROM {b}.marts.{table})"
                ).fetchone()[0]
                for a, b in (("lake", "single"), ("single", "lake"))
            ]
            if differ != [0, 0]:
                differing[table] = differ  # rows only on the cluster, rows only in the embedded demo
        assert differing == {}
        assert con.execute("SELECT count(*) FROM lake.marts.campaign_summary").fetchone()[0] > 0
    finally:
        con.close()
