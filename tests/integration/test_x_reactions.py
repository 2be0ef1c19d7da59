"""Likes and retweeters that the collector fetches reach core and the marts (collect -> load -> transform).

The world is the collector tests' world plus last month's appeal by @markw: too old for
search/recent (the fake serves the last 7 days only), so it is found on his timeline, and its
retweeters are seen only in /2/tweets/:id/retweeted_by. It has more likers than one page holds.
Every expectation is computed here from the dataset the fake serves, never from the warehouse.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import orjson
import pytest
import x_fixtures as fx
from support import query

from tiemeter.config import load_config
from tiemeter.operations import build, check, load

RECENT_DAYS = 7  # search/recent's reach, in the fake as on X
MARK = "10"
ACCOUNT_IDS = {"10", "11"}  # the configured accounts, whose timelines and mentions are read
NEW_KEYS = ("tweet_id", "user_id", "query", "ids", "usernames", "page_token")


def reaction_world() -> dict:
    old = fx.World(_next_id=1_789_000_000_000_000_000)  # older ids: ids order tweets in time, as on X
    fans = [old.user(2000 + i, f"fan{i}", 20 + i) for i in range(120)]
    listed_only = [old.user(3000 + i, f"quietrt{i}", 40 + i) for i in range(5)]
    month_ago = -30 * 24 * 60
    appeal = old.tweet(
        MARK,
        f"Last year's door appeal {fx.CAMPAIGN_URL}",
        url=True,
        likers=[*fans, listed_only[0], MARK],  # a self-like is no interaction
        minutes=month_ago,
    )
    for i, user in enumerate([*listed_only, "200"]):  # passerby0 (200) also retweets a recent tweet
        old.tweet(
            user,
            "RT @markw: Last year's door appeal",
            refs=[("retweeted", appeal)],
            minutes=month_ago + 5 + i,
        )
    recent = fx.build_world().dataset()
    return {"users": recent["users"] + old.users, "tweets": old.tweets + recent["tweets"]}


# -- expectations, from the dataset alone ---------------------------------------------------------


def _epoch(created_at: str) -> float:
    return datetime.fromisoformat(created_at.replace("Z", "+00:00")).timestamp()


def _retweeted(tweet: dict) -> str | None:
    return next((r["id"] for r in tweet.get("referenced_tweets", ()) if r["type"] == "retweeted"), None)


def likes_served(dataset: dict) -> set[tuple[str, str]]:
    return {(t["id"], str(u)) for t in dataset["tweets"] for u in t.get("liking_user_ids", ())}


def retweets_served(dataset: dict) -> set[tuple[str, str]]:
    return {(_retweeted(t), t["author_id"]) for t in dataset["tweets"] if _retweeted(t)}


def campaign_shares(dataset: dict) -> Counter:
    """Per user: their tweets that carry the campaign URL, and their retweets and quotes of those."""
    links = {
        t["id"]
        for t in dataset["tweets"]
        if not _retweeted(t)
        and any(u["expanded_url"] == fx.CAMPAIGN_URL for u in t.get("entities", {}).get("urls", ()))
    }
    shares: Counter = Counter()
    for t in dataset["tweets"]:
        passes_on = any(
            r["id"] in links for r in t.get("referenced_tweets", ()) if r["type"] in ("retweeted", "quoted")
        )
        if t["id"] in links or passes_on:
            shares[t["author_id"]] += 1
    return shares


def seen_only_in_retweeted_by(dataset: dict, now: float) -> set[str]:
    """Retweeters whose every tweet is older than search/recent reaches, and not on a read timeline."""
    recent_authors = {
        t["author_id"] for t in dataset["tweets"] if _epoch(t["created_at"]) >= now - RECENT_DAYS * 86400
    }
    retweeters = {t["author_id"] for t in dataset["tweets"] if _retweeted(t)}
    return retweeters - recent_authors - ACCOUNT_IDS


# -- running it -----------------------------------------------------------------------------------


def collect(home, tmp_path, dataset: dict):
    """Two runs a week apart (the second re-polls metrics at /2/tweets); the fake and the config path."""
    clock = fx.FakeClock()
    with fx.serving(dataset, clock, recent_days=RECENT_DAYS) as api:
        config = fx.write_config(tmp_path / "t.toml", api.base_url)
        result = fx.collector(home, config, clock).run()
        assert result.complete, (result.errors, result.stopped)
        clock.now += 8 * 86400  # a week on: the metrics re-poll (/2/tweets) runs too
        again = fx.collector(home, config, clock).run()
        assert again.complete, (again.errors, again.stopped)
    return api, config


def rewrite_stamps(home, drop: tuple[str, ...]) -> None:
    """Land the pages as an older collector would have: without the named keys in their stamp."""
    for path in home.landing.glob("x_api_pages/*/*.jsonl"):
        pages = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        for page in pages:
            for key in drop:
                page["__tiemeter"].pop(key, None)
        path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in pages))


def reactions(home, reaction: str) -> set[tuple[str, str]]:
    return set(
        query(home, "SELECT tweet_id, user_id FROM core.tweet_reactions WHERE reaction = ?", [reaction])
    )


# -- the tests ------------------------------------------------------------------------------------


def test_collected_likes_and_retweeters_reach_core_and_the_marts(home, tmp_path):
    dataset = reaction_world()
    _, config = collect(home, tmp_path, dataset)
    load(home)
    build(home, load_config(config))
    assert check(home).failed == []

    likes, retweets = likes_served(dataset), retweets_served(dataset)
    authors = {t["id"]: t["author_id"] for t in dataset["tweets"]}
    assert (
        len(likes) == sum(2 + i for i in range(4)) + 122
    )  # the world is as meant: the recent shares' likes and the appeal's
    assert reactions(home, "like") == likes
    assert reactions(home, "retweet") == retweets
    assert query(home, "SELECT count(*) FROM core.tweet_reactions") == [(len(likes) + len(retweets),)]

    # a like is an interaction from the liker to the author, a self-like none
    like_edges = query(
        home, "SELECT actor_label, post_id FROM core.interactions WHERE kind = 'like' AND channel = 'x'"
    )
    assert sorted(like_edges) == sorted((f"x:{u}", t) for t, u in likes if u != authors[t])
    # every retweet is one, whether its tweet was collected or X only listed the retweeter
    retweet_edges = query(
        home, "SELECT actor_label, post_id FROM core.interactions WHERE kind = 'retweet' AND channel = 'x'"
    )
    assert sorted(retweet_edges) == sorted((f"x:{u}", t) for t, u in retweets if u != authors[t])

    # amplifiers: every account that shared the campaign, with as many shares as it made
    amplifiers = dict(
        query(home, "SELECT user_id, shares FROM marts.campaign_amplifiers WHERE campaign = 'door'")
    )
    assert amplifiers == dict(campaign_shares(dataset))
    listed_only = seen_only_in_retweeted_by(dataset, fx.START_CLOCK)
    assert len(listed_only) == 5
    assert listed_only <= amplifiers.keys()
    assert query(
        home, "SELECT count(*) FROM core.tweets WHERE author_id IN (SELECT unnest(?))", [sorted(listed_only)]
    ) == [(0,)]  # nothing but retweeted_by names them
    assert query(home, "SELECT count(*) FROM staging.stg_x__tweet_user_lists WHERE tweet_id IS NULL") == [
        (0,)
    ]


def test_each_landed_page_names_the_concrete_request(home, tmp_path):
    dataset = reaction_world()
    api, _ = collect(home, tmp_path, dataset)
    served = {(r.path, r.params): r for r in api.requests if r.status == 200}
    endpoints = Counter()
    for page in fx.landed_pages(home):
        stamp = page["__tiemeter"]
        request = served[(stamp["path"], tuple(sorted(stamp["params"].items())))]  # what the fake answered
        endpoints[request.endpoint] += 1
        assert stamp["endpoint"] == request.endpoint
        segments = request.path.split("/")  # ['', '2', 'tweets', '<id>', 'liking_users']
        named = {}
        if len(segments) > 3 and segments[3].isdigit():
            named["tweet_id" if segments[2] == "tweets" else "user_id"] = segments[3]
        params = dict(request.params)
        if "query" in params:
            named["query"] = params["query"]
        for key in ("ids", "usernames"):
            if key in params:
                named[key] = params[key].split(",")
        if request.token:
            named["page_token"] = request.token
        assert {k: stamp[k] for k in NEW_KEYS if k in stamp} == named, stamp
        assert ":id" not in stamp["path"]
    # every endpoint of the collector was exercised, reaction lists over more than one page
    assert set(endpoints) == {
        "/2/users/by",
        "/2/users",
        "/2/tweets",
        "/2/tweets/search/recent",
        "/2/users/:id/tweets",
        "/2/users/:id/mentions",
        "/2/tweets/:id/retweeted_by",
        "/2/tweets/:id/quote_tweets",
        "/2/tweets/:id/liking_users",
    }
    liker_pages = [
        p for p in fx.landed_pages(home) if p["__tiemeter"]["endpoint"] == "/2/tweets/:id/liking_users"
    ]
    assert any("page_token" in p["__tiemeter"] for p in liker_pages)
    # each liking_users page lists likers of the very tweet its stamp names
    listed = {(p["__tiemeter"]["tweet_id"], u["id"]) for p in liker_pages for u in p["data"]}
    assert listed == likes_served(dataset)


@pytest.mark.parametrize(
    ("drop", "attributed"),
    [
        (NEW_KEYS, True),  # landed before the request was named: the concrete path still says the tweet
        (("path", *NEW_KEYS), False),  # only the endpoint template: no tweet to credit
    ],
)
def test_pages_landed_by_older_versions(home, tmp_path, drop, attributed):
    dataset = reaction_world()
    _, config = collect(home, tmp_path, dataset)
    rewrite_stamps(home, drop)
    load(home)
    build(home, load_config(config))
    assert check(home).failed == []
    if attributed:
        assert reactions(home, "like") == likes_served(dataset)
        assert reactions(home, "retweet") == retweets_served(dataset)
    else:
        assert query(home, "SELECT count(*) FROM staging.stg_x__tweet_user_lists") == [(0,)]
        assert reactions(home, "like") == set()
        # only the retweets whose tweets search/recent returned remain
        week = fx.START_CLOCK - RECENT_DAYS * 86400
        recent = {
            (_retweeted(t), t["author_id"])
            for t in dataset["tweets"]
            if _retweeted(t) and _epoch(t["created_at"]) >= week
        }
        assert reactions(home, "retweet") == recent != retweets_served(dataset)
