"""A campaign shared by a heavyweight who tweets it twice, with follower counts that change between
two profile snapshots, a retweeter X lists only in ``retweeted_by``, a deleted quote and links to the
owner's blog. The helpers below work the expected numbers out from this input alone, in Python."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from scenario import API, BLOG_POST_COLUMNS, T0, XScenario
from support import run_cli
from transform_helpers import build_scenario

from tiemeter.settings import Home

MARK, HEAVY, HEAVY2, ALICE, BOB, CAROL, EVE, LISTED, STRANGER = "1", "2", "3", "4", "5", "6", "7", "8", "9"
SNAP_A = T0 - timedelta(days=1)  # the first profile snapshot
SNAP_B = T0 + timedelta(days=2)  # the second one (and the retweeted_by page)
BEFORE = {MARK: 900, HEAVY: 400_000, HEAVY2: 150_000, ALICE: 50, BOB: 200, CAROL: 10, EVE: 5}
AFTER = {MARK: 1_000, HEAVY: 500_000, HEAVY2: 160_000, ALICE: 55, BOB: 250, CAROL: 12, EVE: 6}
LISTED_FOLLOWERS = 300
AS_OF = T0 + timedelta(days=10)
HEAVYWEIGHT = 100_000

APPEAL = "https://example.blog/appeal/"
ABOUT = "https://example.blog/about/"  # a page of the blog that was not collected
POST_PUBLISHED = T0 - timedelta(hours=2)
BLOG_POST = (APPEAL, "grow", APPEAL, "The appeal", "Mark Schaefer", POST_PUBLISHED, 0, "feed")
assert len(BLOG_POST) == len(BLOG_POST_COLUMNS)

CONFIG = {
    "accounts": [{"name": "Mark", "x_username": "mark"}],
    "campaigns": [{"name": "appeal", "url": APPEAL, "owner": "Mark"}],
    "blogs": [
        {
            "name": "grow",
            "site_url": "https://example.blog/",
            "feed_url": "https://example.blog/feed/",
            "owner": "Mark",
        }
    ],
    "metrics": {"as_of": AS_OF.isoformat(), "heavyweight_followers": HEAVYWEIGHT},
}
RETWEETED_BY = {"100": [BOB, LISTED]}  # bob's retweet (103) was collected; LISTED's was not
DELETED = {"108"}
H = timedelta(hours=1)
D = timedelta(days=1)


def metrics(retweets=0, replies=0, likes=0, quotes=0, impressions=None) -> dict:
    m = {"retweet_count": retweets, "reply_count": replies, "like_count": likes, "quote_count": quotes}
    if impressions is not None:
        m["impression_count"] = impressions
    return m


NAMES = {
    MARK: "mark",
    HEAVY: "heavy",
    HEAVY2: "heavy2",
    ALICE: "alice",
    BOB: "bob",
    CAROL: "carol",
    EVE: "eve",
}


def _users(s: XScenario, counts: dict[str, int]) -> None:
    for user_id, name in NAMES.items():
        s.user(user_id, name, counts[user_id])


def tweets(s: XScenario) -> None:
    s.tweet("90", ALICE, T0 - 5 * D, "before any snapshot")
    s.tweet(
        "100", MARK, T0, "please help", urls=(APPEAL + "?utm_source=tw",), metrics=metrics(2, 0, 3, 0, 5000)
    )
    s.tweet(
        "101", HEAVY, T0 + H, "give", urls=("http://www.example.blog/appeal",), metrics=metrics(0, 0, 4, 1, 0)
    )
    s.tweet("102", HEAVY, T0 + 3 * D, "give again", urls=(APPEAL,), metrics=metrics(1, 0, 0, 0, 0))
    s.tweet("103", BOB, T0 + 2 * H, retweet="100")
    s.tweet("104", ALICE, T0 + 4 * H, "so true", quote="101", metrics=False)
    # a retweet carries the retweeted tweet's links, as X gives them
    s.tweet("105", CAROL, T0 + 4 * D, retweet="102", urls=(APPEAL,))
    s.tweet("106", HEAVY, T0 + 3 * D + H, retweet="100", urls=(APPEAL + "?utm_source=tw",))
    s.tweet("107", HEAVY2, T0 + 5 * H, "must read", quote="100")
    s.tweet("108", EVE, T0 + 6 * H, "deleted later", quote="100")
    s.tweet("109", MARK, T0 + D, "thank you all")
    s.tweet("110", CAROL, T0 + 3 * H, "who is he?", urls=(ABOUT,))
    s.tweet("111", ALICE, T0 + 7 * H, "elsewhere", urls=("https://other.blog/appeal/",))
    for tweet_id in DELETED:
        s.deleted(tweet_id)


def write_pages(folder: Path, extra=None) -> list[Path]:
    """Two snapshots of the same tweets (SNAP_A: BEFORE counts, SNAP_B: AFTER counts) and the
    retweeted_by page, as twarc2 writes them. ``extra(s)`` may add tweets to the SNAP_B page."""
    first = XScenario(retrieved_at=SNAP_A)
    _users(first, BEFORE)
    tweets(first)
    second = XScenario(retrieved_at=SNAP_B)
    _users(second, AFTER)
    tweets(second)
    if extra:
        extra(second)
    paths = [first.write(folder / "snapshot_a.jsonl"), second.write(folder / "snapshot_b.jsonl")]
    listed = second.users | {
        LISTED: {
            "id": LISTED,
            "username": "listed",
            "name": "Listed",
            "public_metrics": {"followers_count": LISTED_FOLLOWERS, "following_count": 1, "tweet_count": 1},
        }
    }
    stamp = {"version": "2.12.0", "retrieved_at": SNAP_B.isoformat()}
    lines = [
        {
            "data": [listed[u] for u in user_ids],
            "meta": {"result_count": len(user_ids)},
            "__twarc": {"url": f"{API}/tweets/{tweet_id}/retweeted_by?max_results=100", **stamp},
        }
        for tweet_id, user_ids in RETWEETED_BY.items()
    ]
    paths.append(folder / "retweeted_by.jsonl")
    paths[-1].write_text("".join(json.dumps(line) + "\n" for line in lines))
    return paths


# ---- the expected numbers, from the input above -------------------------------------------------


@dataclass(frozen=True)
class Share:
    share_id: str
    user_id: str
    followers: int


def snapshots(user_id: str) -> list[tuple[datetime, int]]:
    if user_id == LISTED:
        return [(SNAP_B, LISTED_FOLLOWERS)]
    return [(SNAP_A, BEFORE[user_id]), (SNAP_B, AFTER[user_id])]


def followers_at(user_id: str, at: datetime) -> int:
    """The snapshot in force at ``at``: the latest taken at or before it, else the earliest after it."""
    taken = sorted(snapshots(user_id))
    before = [n for when, n in taken if when <= at]
    return before[-1] if before else taken[0][1]


def the_tweets() -> dict[str, dict]:
    s = XScenario()
    _users(s, AFTER)
    tweets(s)
    return {t["id"]: t for t in s.tweets}


def at(tweet: dict) -> datetime:
    return datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))


def norm(url: str) -> str:
    """A URL without scheme, www., utm_ parameters or trailing slash, host lower-cased."""
    rest = re.sub(r"^[a-z]+://", "", url.strip(), flags=re.I)
    host, _, path = rest.partition("/")
    path = re.sub(r"[?&]utm_[a-z]+=[^&]*", "", "/" + path).rstrip("/?&")
    return re.sub(r"^www\.", "", host.lower()) + path


def live(tweets: dict[str, dict]) -> dict[str, dict]:
    """Tweets by the reference time and not deleted."""
    return {i: t for i, t in tweets.items() if i not in DELETED and at(t) <= AS_OF}


def refs(tweet: dict, kinds=("retweeted", "quoted")) -> list[str]:
    return [r["id"] for r in tweet.get("referenced_tweets", []) if r["type"] in kinds]


def is_retweet(tweet: dict) -> bool:
    return bool(refs(tweet, ("retweeted",)))


def tweet_share(tweet: dict) -> Share:
    return Share(tweet["id"], tweet["author_id"], followers_at(tweet["author_id"], at(tweet)))


def shares_of_carriers(carriers: list[str]) -> set[Share]:
    """The carrying tweets, their retweets and quotes, and retweeters listed without a retweet."""
    tweets = live(the_tweets())
    shares = {tweet_share(tweets[c]) for c in carriers if c in tweets}
    for t in tweets.values():
        if set(refs(t)) & set(carriers):
            shares.add(tweet_share(t))
    for c in carriers:
        if c not in tweets:
            continue
        retweeters = {t["author_id"] for t in tweets.values() if c in refs(t, ("retweeted",))}
        for user in RETWEETED_BY.get(c, []):
            if user not in retweeters:
                shares.add(Share(f"listed:{c}:{user}", user, followers_at(user, AS_OF)))
    return shares


def link_tweets(url: str) -> list[str]:
    return [
        i
        for i, t in live(the_tweets()).items()
        if any(norm(u["expanded_url"]) == norm(url) for u in t.get("entities", {}).get("urls", []))
    ]


def exposure(shares: set[Share]) -> int:
    return sum(s.followers for s in shares)


def reach(shares: set[Share]) -> int:
    best: dict[str, int] = {}
    for s in shares:
        best[s.user_id] = max(best.get(s.user_id, 0), s.followers)
    return sum(best.values())


def build_exposure_home(base: Path) -> Home:
    """A home with the scenario's pages imported (twarc) and the warehouse built with its blog post."""
    home = Home.resolve(base / "home").ensure()
    for page in write_pages(base):
        assert run_cli(home, "import", "twarc", "--no-load", str(page)).code == 0
    build_scenario(home, CONFIG, posts=[BLOG_POST])
    return home
