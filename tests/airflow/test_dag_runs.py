"""The DAGs, run by Airflow (``dag.test()``) against the fake servers: the case study end to end, and a
failing source that does not stop the others. Kept in one module: the first dag.test() costs ~8 s."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from case_study_counts import HEAVYWEIGHT, exposure_by_class, followers, last_touch, sharing_tweets
from support import query, scalar

from tiemeter.demo.case_study import APPEAL_URL, build_case_study
from tiemeter.demo.config import DEMO_TOKEN, PUBLIC_BLOG_URL


@pytest.fixture(scope="module")
def study():
    return build_case_study()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, study):
    """The whole of `make demo`, in a temporary home."""
    from tiemeter.demo.fake_blog import FakeBlog
    from tiemeter.demo.fake_x_api.server import FakeXApi
    from tiemeter.demo.run import prepare, run_dags
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
            states = run_dags(replay=study.replay_times())
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
    """Every mapped X task of a collect DAG run charged that run's budget file (the demo runs two)."""
    import json

    home, _ = demo_run
    budgets = sorted((home.state / "x" / "budgets").glob("*.json"))
    assert len(budgets) == 2 and all(p.name.startswith("tiemeter_collect_x__") for p in budgets)
    shared = [json.loads(p.read_text()) for p in budgets]
    requests, cost, units = query(
        home, "SELECT count(*), sum(cost_usd), count(DISTINCT job) FROM meta.api_requests"
    )[0]
    assert units > 1  # several mapped tasks...
    assert sum(b["requests"] for b in shared) == requests  # ...all counted, each in its run's file
    assert abs(sum(b["spent_usd"] for b in shared) - cost) < 1e-6
    assert all(abs(b["reserved_usd"]) < 1e-9 for b in shared)


def test_mapped_collect_tasks_are_named_by_their_unit(demo_run):
    """The UI lists mapped tasks by unit and blog (map_index_template), not 0, 1, 2."""
    import tomllib

    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    home, _ = demo_run
    config = tomllib.loads((home.root / "tiemeter.toml").read_text())
    units = {"users", "metrics"}
    units |= {f"campaign:{c['name']}" for c in config.get("campaigns", [])}
    units |= {f"search:{q['name']}" for q in config.get("x", {}).get("searches", [])}
    units |= {
        f"account:{a['name']}"
        for a in config.get("accounts", [])
        if a.get("x_username") or a.get("x_user_id")
    }
    blogs = {b["name"] for b in config.get("blogs", [])}
    with create_session() as session:
        named = {
            dag_id: {
                ti.rendered_map_index
                for ti in session.query(TaskInstance).filter(
                    TaskInstance.dag_id == dag_id, TaskInstance.task_id == "collect"
                )
            }
            for dag_id in ("tiemeter_collect_x", "tiemeter_collect_blogs")
        }
    assert units <= named["tiemeter_collect_x"] and blogs <= named["tiemeter_collect_blogs"]


def test_the_case_study_numbers(demo_run, study):
    """Exposure sums the sharers' followers over every sharing tweet; reach over distinct sharers."""
    home, _ = demo_run
    shares = sharing_tweets(study)
    followers = {u["id"]: u["public_metrics"]["followers_count"] for u in study.x_users}
    sharers = {t["author_id"] for t in shares}
    heavy = {a for a in sharers if followers[a] >= 100_000}
    exposure = sum(followers[t["author_id"]] for t in shares)  # every sharing tweet counts
    heavy_exposure = sum(followers[t["author_id"]] for t in shares if t["author_id"] in heavy)
    reach, heavy_reach = sum(followers[a] for a in sharers), sum(followers[a] for a in heavy)
    donations = study.donations
    row = query(
        home,
        "SELECT sharing_tweets, amplifiers, heavyweight_amplifiers, conversions, conversion_amount, "
        "conversions_via_heavyweights FROM marts.campaign_summary",
    )
    assert row == [
        (len(shares), len(sharers), len(heavy), len(donations), sum(float(d["amount"]) for d in donations), 1)
    ]
    impressions = query(
        home, "SELECT potential_impressions, heavyweight_potential_impressions FROM marts.campaign_summary"
    )
    assert impressions == [(exposure, heavy_exposure)]  # exposure counts each tweet, reach each account
    assert query(home, "SELECT potential_reach, heavyweight_potential_reach FROM marts.campaign_summary") == [
        (reach, heavy_reach)
    ]
    assert len(shares) == 446 and len(heavy) == 2 and heavy_exposure > 3_000_000
    assert len(donations) == 92 and sum(float(d["amount"]) for d in donations) == 4352


