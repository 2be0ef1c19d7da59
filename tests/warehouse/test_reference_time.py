"""The default reference time comes from the configured accounts', blogs' and campaigns' own data, so
importing unrelated data does not move it; `transform` prints it and `status` shows it. The expected
time is worked out from the scenario's input in Python."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from exposure_scenario import (
    APPEAL,
    BLOG_POST,
    CONFIG,
    MARK,
    POST_PUBLISHED,
    STRANGER,
    at,
    live,
    norm,
    the_tweets,
    write_pages,
)
from transform_helpers import build_scenario, rows

UNRELATED_AT = datetime(2021, 6, 1, 9, 30, tzinfo=UTC)
CONFIGURED = {k: v for k, v in CONFIG.items() if k != "metrics"} | {
    "metrics": {"heavyweight_followers": 100_000}
}


def unrelated(s) -> None:
    """One 2021 tweet by a stranger: no link, no mention, no reference."""
    s.user(STRANGER, "stranger", 42)
    s.tweet("900", STRANGER, UNRELATED_AT, "a sunny day")


def configured_activity() -> datetime:
    """Latest of: mark's tweets; tweets mentioning, answering, retweeting or quoting mark; tweets
    linking the campaign or the blog, and tweets referencing those; the blog's posts."""
    tweets = live(the_tweets())
    by_mark = {i for i, t in tweets.items() if t["author_id"] == MARK}
    linking = {
        i
        for i, t in tweets.items()
        if any(
            norm(u["expanded_url"]).startswith("example.blog/") for u in t.get("entities", {}).get("urls", [])
        )
    }
    related = set(by_mark) | linking
    for i, t in tweets.items():
        mentions = {m["id"] for m in t.get("entities", {}).get("mentions", [])}
        referenced = {r["id"] for r in t.get("referenced_tweets", [])}
        if MARK in mentions or referenced & (by_mark | linking):
            related.add(i)
    assert any(
        norm(APPEAL) in {norm(u["expanded_url"]) for u in tweets[i].get("entities", {}).get("urls", [])}
        for i in related
    )
    return max([at(tweets[i]) for i in related] + [POST_PUBLISHED])


def build(base, config, extra=None):
    from support import run_cli

    from tiemeter.settings import Home

    home = Home.resolve(base / "home").ensure()
    for page in write_pages(base, extra):
        assert run_cli(home, "import", "twarc", "--no-load", str(page)).code == 0
    build_scenario(home, config, posts=[BLOG_POST])
    return home


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return build(tmp_path_factory.mktemp("plain"), CONFIGURED)


@pytest.fixture(scope="module")
def with_unrelated(tmp_path_factory):
    return build(tmp_path_factory.mktemp("unrelated"), CONFIGURED, unrelated)


def window(home) -> tuple:
    return rows(home, "SELECT as_of, as_of_source FROM marts.analysis_window")[0]


def test_reference_time_is_the_configured_activity(plain):
    assert window(plain) == (configured_activity(), "configured_activity")


def test_an_unrelated_tweet_moves_nothing(plain, with_unrelated):
    # the 2021 tweet is the latest event in the data: the old rule would have moved as_of to it
    assert rows(with_unrelated, "SELECT max(created_at) FROM core.tweets") == [(UNRELATED_AT,)]
    assert window(with_unrelated) == window(plain) == (configured_activity(), "configured_activity")
    count = "SELECT count(*), count(DISTINCT window_end) FROM marts.spread_scores"
    assert rows(with_unrelated, count) == rows(plain, count)
    assert rows(plain, "SELECT max(true_reach) FROM marts.spread_scores")[0][0] > 0
    scores = "SELECT * FROM marts.spread_scores ORDER BY ALL"
    assert rows(with_unrelated, scores) == rows(plain, scores)


def test_without_configuration_the_latest_event_is_used(tmp_path):
    home = build(tmp_path, {"metrics": {"heavyweight_followers": 100_000}}, unrelated)
    assert window(home) == (UNRELATED_AT, "latest_event")


def test_configured_without_activity_falls_back_to_the_latest_event(tmp_path):
    config = {"accounts": [{"name": "Nobody", "x_username": "nobody_here"}]}
    home = build(tmp_path, config, unrelated)
    assert window(home) == (UNRELATED_AT, "latest_event")


def test_transform_prints_it_and_status_shows_it(tmp_path, cli):
    from tiemeter.settings import Home

    home = Home.resolve(tmp_path / "home").ensure()
    for page in write_pages(tmp_path, unrelated):
        assert cli(home, "import", "twarc", str(page)).code == 0
    config = tmp_path / "tiemeter.toml"
    config.write_text(
        '[[accounts]]\nname = "Mark"\nx_username = "mark"\n\n'
        f'[[campaigns]]\nname = "appeal"\nurl = "{APPEAL}"\nowner = "Mark"\n'
    )
    result = cli(home, "transform", "--config", str(config))
    assert result.code == 0, result
    # without the blog post (not loaded here), the latest configured activity is still a tweet
    expected = max(configured_activity(), POST_PUBLISHED).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f"reference time: {expected} (latest activity of the configured" in result.out
    status = cli(home, "status")
    assert status.code == 0 and f"Reference time: {expected} (latest activity of the configured" in status.out
