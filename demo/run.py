"""``make demo``: the {grow} case study, end to end, through Airflow.

1. Start the fake X API and the fake blog on free loopback ports, serving the case-study dataset.
2. Run the three DAGs once each with ``dag.test()``: collect X, collect blogs, build the warehouse.
3. Print the case study's table from the marts, and where the warehouse, exports and report are.
4. Stop the servers.

Every run starts from an empty demo home, so two runs print the same numbers.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO_HOME = REPO / ".tiemeter" / "demo"
DAG_IDS = ("tiemeter_collect_x", "tiemeter_collect_blogs", "tiemeter_build_warehouse")


def prepare(home_dir: Path, x_base_url: str, blog_base_url: str, study) -> Path:
    """Write the demo config and donations CSV; point the environment at them."""
    from demo.config import DEMO_TOKEN, demo_config

    home_dir.mkdir(parents=True, exist_ok=True)
    donations = home_dir / "donations.csv"
    donations.write_text(study.donations_csv(), encoding="utf-8")
    config = home_dir / "tiemeter.toml"
    config.write_text(demo_config(x_base_url, blog_base_url, donations), encoding="utf-8")
    os.environ.update(TIEMETER_HOME=str(home_dir), TIEMETER_CONFIG=str(config), X_BEARER_TOKEN=DEMO_TOKEN)
    os.environ.setdefault("TIEMETER_TASK_RETRIES", "0")  # the demo shows a failure at once
    os.environ.pop("TIEMETER_DB", None)
    return config


def run_dags(dag_ids=DAG_IDS) -> dict[str, str]:
    """Each DAG once through Airflow's ``dag.test()``; returns the run state per DAG."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    states = {}
    for dag_id in dag_ids:
        started = time.perf_counter()
        run = bag.get_dag(dag_id).test()
        states[dag_id] = str(run.state)
        print(f"  {dag_id:<28} {states[dag_id]:<8} {time.perf_counter() - started:5.1f}s", flush=True)
    return states


def case_study_table(db_path: Path) -> str:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        c = con.execute(
            "SELECT campaign, url, sharing_tweets, amplifiers, heavyweight_amplifiers, potential_impressions, "
            "heavyweight_potential_impressions, engagers, conversions, conversion_amount, conversions_via_heavyweights "
            "FROM marts.campaign_summary ORDER BY campaign LIMIT 1"
        ).fetchone()
        ties = con.execute(
            "SELECT tie_class, conversions, amount, avg_amount FROM marts.campaign_conversions_by_tie "
            "WHERE campaign = ? ORDER BY array_position(['strong', 'weak', 'none'], tie_class)",
            [c[0]],
        ).fetchall()
        inf = con.execute(
            "SELECT account_name, followers, potential_reach, spread_score, strong_ties, friends, dunbar_share, "
            "strong_tie_engagement_share FROM marts.influence_vs_relationships WHERE account_name = 'Mark'"
        ).fetchone()
    finally:
        con.close()
    lines = [
        f"Campaign {c[0]!r}: {c[1]}",
        f"  tweets sharing it            {c[2]:>12,}",
        f"  accounts that shared it      {c[3]:>12,}   ({c[4]} heavyweights, >= 100k followers)",
        f"  potential impressions        {c[5]:>12,}   (heavyweights: {c[6]:,})",
        f"  people who engaged           {c[7]:>12,}",
        f"  donations                    {c[8]:>12,}   ${c[9]:,.0f} in total",
        f"  donors reached only through the heavyweights: {c[10]}",
        "",
        "  Donors by their tie with the blog's author (computed from interactions):",
        f"    {'tie':<8}{'donors':>8}{'amount':>10}{'average':>10}",
    ]
    for tie, n, amount, avg in ties:
        lines.append(
            f"    {tie:<8}{n:>8}{f'${amount:,.0f}':>10}{(f'${avg:,.2f}' if avg is not None else '-'):>10}"
        )
    if inf:
        lines += [
            "",
            f"  {inf[0]}: {inf[1]:,} followers, potential reach {inf[2]:,}, spread score {inf[3]}",
            f"    strong ties {inf[4]} ({inf[6]:.0%} of Dunbar's 150), friends {inf[5]}, "
            f"{inf[7]:.0%} of engagement from strong ties",
        ]
    return "\n".join(lines)


def main() -> int:
    from demo.case_study import build_case_study
    from demo.config import DEMO_TOKEN, PUBLIC_BLOG_URL
    from demo.fake_blog import FakeBlog
    from demo.fake_x_api.server import FakeXApi

    started = time.perf_counter()
    # the tasks' own log lines stay in the task logs; `make demo` sets the rest and migrates the DB
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("AIRFLOW_HOME", str(REPO / ".tiemeter" / "airflow"))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    shutil.rmtree(DEMO_HOME, ignore_errors=True)
    study = build_case_study()
    with (
        FakeXApi(study.x_dataset(), token=DEMO_TOKEN) as x_api,
        FakeBlog(study.blog_dataset(), public_url=PUBLIC_BLOG_URL) as blog,
    ):
        print(f"fake X API on {x_api.base_url}, fake blog on {blog.base_url}")
        prepare(DEMO_HOME, x_api.base_url, blog.base_url, study)
        print("running the DAGs through Airflow (dag.test):")
        states = run_dags()
    if any(state != "success" for state in states.values()):
        print(f"demo: a DAG run did not succeed: {states}", file=sys.stderr)
        return 1
    print()
    print(case_study_table(DEMO_HOME / "tiemeter.duckdb"))
    print()
    print(f"Warehouse: {DEMO_HOME / 'tiemeter.duckdb'}")
    print(f"Exports:   {DEMO_HOME / 'exports'} (Parquet, CSV, and the read-only snapshot tiemeter.duckdb)")
    report = DEMO_HOME / "exports" / "report.html"
    if report.exists():
        print(f"Report:    {report}")
    print(f"(demo took {time.perf_counter() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