def test_the_run_asks_for_likes_through_search_recent(demo_run, study):
    """The demo exercises liking_users on every liked tweet it watches, and search/recent."""
    home, _ = demo_run
    paths = [r[0] for r in query(home, "SELECT path FROM meta.api_requests WHERE status = 200")]
    liked = {t["id"] for t in study.x_tweets if t.get("liking_user_ids")}
    asked = {p.split("/")[3] for p in paths if p.startswith("/2/tweets/") and p.endswith("/liking_users")}
    assert liked and asked == liked
    assert "/2/tweets/search/recent" in paths and "/2/tweets/search/all" not in paths


def test_the_demo_table_tells_the_story(demo_run, study):
    """`make demo`'s table, line by line, against counts over the dataset."""
    from tiemeter.demo.run import case_study_table

    home, _ = demo_run
    table = case_study_table(home.db_path)
    rows = {}
    for line in table.splitlines()[1:]:
        label, _, rest = line.strip().partition("  ")
        rows[label] = rest.split()[0] if rest.strip() else ""
    count = followers(study)
    exposure = exposure_by_class(study)
    shares = sharing_tweets(study)
    heavy = {t["author_id"] for t in shares if count[t["author_id"]] >= HEAVYWEIGHT}
    credited_heavy = sum(
        1 for d in study.donations if (touch := last_touch(study, d)) and touch.author_id in heavy
    )
    regulars = {p.name for p in study.cast["regulars"]}
    strong = sum(d["name"] in regulars for d in study.donations)
    given = sum(float(d["amount"]) for d in study.donations)

    def n(value: float) -> str:
        return f"{value:,.0f}"

    assert rows["sharing tweets (links, retweets, quotes)"] == n(len(shares))
    assert rows["potential impressions (exposure)"] == n(exposure["heavyweight"] + exposure["regular"])
    assert rows["of which the 2 heavyweights' (>= 100k)"] == n(exposure["heavyweight"])
    assert f"potential reach {n(sum(count[u] for u in heavy))}" in table
    assert rows["donors"] == n(len(study.donations)) and f"${n(given)} in total" in table
    assert rows["via the heavyweights"] == n(credited_heavy) == "1"
    assert rows["strong ties with the blog's author"] == n(strong)
    assert rows["weak or no tie"] == n(len(study.donations) - strong)
    assert rows["heavyweights"] == n(exposure["heavyweight"] / credited_heavy)
    assert rows["community"] == n(exposure["regular"] / (len(study.donations) - credited_heavy))
    assert int(rows["of which the 2 heavyweights' (>= 100k)"].replace(",", "")) > 3_000_000


def test_every_demo_tweet_has_an_engagement_rate(demo_run, study):
    """The fake API reports impression_count 0 (as X does for old tweets): rates use potential impressions."""
    home, _ = demo_run
    followers = {u["id"]: u["public_metrics"]["followers_count"] for u in study.x_users}
    by_id = {t["id"]: t for t in study.x_tweets}
    posts = {
        i
        for i, t in by_id.items()
        if not any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
    }
    exposure = {i: followers[by_id[i]["author_id"]] for i in posts}
    for t in study.x_tweets:
        for r in t.get("referenced_tweets", []):
            if r["type"] in ("retweeted", "quoted") and r["id"] in exposure:
                exposure[r["id"]] += followers[t["author_id"]]
    impressions = {i: (by_id[i].get("public_metrics") or {}).get("impression_count", 0) for i in posts}
    expected = {
        i: "impressions" if impressions[i] > 0 else "potential_impressions" if exposure[i] > 0 else None
        for i in posts
    }
    got = dict(
        query(
            home,
            "SELECT post_id, engagement_rate_denominator FROM marts.post_reach_engagement WHERE channel = 'x'",
        )
    )
    assert got == expected
    nulls = query(
        home,
        "SELECT count(*) FROM marts.post_reach_engagement WHERE channel = 'x' AND engagement_rate_impressions IS NULL",
    )
    assert nulls == [(sum(v is None for v in expected.values()),)]


