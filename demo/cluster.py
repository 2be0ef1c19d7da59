"""``make cluster``: the demo's three DAGs on Airflow across workers (tiemeter/cluster.py): the
CeleryExecutor on Redis (127.0.0.1:6379, DB 11), the metadata DB on PostgreSQL (127.0.0.1:5432, its own
database ``tiemeter_airflow``), the API server, scheduler, DAG processor, triggerer and two Celery
workers, beside the fake X API and the fake blog. The scheduler runs the demo's DAG runs (collect X and
the blogs, X again two days later on the replay clock, then the build); then the cluster stays up for
the UI until Ctrl-C, which stops every process it started.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

from tiemeter.cluster import AirflowApi, Cluster, ClusterSpec, missing_services, recreate_database
from tiemeter.demo.case_study import build_case_study
from tiemeter.demo.config import DEMO_TOKEN, PUBLIC_BLOG_URL
from tiemeter.demo.fake_blog import FakeBlog
from tiemeter.demo.fake_x_api.server import FakeXApi
from tiemeter.demo.run import case_study_table, prepare
from tiemeter.settings import Home

REPO = Path(__file__).resolve().parents[1]
HOME = REPO / ".tiemeter" / "cluster"
AIRFLOW_HOME = REPO / ".tiemeter" / "airflow-cluster"
COLLECT = ("tiemeter_collect_x", "tiemeter_collect_blogs")
BUILD = "tiemeter_build_warehouse"


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def run_demo(cluster: Cluster, api: AirflowApi, study, say=print) -> dict[str, list[str]]:
    """The demo's runs through the scheduler; the states per DAG. The build DAG stays paused while
    the collections land (paused, its Asset events queue no run), then runs once on all of it."""
    alive = cluster.check_alive
    api.login(alive=alive)
    api.wait_for_dags((*COLLECT, BUILD), alive=alive)
    for dag_id in COLLECT:
        api.set_paused(dag_id, False)
    first, later = study.replay_times()
    states: dict[str, list[str]] = {}

    def run(*triggers: tuple[str, dict]) -> None:
        started = time.perf_counter()
        runs = [(dag_id, api.trigger(dag_id, conf)) for dag_id, conf in triggers]
        for (dag_id, run_id), state in api.wait(runs, alive=alive).items():
            states.setdefault(dag_id, []).append(state)
            say(f"  {dag_id:<28} {run_id[:40]:<40} {state:<8} {time.perf_counter() - started:5.1f}s")

    run(("tiemeter_collect_x", {"replay_now": first}), ("tiemeter_collect_blogs", {}))
    run(("tiemeter_collect_x", {"replay_now": later}))
    api.set_paused(BUILD, False)
    run((BUILD, {}))
    return states


@contextlib.contextmanager
def demo_cluster(spec: ClusterSpec, home: Path, lake_db: str | None, say=print):
    """The fake servers, the demo's home (its warehouse on a DuckLake in ``lake_db``, recreated, or on
    the DuckDB file when None), and the cluster prepared and started; yields (cluster, api, study) and
    stops every process it started on the way out, whatever happened."""
    study = build_case_study()
    cluster = Cluster(spec)
    try:
        with (
            FakeXApi(study.x_dataset(), token=DEMO_TOKEN) as x_api,
            FakeBlog(study.blog_dataset(), public_url=PUBLIC_BLOG_URL) as blog,
        ):
            prepare(home, x_api.base_url, blog.base_url, study)
            os.environ["TIEMETER_SCHEDULE"] = "none"  # the runs below are the demo's; no cron run
            if lake_db:
                os.environ["TIEMETER_WAREHOUSE_CATALOG"] = (
                    f"postgres:host={spec.pg_host} port={spec.pg_port} user={spec.pg_user} dbname={lake_db}"
                )
                os.environ["TIEMETER_WAREHOUSE_DATA_PATH"] = str(home / "lake")
                recreate_database(spec, lake_db)
            cluster.env.update({k: v for k, v in os.environ.items() if k.startswith("TIEMETER_")})
            cluster.env.update(X_BEARER_TOKEN=DEMO_TOKEN)
            say(f"fake X API on {x_api.base_url}, fake blog on {blog.base_url}; tiemeter home {home}")
            say(f"preparing the metadata DB {spec.database} on PostgreSQL ...")
            cluster.prepare()
            say(f"starting the API server, scheduler, DAG processor, triggerer and {spec.workers} "
                f"Celery workers (logs: {spec.logs}) ...")  # fmt: skip
            cluster.start()
            yield cluster, AirflowApi(spec), study
    finally:
        say("stopping the cluster ...")
        cluster.stop()


def main() -> int:
    lake = os.environ.get("TIEMETER_CLUSTER_WAREHOUSE", "ducklake") == "ducklake"
    spec = ClusterSpec(
        airflow_home=AIRFLOW_HOME,
        dags_folder=REPO / "dags",
        api_port=free_port(int(os.environ.get("TIEMETER_CLUSTER_PORT", "8080"))),
        warehouse_slots=int(os.environ.get("TIEMETER_CLUSTER_WAREHOUSE_SLOTS", "2" if lake else "1")),
    )
    missing = missing_services(spec)
    if missing:
        print("make cluster needs PostgreSQL and Redis on loopback:", *missing, sep="\n  ", file=sys.stderr)
        return 2
    shutil.rmtree(HOME, ignore_errors=True)
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)

    def stop(*_):
        # once: a second Ctrl-C must not cut short the stopping of the process groups
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    started = time.perf_counter()
    try:
        with demo_cluster(spec, HOME, LAKE_DB if lake else None, say=lambda m: print(m, flush=True)) as (
            cluster,
            api,
            study,
        ):
            states = run_demo(cluster, api, study)
            ok = all(s == "success" for runs in states.values() for s in runs)
            if ok:
                print()
                print(case_study_table(Home.resolve(HOME)))
            print(banner(spec, ok, time.perf_counter() - started))
            while True:
                cluster.check_alive()
                time.sleep(2)
    except KeyboardInterrupt:
        pass  # demo_cluster has stopped every process group on the way out
    print("stopped.")
    return 0


LAKE_DB = "tiemeter_cluster_lake"


def banner(spec: ClusterSpec, ok: bool, took: float) -> str:
    password = spec.airflow_home / "simple_auth_manager_passwords.json.generated"
    return "\n".join(
        [
            "",
            "=" * 72,
            f"  the demo's DAG runs {'all succeeded' if ok else 'did NOT all succeed'} ({took:.0f}s)",
            f"  Airflow UI:  http://localhost:{spec.api_port}   login admin, password in {password}",
            f"  metadata DB: postgresql://{spec.pg_user}@{spec.pg_host}:{spec.pg_port}/{spec.database}",
            f"  broker:      {spec.broker_url} (queue {spec.queue})",
            f"  logs:        {spec.logs}",
            "  Ctrl-C (or kill -INT of this process) stops every process the cluster started.",
            "=" * 72,
        ]
    )


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
