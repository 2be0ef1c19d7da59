"""Airflow DAG: load the landing zone into DuckDB and rebuild the warehouse. Logic lives in ``warehouse/``."""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task

LANDING_X = Asset("tiemeter://landing/x")
LANDING_BLOGS = Asset("tiemeter://landing/blogs")
WAREHOUSE = Asset("tiemeter://warehouse")
WAREHOUSE_POOL = "tiemeter_warehouse"


@dag(
    dag_id="tiemeter_build_warehouse",
    schedule=(LANDING_X | LANDING_BLOGS),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=1)},
    tags=["tiemeter"],
    doc_md="""
### tiemeter: build the warehouse

Runs when a collect DAG updates its landing Asset. Loads every pending landing file into
`raw.*` (each file once, in one transaction, recorded in `meta.load_ledger`) and rebuilds
the staging and core tables. It runs in the one-slot pool `tiemeter_warehouse`, because
DuckDB allows a single writer.
""",
)
def tiemeter_build_warehouse():
    @task(pool=WAREHOUSE_POOL, outlets=[WAREHOUSE])
    def load() -> str:
        from tiemeter.airflow_tasks import load_landing

        return load_landing()

    load()


tiemeter_build_warehouse()
