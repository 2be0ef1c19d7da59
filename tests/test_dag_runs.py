"""The DAGs, run by Airflow (``dag.test()``) against the fake servers: the case study end to end, and a
failing source that does not stop the others. Kept in one module: the first dag.test() costs ~8 s."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import query, scalar

from demo.case_study import APPEAL_URL, build_case_study
from demo.config import DEMO_TOKEN, PUBLIC_BLOG_URL


@pytest.fixture(scope="module")
def study():
    return build_case_study()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, study):
    """The whole of `make demo`, in a temporary home."""
    from demo.fake_blog import FakeBlog
    from demo.fake_x_api.server import FakeXApi
    from demo.run import prepare, run_dags
    from tiemeter.settings import Home

    saved = dict(os.environ)
    home = Home.resolve(tmp_path_factory.mktemp("demo") / "home")
    try:
        with (
            FakeXApi(study.x_dataset(), token=DEMO_TOKEN) as x_api,
            FakeBlog(study.blog_dataset(), public_url=PUBLIC_BLOG_URL) as blog,
        ):
            prepare(home.root, x_api.base_url, blog.base_url, study)
            os.environ["TIEMETER_TASK_RETRIES"] = "0"
            states = run_dags()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return home, states


def test_every_dag_run_succeeds(demo_run):
    _, states = demo_run
    assert states == {
        "tiemeter_collect_x": "success",
        "tiemeter_collect_blogs": "success",
        "tiemeter_build_warehouse": "success",
    }


def test_the_collect_dag_runs_tasks_shared_one_budget(demo_run):
    """Every mapped X task of the one collect DAG run charged the same budget file."""
    import json

    home, _ = demo_run
    budgets = list((home.state / "x" / "budgets").glob("*.json"))
    assert [p.name.startswith("tiemeter_collect_x__") for p in budgets] == [True]
    shared = json.loads(budgets[0].read_text())
    requests, cost, units = query(
        home, "SELECT count(*), sum(cost_usd), count(DISTINCT job) FROM meta.api_requests"
    )[0]
    assert units > 1  # several mapped tasks...
    assert shared["requests"] == requests  # ...all counted in one place
    assert abs(shared["spent_usd"] - cost) < 1e-6 and abs(shared["reserved_usd"]) < 1e-9


def sharing_tweets(study) -> list[dict]:
    """Independent: tweets that carry the URL, and retweets or quotes of those."""
    link = {
        t["id"]
        for t in study.x_tweets
        if any(u["expanded_url"] == APPEAL_URL for u in t.get("entities", {}).get("urls", []))
    }
    return [
        t
        for t in study.x_tweets
        if t["id"] in link
        or any(
            r["id"] in link and r["type"] in ("retweeted", "quoted") for r in t.get("referenced_tweets", [])
        )
    ]


def test_the_case_study_numbers(demo_run, study):
    home, _ = demo_run
    shares = sharing_tweets(study)
    followers = {u["id"]: u["public_metrics"]["followers_count"] for u in study.x_users}
    sharers = {t["author_id"] for t in shares}
    heavy = {a for a in sharers if followers[a] >= 100_000}
    donations = study.donations
    row = query(
        home,
        "SELECT sharing_tweets, amplifiers, heavyweight_amplifiers, potential_impressions, "
        "heavyweight_potential_impressions, conversions, conversion_amount, conversions_via_heavyweights "
        "FROM marts.campaign_summary",
    )
    assert row == [
        (
            len(shares),
            len(sharers),
            len(heavy),
            sum(followers[a] for a in sharers),
            sum(followers[a] for a in heavy),
            len(donations),
            sum(float(d["amount"]) for d in donations),
            1,
        )
    ]
    assert len(shares) == 446 and len(heavy) == 2 and row[0][3] > 3_000_000
    assert len(donations) == 92 and sum(float(d["amount"]) for d in donations) == 4352


def test_donors_by_tie_come_from_interactions(demo_run, study):
    """62 regulars of the comment section give as strong ties; the rest are weak or none; the one donor
    the heavyweights brought is the newcomer who only answered the famous author."""
    home, _ = demo_run
    by_tie = dict(query(home, "SELECT tie_class, conversions FROM marts.campaign_conversions_by_tie"))
    regulars = {p.name for p in study.cast["regulars"]}
    donor_names = [d["name"] for d in study.donations]
    assert by_tie["strong"] == sum(name in regulars for name in donor_names) == 62
    assert by_tie["weak"] + by_tie["none"] == 92 - 62
    strong_people = {
        r[0] for r in query(home, "SELECT display_name FROM marts.tie_strength WHERE tie_class = 'strong'")
    }
    # a regular on X is known by @handle (the commenter URL linked the two), the others by name
    assert strong_people == {f"@{p.handle}" if p.handle else p.name for p in study.cast["regulars"]}
    only_heavy = query(
        home,
        "SELECT p.x_username FROM marts.campaign_conversions c JOIN core.persons p USING (person_id) WHERE via_heavyweights_only",
    )
    assert only_heavy == [(study.cast["heavyweight_only"][0].handle,)]


def test_exports_and_snapshot_are_written(demo_run):
    import duckdb

    home, _ = demo_run
    snapshot = home.exports / "tiemeter.duckdb"
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        assert con.execute("SELECT sharing_tweets FROM marts.campaign_summary").fetchone() == (
            scalar(home, "SELECT sharing_tweets FROM marts.campaign_summary"),
        )
    finally:
        con.close()
    assert (home.exports / "csv" / "marts.campaign_summary.csv").is_file()
    assert list((home.exports / "parquet" / "core.tweets").glob("month=2012-12/*.parquet"))


def test_a_failing_source_does_not_stop_the_others(tmp_path, study):
    """Two blogs, one broken: the good one lands, the broken task fails alone, and the build runs."""
    from demo.fake_blog import FakeBlog
    from demo.run import run_dags
    from tiemeter.settings import Home

    home = Home.resolve(tmp_path / "home").ensure()
    saved = dict(os.environ)
    try:
        with FakeBlog(study.blog_dataset()) as blog:
            config = tmp_path / "tiemeter.toml"
            config.write_text(
                f"""
