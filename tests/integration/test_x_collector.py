"""The X collector against the fake X API over loopback: real tweepy, real requests, real HTTP."""

from __future__ import annotations

import json
import math
from collections import Counter

from pipeline_steps import load_core
from support import query, scalar
from x_fixtures import (
    BASE,
    CAMPAIGN_URL,
    START_CLOCK,
    FakeClock,
    World,
    build_world,
    collector,
    expected,
    landed_pages,
    posting_world,
    serving,
    warehouse_contents,
    write_config,
)

from tiemeter.operations import build


def test_full_collection_equals_the_dataset(home, tmp_path):
    world = build_world()
    clock = FakeClock()
    with serving(world, clock) as api:
        result = collector(home, write_config(tmp_path / "t.toml", api.base_url), clock).run()
    assert result.complete, (result.errors, result.stopped)
    load_core(home)
    assert warehouse_contents(home) == expected(world.dataset())
    # every request asked for the largest page and every expansion
    for request in api.requests:
        params = dict(request.params)
        if "max_results" in params:
            assert params["max_results"] in ("100", "500"), request
        if request.endpoint in (
            "/2/tweets/search/recent",
            "/2/users/:id/tweets",
            "/2/tweets/:id/quote_tweets",
        ):
            assert "referenced_tweets.id.author_id" in params["expansions"]
            assert "public_metrics" in params["tweet.fields"] and "conversation_id" in params["tweet.fields"]


def test_loading_twice_gives_no_duplicates(home, tmp_path, cli):
    world = build_world()
    clock = FakeClock()
    with serving(world, clock) as api:
        collector(home, write_config(tmp_path / "t.toml", api.base_url), clock).run()
    load_core(home)
    first = warehouse_contents(home)
    raw = scalar(home, "SELECT count(*) FROM raw.x_api_pages")
    assert cli(home, "load").code == 0  # only loads: staging and core are rebuilt explicitly
    build(home, layers=("staging", "core"))
    assert warehouse_contents(home) == first
    assert scalar(home, "SELECT count(*) FROM raw.x_api_pages") == raw
    assert scalar(home, "SELECT count(*) - count(DISTINCT tweet_id) FROM core.tweets") == 0


def test_search_of_n_tweets_takes_ceil_n_over_100_requests(home, tmp_path):
    n = 257
    world = posting_world(n)
    clock = FakeClock()
    with serving(world, clock) as api:
        config = write_config(tmp_path / "t.toml", api.base_url)
        result = collector(home, config, clock).run(["search:roi", "campaign:door"])
    assert result.complete
    searches = [r for r in api.requests if r.endpoint == "/2/tweets/search/recent"]
    campaign = [r for r in searches if "url:" in dict(r.params)["query"]]
    assert len(campaign) == math.ceil(n / 100) == 3
    data_ids = {t["id"] for page in landed_pages(home) for t in page.get("data", ())}
    assert data_ids == {t["id"] for t in world.tweets}


def test_incremental_run_fetches_only_new_tweets(home, tmp_path):
    world = build_world()
    clock = FakeClock()
    with serving(world, clock) as api:
        config = write_config(tmp_path / "t.toml", api.base_url)
        collector(home, config, clock).run()
        newest = max(int(t["id"]) for t in world.tweets)
        later = World(_next_id=newest)
        mark = "10"
        fresh = [
            later.tweet("201", f"Late to this {CAMPAIGN_URL}", url=True, minutes=5000),
            later.tweet(mark, "Another road note", minutes=5001),
        ]
        api.dataset.add_tweets(later.tweets)
        api.reset_log()
        result = collector(home, config, clock).run()
    assert result.complete
    new_pages = [p for p in landed_pages(home) if p["__tiemeter"]["run_id"] == result.run_id]
    assert {t["id"] for p in new_pages for t in p.get("data", ()) if "text" in t} == set(fresh)
    for request in api.requests:
        params = dict(request.params)
        if request.endpoint in ("/2/users/:id/tweets", "/2/users/:id/mentions") or "url:" in params.get(
            "query", ""
        ):
            assert int(params["since_id"]) >= int(sorted(t["id"] for t in world.tweets)[0]), request
    # no reaction list was fetched again: none of their counts grew
    assert not [r for r in api.requests if r.endpoint and r.endpoint.startswith("/2/tweets/:id/")]


def test_request_ledger_is_loaded_and_shown_by_status(home, tmp_path, cli):
    world = build_world()
    clock = FakeClock()
    with serving(world, clock) as api:
        api.faults.add("unavailable", every=4)
        result = collector(home, write_config(tmp_path / "t.toml", api.base_url), clock).run()
    assert result.complete
    load_core(home)
    rows = query(home, "SELECT status, problem, items, cost_usd FROM meta.api_requests")
    assert len(rows) == len(api.requests) == result.totals.requests
    assert (
        sum(1 for status, *_ in rows if status == 503) == sum(1 for r in api.requests if r.status == 503) > 0
    )
    served_items = sum(len(p.get("data", ())) for p in landed_pages(home))
    assert sum(r[2] for r in rows) == served_items
    assert math.isclose(sum(r[3] for r in rows), result.totals.cost_usd)
    status = cli(home, "status")
    assert f"X API requests: {len(rows):,}" in status.out


def collect_the_world(home, tmp_path, **config):
    """``build_world()`` served and every unit collected once: the fake (its request log) and the result."""
    clock = FakeClock()
    with serving(build_world(), clock) as api:
        result = collector(home, write_config(tmp_path / "t.toml", api.base_url, **config), clock).run()
    return api, result


