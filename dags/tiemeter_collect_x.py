"""Airflow DAG: collect from the X API v2, one mapped task per collection unit. Logic: collectors/x_api."""

from __future__ import annotations

from airflow.sdk import dag, task

from tiemeter.assets import LANDING_X
from tiemeter.schedule import collect_dag_settings


@dag(
    dag_id="tiemeter_collect_x",
    **collect_dag_settings(),
    doc_md="""
### tiemeter: collect from X

One mapped task per unit of `tiemeter.toml` (`TIEMETER_CONFIG`): follower snapshots (`users`), the
metrics re-poll (`metrics`), one per `[[campaigns]]`, `[[x.searches]]` and `[[accounts]]`. Each lands
raw pages in the landing zone; cursors live in files, so a retried or killed task resumes.

The token comes from the Airflow connection `x_api` (password; its host, if set, is the API base URL)
or the env `X_BEARER_TOKEN`, looked up when a task runs. A rate-limit wait longer than
`x.max_rate_limit_wait_s` ends the task with its cursor saved; the next run resumes. The request cap
and the budget of the `[x]` table hold for the whole DAG run: its tasks share them. One failing unit
does not stop the others; each finished unit updates the `tiemeter://landing/x` Asset, which
schedules `tiemeter_build_warehouse`.
""",
)
def tiemeter_collect_x():
    @task
    def plan() -> list[str]:
        from tiemeter.airflow_tasks import plan_x_units

        return plan_x_units()

    # the UI names each mapped task by its unit (campaign:door, search:roi, ...), not 0, 1, 2
    @task(outlets=[LANDING_X], max_active_tis_per_dag=2, map_index_template="{{ unit_name }}")
    def collect(unit: str) -> str:
        from airflow.sdk import get_current_context

        from tiemeter.airflow_tasks import collect_x

        context = get_current_context()
        context["unit_name"] = unit
        # the mapped tasks of one DAG run share x.max_requests_per_run and x.budget_usd_per_run;
        # a run triggered with {"replay_now": ISO time} collects on that replay clock (make cluster)
        conf = context["dag_run"].conf or {}
        return collect_x(
            [unit], dag_run=f"{context['ti'].dag_id}__{context['run_id']}", replay_now=conf.get("replay_now")
        )

    collect.expand(unit=plan())


tiemeter_collect_x()
