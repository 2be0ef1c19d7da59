"""Airflow DAG: collect from the X API v2, one mapped task per collection unit. Logic: collectors/x_api."""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from tiemeter.assets import LANDING_X
from tiemeter.schedule import dag_retries, dag_schedule


@dag(
    dag_id="tiemeter_collect_x",
    schedule=dag_schedule(),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": dag_retries(),
        "retry_delay": pendulum.duration(minutes=2),
        "retry_exponential_backoff": True,
    },
    tags=["tiemeter"],
    doc_md="""
### tiemeter: collect from X

One mapped task per unit of `tiemeter.toml` (`TIEMETER_CONFIG`): follower snapshots (`users`), the
metrics re-poll (`metrics`), one per `[[campaigns]]`, `[[x.searches]]` and `[[accounts]]`. Each lands
raw pages in the landing zone; cursors live in files, so a retried or killed task resumes.

The token comes from the Airflow connection `x_api` (password; its host, if set, is the API base URL)
or the env `X_BEARER_TOKEN`, looked up when a task runs. A rate-limit wait longer than
`x.max_rate_limit_wait_s` ends the task with its cursor saved; the next run resumes. One failing unit
does not stop the others; each finished unit updates the `tiemeter://landing/x` Asset, which
schedules `tiemeter_build_warehouse`.
""",
)
def tiemeter_collect_x():
    @task
    def plan() -> list[str]:
        from tiemeter.airflow_tasks import plan_x_units

        return plan_x_units()

    @task(outlets=[LANDING_X], max_active_tis_per_dag=2)
    def collect(unit: str) -> str:
        from tiemeter.airflow_tasks import collect_x

        return collect_x([unit])

    collect.expand(unit=plan())


tiemeter_collect_x()