def test_liking_users_are_opt_in(home, tmp_path):
    api, result = collect_the_world(home, tmp_path, liking_users=False)
    assert result.complete
    assert not [r for r in api.requests if r.endpoint == "/2/tweets/:id/liking_users"]
    assert [r for r in api.requests if r.endpoint == "/2/tweets/:id/retweeted_by"]


def test_budget_stops_before_exceeding_and_the_next_run_resumes(home, tmp_path, cli):
    world = posting_world(350)
    clock = FakeClock()
    with serving(world, clock) as api:
        # a full page of 100 tweets costs $0.50: two fit in $1.20, a third could not
        config = write_config(tmp_path / "t.toml", api.base_url, budget_usd_per_run=1.2)
        result = collector(home, config, clock).run(["campaign:door"])
        assert result.stopped and "budget" in result.stopped
        assert result.totals.cost_usd <= 1.2
        assert result.totals.pages == 2
        write_config(tmp_path / "t.toml", api.base_url, budget_usd_per_run=5.0)
        again = collector(home, config, clock).run(["campaign:door"])
    assert again.complete
    data_ids = [t["id"] for page in landed_pages(home) for t in page.get("data", ())]
    assert sorted(data_ids) == sorted(t["id"] for t in world.tweets)  # nothing twice, nothing missing
    counts = api.request_counts()
    assert max(counts.values()) == 1


def test_request_cap_stops_the_run(home, tmp_path):
    world = build_world()
    clock = FakeClock()
    with serving(world, clock) as api:
        config = write_config(tmp_path / "t.toml", api.base_url, max_requests_per_run=3)
        result = collector(home, config, clock).run()
    assert result.stopped and "request cap" in result.stopped
    assert len(api.requests) == 3


def test_metrics_repoll_follows_the_decaying_schedule(home, tmp_path):
    posted = START_CLOCK - 1800  # half an hour before the first run
    world = posting_world(150, minutes=int(posted - BASE.timestamp()) // 60)
    ids = [t["id"] for t in world.tweets]
    clock = FakeClock()
    with serving(world, clock) as api:
        config = write_config(tmp_path / "t.toml", api.base_url)
        collector(home, config, clock).run(["metrics", "campaign:door"])
        lookups = []
        for hours, likes in ((0.1, 0), (1, 3), (5.6, 7), (6, 9), (30, 11), (24 * 8, 13)):
            clock.now = posted + hours * 3600 + 60
            for tid in ids:
                api.dataset.set_metrics(tid, like_count=likes)
            api.reset_log()
            collector(home, config, clock).run(["metrics"])
            lookups.append([r for r in api.requests if r.endpoint == "/2/tweets"])
    # due after 1 h, 6 h, 24 h and 7 d; never in between; 100 ids per call
    assert [len(calls) for calls in lookups] == [0, 2, 0, 2, 2, 2]
    assert all(len(dict(r.params)["ids"].split(",")) <= 100 for calls in lookups for r in calls)
    load_core(home)
    series = query(
        home, "SELECT likes FROM core.tweet_metrics WHERE tweet_id = ? ORDER BY observed_at", [ids[0]]
    )
    assert [row[0] for row in series] == [0, 3, 9, 11, 13]


def test_a_bad_query_fails_its_job_and_the_others_go_on(home, tmp_path):
    world = build_world()
    clock = FakeClock()
    with serving(world, clock) as api:
        config = write_config(tmp_path / "t.toml", api.base_url)
        text = config.read_text().replace("-is:retweet", "-is:retweet lolcat:yes")
        config.write_text(text)
        result = collector(home, config, clock).run()
    assert len(result.errors) == 1 and "search roi" in result.errors[0] and "lolcat" in result.errors[0]
    assert [r for r in api.requests if r.status == 400]
    assert [r for r in api.requests if r.endpoint == "/2/users/:id/mentions" and r.status == 200]


def test_full_archive_search_asks_for_500_per_page(home, tmp_path):
    world = build_world(more_sharers=30)
    clock = FakeClock()
    with serving(world, clock) as api:
        result = collector(home, write_config(tmp_path / "t.toml", api.base_url, search="all"), clock).run()
    assert result.complete
    searches = [dict(r.params) for r in api.requests if r.endpoint and "search" in r.endpoint]
    assert searches and all(r["max_results"] == "500" for r in searches)
    assert {r.endpoint for r in api.requests if r.endpoint and "search" in r.endpoint} == {
        "/2/tweets/search/all"
    }
    assert any(
        s["query"].startswith("conversation_id:") for s in searches
    )  # replies, through the same endpoint
    load_core(home)
    assert warehouse_contents(home) == expected(world.dataset())


def test_each_ledger_row_is_priced_by_what_it_returned_and_keeps_its_real_params(home, tmp_path):
    """Users (retweeted_by, liking_users, users/by) at the user-read price, tweets at the post price;
    ``params`` are the query the API was sent (the bearer token travels in a header, never here)."""
    api, result = collect_the_world(home, tmp_path, liking_users=True)
    assert result.complete
    load_core(home)
    rows = query(home, "SELECT path, items, cost_usd, params::VARCHAR FROM meta.api_requests ORDER BY ALL")
    user_paths = ("/retweeted_by", "/liking_users", "/2/users/by", "/2/users")
    assert {p for p, *_ in rows} == {r.path for r in api.requests}
    priced_as_users = 0
    for path, items, cost, _ in rows:
        per_item = 0.010 if path.endswith(user_paths) else 0.005
        priced_as_users += per_item == 0.010
        assert math.isclose(cost, items * per_item), (path, items, cost)
    assert priced_as_users > 0
    ledger = Counter((path, tuple(sorted(json.loads(params).items()))) for path, _, _, params in rows)
    assert ledger == Counter((r.path, r.params) for r in api.requests)
