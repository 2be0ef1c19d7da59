"""Airflow DAG: load the landing zone into DuckDB and rebuild the warehouse. Logic: tiemeter/airflow_tasks.py."""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from tiemeter.assets import LANDING_BLOGS, LANDING_X, WAREHOUSE, WAREHOUSE_POOL
from tiemeter.schedule import dag_retries


@dag(
    dag_id="tiemeter_build_warehouse",
    schedule=(LANDING_X | LANDING_BLOGS),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": dag_retries(),
        "retry_delay": pendulum.duration(minutes=1),
        "pool": WAREHOUSE_POOL,
    },
    tags=["tiemeter"],
    doc_md="""
### tiemeter: build the warehouse

Runs whenever a collect DAG updates its landing Asset, on whatever landed (a failed source does not
hold the others back). `load` imports the config's `conversions_files` and loads every pending
landing file into `raw.*` (each file once, in one transaction, recorded in `meta.load_ledger`);
it only loads. Rejected conversion rows (quarantined, see `tiemeter status`) skip `load` after the
rest has loaded, as `tiemeter import conversions` exits 3, and the build still runs. `build` is `dbt run` of the dbt project in `transforms/` (staging, core and marts,
each built once per run; one task: per-model tasks would pay dbt's start-up once per model);
`check` is `dbt test` (a failed test fails it, and nothing is exported); `export` writes Parquet,
CSV and a read-only DuckDB snapshot for BI tools.

Every task runs in the one-slot pool `tiemeter_warehouse`: DuckDB allows one writer per file.
""",
)
def tiemeter_build_warehouse():
    @task
    def load() -> str:
        from tiemeter.airflow_tasks import load_and_import

        return load_and_import()

    # a load skipped for rejected input (quarantined; the rest loaded) still builds; a failed one does not
    @task(trigger_rule="none_failed")
    def build() -> str:
        from tiemeter.airflow_tasks import build_warehouse

        return build_warehouse()

    @task
    def check() -> str:
        from tiemeter.airflow_tasks import check_warehouse

        return check_warehouse()

    @task(outlets=[WAREHOUSE])
    def export() -> str:
        from tiemeter.airflow_tasks import export_warehouse

        return export_warehouse()

    load() >> build() >> check() >> export()


tiemeter_build_warehouse()