[[blogs]]
name = "grow"
site_url = "{blog.base_url}/"
feed_url = "{blog.base_url}/feed/"
comments = "wordpress"
[[blogs]]
name = "gone"
site_url = "{blog.base_url}/gone/"
feed_url = "{blog.base_url}/gone/feed/"
"""
            )
            os.environ.update(
                TIEMETER_HOME=str(home.root), TIEMETER_CONFIG=str(config), TIEMETER_TASK_RETRIES="0"
            )
            states = run_dags(("tiemeter_collect_blogs", "tiemeter_build_warehouse"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert states["tiemeter_build_warehouse"] == "success"
    sites = dict(query(home, "SELECT site, count(*) FROM core.blog_posts GROUP BY 1"))
    assert set(sites) == {"grow"} and sites["grow"] > 0


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium, installed if missing (the suite needs no other browser)."""
    import shutil
    import subprocess

    path = shutil.which("chromium")
    if not path:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "chromium"], check=True, env=env, capture_output=True
        )
        path = shutil.which("chromium")
    assert path, "chromium could not be installed"
    return path


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / ".tiemeter" / "artifacts"  # gitignored
DATA_MARKS = "g.role-mark > path, g.role-mark > line, g.role-mark > text"


def test_report_renders_in_a_real_browser(demo_run, chromium, tmp_path):
    """The Vega-Lite report opens offline in headless Chromium: every chart drawn, no console error."""
    import re

    from playwright.sync_api import sync_playwright

    home, _ = demo_run
    report = home.exports / "report.html"
    html = report.read_text()
    assert "<script src" not in html and 'src="http' not in html and "url(http" not in html  # works offline
    owner_ties = scalar(
        home,
        "SELECT count(*) FROM marts.tie_strength t JOIN marts.influence_vs_relationships a "
        "ON a.person_id = t.account_person_id WHERE a.account_name = 'Mark'",
    )
    accounts = scalar(
        home, "SELECT count(*) FROM marts.influence_vs_relationships WHERE spread_score IS NOT NULL"
    )
    post_urls = {u for (u,) in query(home, "SELECT url FROM marts.post_reach_engagement")}
    errors, requested = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requested.append(r.url))
            page.goto(report.as_uri())
            page.wait_for_function(
                "Object.keys(window.tiemeterViews || {}).length === document.querySelectorAll('.view').length",
                timeout=30_000,
            )
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "report.png").write_bytes(shot.read_bytes())

            figures = page.query_selector_all("figure.chart")
            assert len(figures) == 5
            for figure in figures:
                name = figure.get_attribute("id")
                assert figure.query_selector(".view svg"), name  # vega drew it (svg renderer)
                assert len(figure.query_selector_all(DATA_MARKS)) > 0, name
                assert figure.query_selector("table tbody tr"), name  # the table beneath
            posts, campaign, ties, spread, histogram = figures

            # posts by their text and link, never a bare id; rates with at most three significant digits
            links = posts.query_selector_all("table tbody td:first-child a")
            assert len(links) == 15
            for link in links:
                assert link.get_attribute("href") in post_urls
                assert not re.fullmatch(r"[0-9]+", link.inner_text().strip())
            rates = [r.inner_text() for r in posts.query_selector_all("table tbody td:nth-last-child(-n+2)")]
            assert len(rates) == 30 and any(rate != "-" for rate in rates)
            for rate in rates:
                assert rate == "-" or re.fullmatch(r"(0\.0{0,2}[1-9][0-9]{0,2}|[1-9][0-9.,]*) %", rate), rate
                assert len(re.sub(r"^[0.,]+|[ %,.]", "", rate)) <= 3, rate

            # the campaign over time: a row of bars for each measure, the campaign linked in the table
            rows = campaign.evaluate(
                "f => [...f.querySelectorAll('g.role-row-header text')].map(t => t.textContent)"
            )
            assert rows == ["shares", "exposure", "engagements", "conversions"]
            assert campaign.query_selector(f'table a[href="{APPEAL_URL}"]')

            # the owner's ties: one circle per tie, in three colours
            circles = ties.query_selector_all("g.mark-symbol.role-mark > path")
            assert len(circles) == owner_ties
            assert len({c.get_attribute("fill") for c in circles}) == 3

            # spread against ties: one point per account, the owner's in red
            points = spread.query_selector_all("g.mark-symbol.role-mark > path")
            assert len(points) == accounts
            assert any(p.get_attribute("fill").lower() == "#c0392b" for p in points)

            # the histogram shows every bin on its axis, empty ones included
            labels = histogram.evaluate(
                "f => [...f.querySelectorAll('g.role-axis-label text')].map(t => t.textContent)"
            )
            expected = [f"{i / 20:.2f}–{(i + 1) / 20:.2f}" for i in range(20)]
            assert [label for label in labels if "–" in label] == expected

            # the definitions, linked to docs/metrics.md
            terms = page.query_selector_all("#definitions dt")
            assert {"Spread score", "Tie strength", "Engagement rate"} <= {t.inner_text() for t in terms}
            doc_links = page.query_selector_all('#definitions a[href$="docs/metrics.md"]')
            assert len(doc_links) > len(terms)
            assert Path(doc_links[0].get_attribute("href").removeprefix("file://")).is_file()
        finally:
            browser.close()
    assert errors == []
    assert requested == [report.as_uri()]
    assert (tmp_path / "report.png").stat().st_size > 50_000
