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
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tiemeter.dag_files import dags_folder
from tiemeter.demo.case_study import build_case_study
from tiemeter.demo.config import DEMO_TOKEN, PUBLIC_BLOG_URL, demo_config
from tiemeter.demo.fake_blog import FakeBlog
from tiemeter.demo.fake_x_api.server import FakeXApi
from tiemeter.settings import Home
from tiemeter.warehouse.connection import connect

# state under ./.tiemeter of the folder it runs in (`make demo`: the checkout), never beside an installed package
STATE = Path(os.environ.get("TIEMETER_DEMO_STATE") or Path.cwd() / ".tiemeter").resolve()
DEMO_HOME = STATE / "demo"
DAG_IDS = ("tiemeter_collect_x", "tiemeter_collect_blogs", "tiemeter_build_warehouse")


def prepare(home_dir: Path, x_base_url: str, blog_base_url: str, study) -> Path:
    """Write the demo config and donations CSV; point the environment at them."""
    home_dir.mkdir(parents=True, exist_ok=True)
    donations = home_dir / "donations.csv"
    donations.write_text(study.donations_csv(), encoding="utf-8")
    config = home_dir / "tiemeter.toml"
    config.write_text(demo_config(x_base_url, blog_base_url, donations), encoding="utf-8")
    os.environ.update(TIEMETER_HOME=str(home_dir), TIEMETER_CONFIG=str(config), X_BEARER_TOKEN=DEMO_TOKEN)
    os.environ.setdefault("TIEMETER_TASK_RETRIES", "0")  # the demo shows a failure at once
    os.environ.pop("TIEMETER_DB", None)
    return config