def test_an_unrelated_2021_tweet_moves_neither_the_reference_time_nor_the_scores(demo_run, tmp_path):
    import json
    import shutil

    from support import run_cli

    from tiemeter.settings import Home

    home, _ = demo_run
    copy = Home.resolve(tmp_path / "copy")
    shutil.copytree(home.root, copy.root)
    page = {
        "data": [
            {
                "id": "1400000000000000000",
                "author_id": "990000001",
                "created_at": "2021-06-01T09:30:00.000Z",
                "text": "nothing to do with any appeal",
                "edit_history_tweet_ids": ["1400000000000000000"],
            }
        ],
        "includes": {"users": [{"id": "990000001", "username": "someone_else", "name": "Someone Else"}]},
        "__twarc": {
            "url": "https://api.twitter.com/2/tweets/search/all?query=x",
            "version": "2.12.0",
            "retrieved_at": "2021-06-02T00:00:00+00:00",
        },
    }
    (tmp_path / "unrelated.jsonl").write_text(json.dumps(page) + "\n")
    assert run_cli(copy, "import", "twarc", str(tmp_path / "unrelated.jsonl")).code == 0
    result = run_cli(copy, "transform", "--config", str(copy.root / "tiemeter.toml"))
    assert result.code == 0, result
    assert query(copy, "SELECT max(created_at) FROM core.tweets")[0][0].year == 2021  # the latest event now
    window = "SELECT as_of, as_of_source FROM marts.analysis_window"
    assert query(copy, window) == query(home, window)
    assert query(home, window)[0][1] == "configured_activity"
    counts = "SELECT count(*), count(DISTINCT window_end) FROM marts.spread_scores"
    assert query(copy, counts) == query(home, counts)
    as_of = query(home, window)[0][0].strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f"reference time: {as_of}" in result.out


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


def test_each_donation_is_credited_at_most_once(demo_run, study):
    """Summed over every post (and every amplifier class), the credits never exceed the donations
    the CSV holds; every donation has its attribution row(s), with credits summing to 0 or 1."""
    home, _ = demo_run
    donations = len(study.donations)
    given = sum(float(d["amount"]) for d in study.donations)
    ((credited, credited_amount),) = query(
        home, "SELECT sum(conversions), sum(conversion_amount) FROM marts.post_reach_engagement"
    )
    assert credited <= donations + 1e-9 and float(credited_amount) <= given + 1e-6
    per_conversion = query(
        home, "SELECT conversion_id, sum(credit) FROM marts.conversion_attribution GROUP BY 1"
    )
    assert len(per_conversion) == donations
    assert all(c == 0 or abs(c - 1) < 1e-9 for _, c in per_conversion)
    (by_class,) = query(home, "SELECT sum(credited_conversions) FROM marts.campaign_by_amplifier_class")
    assert by_class[0] <= donations + 1e-9
    # posts get exactly what attribution credited to them
    (to_posts,) = query(
        home, "SELECT sum(credit) FROM marts.conversion_attribution WHERE post_id IS NOT NULL"
    )
    assert credited == pytest.approx(to_posts[0])


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
    from tiemeter.demo.fake_blog import FakeBlog
    from tiemeter.demo.run import run_dags
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


def test_the_demo_re_polls_the_metrics_of_its_newest_tweets(demo_run, study):
    """The second X collection runs two days later on the replay clock: the tweets whose 1 h, 6 h, 24 h
    or 7 d mark fell between the two collections are looked up again, and gain a second snapshot."""
    import json
    from datetime import datetime

    def epoch(text: str) -> float:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    home, _ = demo_run
    first, later = (epoch(t) for t in study.replay_times())
    marks = (3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600)
    originals = [
        t for t in study.x_tweets if not any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
    ]
    due = {t["id"] for t in originals if any(first < epoch(t["created_at"]) + m <= later for m in marks)}
    looked_up: set[str] = set()
    for (params,) in query(home, "SELECT params::VARCHAR FROM meta.api_requests WHERE path = '/2/tweets'"):
        looked_up |= set(json.loads(params)["ids"].split(","))
    links = {  # the campaign unit's tweets, which are watched (quotes found by quote_tweets are not)
        t["id"]
        for t in originals
        if any(u["expanded_url"] == APPEAL_URL for u in t.get("entities", {}).get("urls", []))
    }
    assert due & links and due & links <= looked_up <= due  # every due link tweet, nothing not due
    snapshots = dict(
        query(home, "SELECT tweet_id, count(DISTINCT observed_at) FROM core.tweet_metrics GROUP BY 1")
    )
    assert all(snapshots.get(t, 0) >= 2 for t in looked_up)
