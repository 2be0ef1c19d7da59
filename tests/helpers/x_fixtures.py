"""A small X world for the collector tests, the fake X API serving it, and independent expectations.

The dataset is built so that everything in it is reachable from the test config: campaign tweets
(and their retweets) through the url search, quotes through quote_tweets, replies through the
conversation search, liking users through liking_users, the accounts' own tweets through their
timelines, the tweets that mention them through mentions, and a free search. The expected warehouse
contents are computed here from the dataset alone, never from collector output.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support import query

from tiemeter.collectors.http import HttpPolicy
from tiemeter.collectors.x_api.collector import XCollector
from tiemeter.config import load_config
from tiemeter.demo.fake_x_api import FakeXApi

TOKEN = "tok-3c7f1e0a9b5d4c2e8f6a1b0c9d8e7f6a"
CAMPAIGN_URL = "https://example.blog/2012/12/a-door-for-christmas/"
PHRASE = "return on influence"
BASE = datetime(2024, 5, 1, tzinfo=UTC)
START_CLOCK = (BASE + timedelta(days=3)).timestamp()  # every tweet is under 7 days old


class FakeClock:
    """Shared by the fake server (rate-limit windows) and the collector (sleeps): waits cost no time."""

    def __init__(self, now: float = START_CLOCK):
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class World:
    users: list[dict] = field(default_factory=list)
    tweets: list[dict] = field(default_factory=list)
    _next_id: int = 1_790_000_000_000_000_000

    def user(self, uid: int, username: str, followers: int) -> str:
        self.users.append(
            {
                "id": str(uid),
                "username": username,
                "name": username.title(),
                "created_at": "2009-03-01T12:00:00.000Z",
                "description": f"I am {username}",
                "public_metrics": {"followers_count": followers, "following_count": 10 + uid % 50},
            }
        )
        return str(uid)

    def tweet(self, author: str, text: str, *, refs=(), mentions=(), url: bool = False, conversation=None,
              likers=(), minutes: int | None = None) -> str:  # fmt: skip
        self._next_id += 1_000
        tid = str(self._next_id)
        tweet = {
            "id": tid,
            "author_id": author,
            "text": text,
            "created_at": (BASE + timedelta(minutes=minutes if minutes is not None else len(self.tweets)))
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "conversation_id": conversation or tid,
        }
        if refs:
            tweet["referenced_tweets"] = [{"type": kind, "id": rid} for kind, rid in refs]
        entities = {}
        if mentions:
            entities["mentions"] = [{"username": name} for name in mentions]
        if url:
            entities["urls"] = [{"expanded_url": CAMPAIGN_URL}]
        if entities:
            tweet["entities"] = entities
        if likers:
            tweet["liking_user_ids"] = list(likers)
        self.tweets.append(tweet)
        return tid

    def dataset(self) -> dict:
        return {"users": self.users, "tweets": self.tweets}


def posting_world(posts: int, minutes: int | None = None) -> World:
    """One user sharing the campaign link ``posts`` times: paginations of a known length."""
    world = World()
    author = world.user(1, "poster", 10)
    for i in range(posts):
        world.tweet(author, f"post {i} {CAMPAIGN_URL}", url=True, minutes=minutes)
    return world


def build_world(more_sharers: int = 0) -> World:
    """``more_sharers`` extra users who each share the campaign link: longer paginations."""
    w = World()
    mark = w.user(10, "markw", 12_000)
    brand = w.user(11, "brandco", 3_000)
    heavy = [w.user(12, "heavyone", 150_000), w.user(13, "heavytwo", 600_000)]
    community = [w.user(100 + i, f"regular{i}", 200 + i) for i in range(14)]
    weak = [w.user(200 + i, f"passerby{i}", 50 + i) for i in range(14)]
    likers = [w.user(300 + i, f"liker{i}", 5 + i) for i in range(5)]

    shares = [w.tweet(mark, f"A door for Christmas, please help {i} {CAMPAIGN_URL}", url=True, likers=likers[: 2 + i])
              for i in range(4)]  # fmt: skip
    big = [w.tweet(h, f"Worth your time {CAMPAIGN_URL}", url=True) for h in heavy]
    for i, member in enumerate(community[:10]):
        w.tweet(member, f"Helping @markw with this {CAMPAIGN_URL}", url=True, mentions=["markw"])
        w.tweet(member, f"RT @markw: A door for Christmas {i}", refs=[("retweeted", shares[i % 4])])
    for i, person in enumerate(weak):
        original = big[i % 2]
        w.tweet(
            person,
            f"RT @{'heavyone' if i % 2 == 0 else 'heavytwo'}: Worth your time",
            refs=[("retweeted", original)],
        )
    for member in community[10:13]:  # quotes without the link: found through quote_tweets only
        w.tweet(member, "This is why I read this blog", refs=[("quoted", shares[0])])
    w.tweet(
        community[13], f"Gone but shared {CAMPAIGN_URL}", url=True, refs=[("quoted", "1790000000000000001")]
    )
    root = shares[0]
    replies = [
        w.tweet(
            member, "@markw count me in", refs=[("replied_to", root)], mentions=["markw"], conversation=root
        )
        for member in community[:5]
    ]
    w.tweet(
        mark,
        "@regular0 thank you!",
        refs=[("replied_to", replies[0])],
        mentions=["regular0"],
        conversation=root,
    )
    for i in range(6):
        w.tweet(mark, f"Notes from the road {i} with @brandco", mentions=["brandco"])
    for i in range(3):
        w.tweet(brand, f"Brand news {i}")
    for person in weak[:4]:
        w.tweet(person, "@markw hello from a stranger", mentions=["markw"])
    for person in weak[4:8]:
        w.tweet(person, f"Reading {PHRASE.title()} again: {person}")
    for i in range(more_sharers):
        sharer = w.user(1000 + i, f"sharer{i}", 30 + i)
        w.tweet(sharer, f"Sharing this {CAMPAIGN_URL}", url=True)
    return w


def write_config(path: Path, base_url: str, **x_options) -> Path:
    lines = ["[x]", f'base_url = "{base_url}"']
    options = {"liking_users": True, **x_options}
    for key, value in options.items():
        lines.append(f"{key} = {_toml(value)}")
    lines += [
        "[[x.searches]]",
        'name = "roi"',
        f"query = '\"{PHRASE}\" -is:retweet'",
        "[[accounts]]",
        'name = "Mark"',
        'x_username = "markw"',
        "[[accounts]]",
        'name = "Brand"',
        'x_user_id = "11"',
        "[[campaigns]]",
        'name = "door"',
        f'url = "{CAMPAIGN_URL}"',
        'owner = "Mark"',
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return repr(value)


TEST_POLICY = HttpPolicy(connect_timeout=2.0, read_timeout=2.0, backoff_base=0.5)


def collector(
    home, config_path: Path, clock: FakeClock, policy: HttpPolicy = TEST_POLICY, **kwargs
) -> XCollector:
    return XCollector(
        load_config(config_path), home, TOKEN, sleep=clock.sleep, clock=clock, http_policy=policy, **kwargs
    )


@contextlib.contextmanager
def serving(world_or_dataset, clock=None, **options):
    dataset = world_or_dataset.dataset() if isinstance(world_or_dataset, World) else world_or_dataset
    with FakeXApi(dataset, token=TOKEN, clock=clock or FakeClock(), **options) as api:
        yield api


# -- expectations, from the dataset alone ---------------------------------------------------------


def expected(dataset: dict) -> dict[str, set]:
    ids = {t["id"] for t in dataset["tweets"]}
    by_name = {u["username"]: u["id"] for u in dataset["users"]}
    return {
        "tweets": {(t["id"], t["author_id"], t["conversation_id"]) for t in dataset["tweets"]},
        "refs": {
            (t["id"], r["type"], r["id"]) for t in dataset["tweets"] for r in t.get("referenced_tweets", ())
        },
        "available_refs": {
            (t["id"], r["type"], r["id"])
            for t in dataset["tweets"]
            for r in t.get("referenced_tweets", ())
            if r["id"] in ids
        },
        "users": {(u["id"], u["username"], u["public_metrics"]["followers_count"]) for u in dataset["users"]},
        "mentions": {
            (t["id"], by_name[m["username"]])
            for t in dataset["tweets"]
            for m in t.get("entities", {}).get("mentions", ())
        },
    }


def warehouse_contents(home) -> dict[str, set]:
    return {
        "tweets": set(query(home, "SELECT tweet_id, author_id, conversation_id FROM core.tweets")),
        "refs": set(query(home, "SELECT tweet_id, ref_type, referenced_tweet_id FROM core.tweet_refs")),
        "available_refs": set(
            query(
                home,
                "SELECT tweet_id, ref_type, referenced_tweet_id FROM core.tweet_refs WHERE referenced_available",
            )
        ),
        "users": set(query(home, "SELECT user_id, username, followers FROM core.x_users")),
        "mentions": set(query(home, "SELECT tweet_id, mentioned_user_id FROM core.tweet_mentions")),
    }


def landed_pages(home) -> list[dict]:
    import orjson

    pages = []
    for path in sorted(home.landing.glob("x_api_pages/*/*.jsonl")):
        for line in path.read_bytes().splitlines():
            pages.append(orjson.loads(line))
    return pages


SNAPSHOT_ENDPOINTS = ("/2/users/by", "/2/users")


def page_key(page: dict) -> tuple:
    """The exact request a landed page answered, as the fake server logs it."""
    stamp = page["__tiemeter"]
    return stamp["path"], tuple(sorted(stamp["params"].items()))


def refetched(home, api, ignore=()) -> list:
    """Landed pages that the server answered more than once (snapshot endpoints in ``ignore`` excepted)."""
    counts = api.request_counts()
    return [
        (page_key(page), counts[page_key(page)])
        for page in landed_pages(home)
        if page["__tiemeter"]["endpoint"] not in ignore and counts[page_key(page)] != 1
    ]