def ensure_airflow_db(airflow_home: Path) -> None:
    """Airflow's metadata DB and the warehouse pool, as `make setup` makes them; for a run outside the
    checkout (an installed tiemeter: ``python -m tiemeter.demo.run``). Does nothing when the DB exists."""
    if (airflow_home / "airflow.db").exists():
        return
    airflow_home.mkdir(parents=True, exist_ok=True)
    print(f"creating Airflow's database in {airflow_home} (once)", flush=True)
    airflow = [sys.executable, "-m", "airflow"]
    for command in (
        ["db", "migrate"],
        [
            "pools",
            "set",
            "tiemeter_warehouse",
            "1",
            "DuckDB allows one writer: every task that writes the warehouse runs here",
        ],
    ):
        done = subprocess.run([*airflow, *command], capture_output=True, text=True, env={**os.environ})
        if done.returncode != 0:
            raise SystemExit(
                f"airflow {' '.join(command[:2])} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )


def run_dags(dag_ids=DAG_IDS, replay: tuple[str, str] | None = None) -> dict[str, str]:
    """Each DAG through Airflow's ``dag.test()``; returns the run state per DAG (the worst of its runs).

    With ``replay`` (two ISO times), the X collection runs on the replay clock at the first, and,
    after the blogs, once more at the second, when the metrics re-poll of the newest tweets is due:
    the case study is from 2012, and a tweet is re-polled only 1 h, 6 h, 24 h and 7 days after it was
    posted."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_folder()))
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    steps = [(dag_id, None) for dag_id in dag_ids]
    if replay and "tiemeter_collect_x" in dag_ids:
        steps = [(d, replay[0] if d == "tiemeter_collect_x" else None) for d in dag_ids]
        build = (
            dag_ids.index("tiemeter_build_warehouse") if "tiemeter_build_warehouse" in dag_ids else len(steps)
        )
        steps.insert(build, ("tiemeter_collect_x", replay[1]))
    states: dict[str, str] = {}
    for dag_id, now in steps:
        started = time.perf_counter()
        if now:
            os.environ["TIEMETER_REPLAY_NOW"] = now
        try:
            run = bag.get_dag(dag_id).test()
        finally:
            os.environ.pop("TIEMETER_REPLAY_NOW", None)
        state = str(run.state)
        states[dag_id] = state if states.get(dag_id, "success") == "success" else states[dag_id]
        label = f"{dag_id} (as at {now[:16]}Z)" if now else dag_id
        print(f"  {label:<46} {state:<8} {time.perf_counter() - started:5.1f}s", flush=True)
    return states


def _columns(con, schema: str) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ?", [schema]
    ).fetchall()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables


def campaign_numbers(con) -> dict:
    """The case study's numbers for the first campaign, by the marts' names.

    Exposure and reach with the heavyweights' part come from ``marts.campaign_summary``'s
    ``potential_impressions``, ``potential_reach``, ``heavyweight_potential_impressions`` and
    ``heavyweight_potential_reach``, and the conversions credited to a heavyweight's sharing tweet
    from ``marts.conversion_attribution.amplifier_class``, where the warehouse has them (issue 11).
    A warehouse built before them gets exposure and reach from the sharing tweets and amplifiers,
    and the heavyweight-only conversions stand in for the credited ones. Community: everything not
    credited to a heavyweight.
    """
    marts = _columns(con, "marts")
    summary = marts["campaign_summary"]
    c = con.execute(
        "SELECT campaign, url, sharing_tweets, amplifiers, heavyweight_amplifiers, conversions, conversion_amount, "
        "conversions_via_heavyweights FROM marts.campaign_summary ORDER BY campaign LIMIT 1"
    ).fetchone()
    n = dict(zip(("campaign", "url", "sharing_tweets", "amplifiers", "heavyweight_amplifiers", "conversions",
                  "conversion_amount", "conversions_via_heavyweights"), c, strict=True))  # fmt: skip
    if {"potential_reach", "heavyweight_potential_reach"} <= summary:
        n.update(zip(("impressions", "reach", "heavy_impressions", "heavy_reach"), con.execute(
            "SELECT potential_impressions, potential_reach, heavyweight_potential_impressions, "
            "heavyweight_potential_reach FROM marts.campaign_summary WHERE campaign = ?", [n["campaign"]]
        ).fetchone(), strict=True))  # fmt: skip
    else:  # exposure counts every sharing tweet; reach each distinct amplifier once
        n.update(zip(("impressions", "reach", "heavy_impressions", "heavy_reach"), con.execute(
            "WITH a AS (SELECT * FROM marts.campaign_amplifiers WHERE campaign = $1), "
            "e AS (SELECT a.size_class, a.followers FROM marts.campaign_sharing_tweets s "
            "      JOIN a ON a.user_id = s.author_id WHERE s.campaign = $1) "
            "SELECT (SELECT coalesce(sum(followers), 0) FROM e), (SELECT coalesce(sum(followers), 0) FROM a), "
            "(SELECT coalesce(sum(followers), 0) FROM e WHERE size_class = 'heavyweight'), "
            "(SELECT coalesce(sum(followers), 0) FROM a WHERE size_class = 'heavyweight')", [n["campaign"]]
        ).fetchone(), strict=True))  # fmt: skip
    if "conversion_attribution" in marts:
        n["heavy_rule"] = "credited to a heavyweight's sharing tweet"
        per_campaign = "campaign" in marts["conversion_attribution"]
        n["heavy_credited"] = con.execute(
            "SELECT count(*) FROM marts.conversion_attribution WHERE amplifier_class = 'heavyweight'"
            + (" AND campaign = ?" if per_campaign else ""),
            [n["campaign"]] if per_campaign else [],
        ).fetchone()[0]
    else:
        n["heavy_rule"] = "a heavyweight's sharing tweet was their only path"
        n["heavy_credited"] = n["conversions_via_heavyweights"]
    n["community_credited"] = n["conversions"] - n["heavy_credited"]
    n["community_impressions"] = n["impressions"] - n["heavy_impressions"]
    n["ties"] = con.execute(
        "SELECT tie_class, conversions, amount FROM marts.campaign_conversions_by_tie "
        "WHERE campaign = ? ORDER BY array_position(['strong', 'weak', 'none'], tie_class)",
        [n["campaign"]],
    ).fetchall()
    return n


def _per_conversion(impressions: int, conversions: int) -> str:
    return f"{impressions / conversions:,.0f}" if conversions else "-"


def case_study_table(db_path: Path | Home) -> str:
    """The case study's table from a warehouse file, or from a home's warehouse (a DuckDB file or a DuckLake)."""
    con = (
        connect(db_path, read_only=True)
        if isinstance(db_path, Home)
        else duckdb.connect(str(db_path), read_only=True)
    )
    try:
        n = campaign_numbers(con)
        inf = con.execute(
            "SELECT account_name, followers, spread_score, strong_ties, friends, dunbar_share, "
            "strong_tie_engagement_share FROM marts.influence_vs_relationships WHERE account_name = 'Mark'"
        ).fetchone()
    finally:
        con.close()
    ties = {tie: (count, amount) for tie, count, amount in n["ties"]}
    strong = ties.get("strong", (0, 0))
    weak_or_none = tuple(sum(ties.get(t, (0, 0))[i] for t in ("weak", "none")) for i in (0, 1))
    heavy, community = n["heavy_credited"], n["community_credited"]
    rows = [
        ("sharing tweets (links, retweets, quotes)", n["sharing_tweets"], f"by {n['amplifiers']:,} accounts"),
        ("potential impressions (exposure)", n["impressions"], f"potential reach {n['reach']:,}"),
        (f"  of which the {n['heavyweight_amplifiers']} heavyweights' (>= 100k)", n["heavy_impressions"],
         f"potential reach {n['heavy_reach']:,}"),
        ("donors", n["conversions"], f"${n['conversion_amount']:,.0f} in total"),
        ("  via the heavyweights", heavy, n["heavy_rule"]),
        ("  strong ties with the blog's author", strong[0], f"${strong[1]:,.0f}"),
        ("  weak or no tie", weak_or_none[0], f"${weak_or_none[1]:,.0f}"),
        ("potential impressions per donor", None, ""),
        ("  heavyweights", _per_conversion(n["heavy_impressions"], heavy), f"{n['heavy_impressions']:,} / {heavy}"),
        ("  community", _per_conversion(n["community_impressions"], community),
         f"{n['community_impressions']:,} / {community}"),
    ]  # fmt: skip
    lines = [f"Campaign {n['campaign']!r}: {n['url']}"]
    for label, value, note in rows:
        shown = "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
        lines.append(f"  {label:<42}{shown:>12}   {note}".rstrip())
    if inf:
        lines += [
            "",
            f"  {inf[0]}: {inf[1]:,} followers, spread score {inf[2]}, strong ties {inf[3]} "
            f"({inf[5]:.0%} of Dunbar's 150), friends {inf[4]}, {inf[6]:.0%} of engagement from strong ties",
        ]
    return "\n".join(lines)


def main() -> int:
    started = time.perf_counter()
    # the tasks' own log lines stay in the task logs; `make demo` sets the rest and migrates the DB
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("AIRFLOW_HOME", str(STATE / "airflow"))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(dags_folder()))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    ensure_airflow_db(Path(os.environ["AIRFLOW_HOME"]))
    shutil.rmtree(DEMO_HOME, ignore_errors=True)
    study = build_case_study()
    with (
        FakeXApi(study.x_dataset(), token=DEMO_TOKEN) as x_api,
        FakeBlog(study.blog_dataset(), public_url=PUBLIC_BLOG_URL) as blog,
    ):
        print(f"fake X API on {x_api.base_url}, fake blog on {blog.base_url}")
        prepare(DEMO_HOME, x_api.base_url, blog.base_url, study)
        print("running the DAGs through Airflow (dag.test):")
        states = run_dags(replay=study.replay_times())
    if any(state != "success" for state in states.values()):
        print(f"demo: a DAG run did not succeed: {states}", file=sys.stderr)
        return 1
    print()
    home = Home.resolve(DEMO_HOME)  # TIEMETER_WAREHOUSE_CATALOG / _DATA_PATH: the demo on a DuckLake
    print(case_study_table(home))
    print()
    print(
        f"Warehouse: {f'DuckLake {home.catalog!r}, data in {home.data_path}' if home.is_lake else home.db_path}"
    )
    print(f"Exports:   {DEMO_HOME / 'exports'} (Parquet, CSV, and the read-only snapshot tiemeter.duckdb)")
    report = DEMO_HOME / "exports" / "report.html"
    if report.exists():
        print(f"Report:    {report}")
    print(f"(demo took {time.perf_counter() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
