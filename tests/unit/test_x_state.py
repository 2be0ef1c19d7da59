"""Collector state on disk: a cursor moves only with its landed page; the tweet log survives a torn write."""

from __future__ import annotations

from tiemeter.collectors.x_api.cursors import CursorStore
from tiemeter.collectors.x_api.tweet_log import REPOLL_AFTER_S, TweetLog
from tiemeter.landing import landing_path, write_landing_file


def test_a_cursor_moves_only_once_its_page_is_landed(home):
    store = CursorStore(home.state / "cursors", home.landing)
    cursor = store.load("/2/tweets/search/recent", 'url:"x"')
    page = landing_path(home.landing, "x_api_pages", "p1")
    store.stage(cursor, page, "token-2", "500", None, 1000.0)
    # killed before the page landed: the cursor still stands before it
    again = store.load("/2/tweets/search/recent", 'url:"x"')
    assert (again.next_token, again.since_id) == (None, None)
    write_landing_file(page, [b'{"data": []}'])
    # the page is there: the pending step counts, and the pagination goes on from token-2
    resumed = store.load("/2/tweets/search/recent", 'url:"x"')
    assert resumed.next_token == "token-2" and resumed.newest_id == "500" and resumed.since_id is None
    last = landing_path(home.landing, "x_api_pages", "p2")
    store.stage(resumed, last, None, "300", None, 2000.0)
    write_landing_file(last, [b'{"data": []}'])
    done = store.load("/2/tweets/search/recent", 'url:"x"')
    assert (done.next_token, done.since_id, done.done_at) == (None, "500", 2000.0)  # newest of the pagination


def test_the_tweet_log_skips_a_torn_line_and_keeps_appending(home):
    log = TweetLog(home.state / "tweets.jsonl")
    tweet = {"id": "7", "created_at": "2024-05-01T00:00:00.000Z", "public_metrics": {"retweet_count": 2}}
    log.note([tweet], "campaign:a", 1_714_521_600.0)
    with open(log.path, "ab") as handle:
        handle.write(b'{"t": "8", "c": 1')  # a crash mid-append
    log.note([{**tweet, "id": "9"}], "account:b", 1_714_521_700.0)
    watched = log.fold()
    assert set(watched) == {"7", "9"} and watched["7"].retweets == 2 and watched["9"].units == {"account:b"}
    created = watched["7"].created
    assert not watched["7"].repoll_due(created + REPOLL_AFTER_S[0] - 1)
    assert watched["7"].repoll_due(created + REPOLL_AFTER_S[0])


def test_bad_x_settings_name_their_key():
    import pytest

    from tiemeter.collectors.x_api.budget import price_table
    from tiemeter.config import ConfigError, parse_config

    for table, key in (
        ({"budget_usd_per_run": -1}, "x.budget_usd_per_run"),
        ({"max_rate_limit_wait_s": -3}, "x.max_rate_limit_wait_s"),
        ({"search": "everything"}, "x.search"),
    ):
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            parse_config({"x": table})
    with pytest.raises(ConfigError, match=r"x\.prices_usd\.tweet_read"):
        price_table({"tweet_read": 1.0})
    assert price_table({"post_read": 0.01})["post_read"] == 0.01
