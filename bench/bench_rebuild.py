"""Full rebuild of every model (staging, core, marts) through dbt (``--full-refresh``, in-process, as
``tiemeter transform --full-refresh`` runs it) on a synthetic 1M-tweet + 200k-comment warehouse."""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from tiemeter.config import parse_config
from tiemeter.landing import RollingLandingFile, provenance
from tiemeter.settings import Home
from tiemeter.transforms.project import build
from tiemeter.warehouse.connection import memory_limit, warehouse
from tiemeter.warehouse.context import write_context
from tiemeter.warehouse.loader import load_pending

START = datetime(2024, 1, 1, tzinfo=UTC)


def synthetic_pages(
    landing: Path, tweets: int, users: int = 50_000, per_page: int = 100, seed: int = 5
) -> None:
    """Search pages of small, realistic tweets: 30% retweets, 20% replies, 5% quotes, mentions, links."""
    rng = random.Random(seed)
    profiles = [
        {"id": str(10_000 + i), "username": f"user{i}", "name": f"User {i}",
         "public_metrics": {"followers_count": int(rng.paretovariate(1.1) * 50), "following_count": 100, "tweet_count": 1000, "listed_count": 1}}
        for i in range(users)
    ]  # fmt: skip
    popular = [p["id"] for p in profiles[:2000]]
    ids: list[str] = []
    with RollingLandingFile(landing, "x_api_pages", "bench-rebuild") as out:
        for page_no in range(tweets // per_page):
            data, seen_users = [], {}
            for k in range(per_page):
                n = page_no * per_page + k
                tweet_id = str(1_800_000_000_000_000_000 + n)
                author = rng.choice(popular) if rng.random() < 0.3 else str(10_000 + rng.randrange(users))
                at = START + timedelta(seconds=n * 30)
                tweet = {"id": tweet_id, "edit_history_tweet_ids": [tweet_id], "author_id": author,
                         "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "text": "bench", "lang": "en",
                         "conversation_id": tweet_id,
                         "public_metrics": {"retweet_count": rng.randrange(5), "reply_count": rng.randrange(3), "like_count": rng.randrange(20), "quote_count": 0}}  # fmt: skip
                roll = rng.random()
                if ids and roll < 0.55:
                    kind = "retweeted" if roll < 0.30 else "replied_to" if roll < 0.50 else "quoted"
                    tweet["referenced_tweets"] = [{"type": kind, "id": rng.choice(ids[-50_000:])}]
                if rng.random() < 0.3:
                    target = rng.choice(popular)
                    tweet["entities"] = {
                        "mentions": [
                            {"start": 0, "end": 8, "username": f"user{int(target) - 10_000}", "id": target}
                        ]
                    }
                if rng.random() < 0.1:
                    tweet.setdefault("entities", {})["urls"] = [
                        {"expanded_url": f"https://blog.example/post/{rng.randrange(500)}"}
                    ]
                data.append(tweet)
                ids.append(tweet_id)
                seen_users[author] = profiles[int(author) - 10_000]
            page = {
                "data": data,
                "includes": {"users": list(seen_users.values())},
                "meta": {"result_count": len(data)},
            }
            stamp = provenance(source="bench", endpoint="/2/tweets/search/all", run_id="bench", kind="tweets")
            out.write_line(orjson.dumps({"__tiemeter": stamp, **page}))
        out.commit()


def synthetic_blog(
    landing: Path, comments: int, posts: int = 2_000, commenters: int = 20_000, seed: int = 6
) -> None:
    """WordPress REST pages (as the fake blog renders them) of a blog with many comments, threaded."""
    from tiemeter.demo import blog_render
    from tiemeter.demo.blog_dataset import BlogDataset, Comment, Post, User

    rng = random.Random(seed)
    owner = User(1, "Owner", "owner@blog.example")
    post_list = [
        Post(
            i + 1,
            f"post-{i + 1}",
            f"Post {i + 1}",
            1,
            START + timedelta(hours=6 * i),
            START + timedelta(hours=6 * i),
        )
        for i in range(posts)
    ]
    items = []
    for n in range(comments):
        post = post_list[rng.randrange(posts)]
        who = rng.randrange(commenters)
        parent = rng.randrange(1, n + 1) if n and rng.random() < 0.3 else None
        items.append(
            Comment(
                n + 1,
                post.id,
                f"Reader {who}",
                post.published + timedelta(hours=rng.randint(1, 500)),
                "nice post",
                parent=parent,
                author_url=f"https://twitter.com/user{who}" if who < 2000 else "",
                author_email=f"reader{who}@mail.example",
            )  # fmt: skip
        )
    data = BlogDataset("bench", [owner], post_list, items)
    site = blog_render.Site(data, "https://blog.example")
    with RollingLandingFile(landing, "blog_wp_api", "bench-rebuild-blog") as out:
        for kind, rendered in (
            ("posts", [blog_render.wp_post(site, p, embed=True) for p in post_list]),
            ("comments", [blog_render.wp_comment(site, c) for c in items]),
        ):
            for start in range(0, len(rendered), 100):
                stamp = provenance(source="wordpress", endpoint=kind, run_id="bench", kind=kind, site="grow",
                                   api_base="https://blog.example/wp-json/wp/v2")  # fmt: skip
                out.write_line(orjson.dumps({"__tiemeter": stamp, "items": rendered[start : start + 100]}))
        out.commit()


class PeakRss:
    """The process's resident memory, sampled while the block runs (dbt-duckdb keeps one DuckDB
    connection for the whole build, so its buffers are this process's)."""

    def __init__(self, every: float = 0.1):
        self.every, self.peak_mb, self._stop = every, 0.0, threading.Event()

    @staticmethod
    def _rss_mb() -> float:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._rss_mb())
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRss:
        self.start_mb = self._rss_mb()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run(tweets: int = 1_000_000, comments: int = 200_000) -> float:
    with tempfile.TemporaryDirectory(prefix="tiemeter-rebuild-") as tmp:
        home = Home.resolve(Path(tmp) / "home").ensure()
        started = time.perf_counter()
        synthetic_pages(home.landing, tweets)
        synthetic_blog(home.landing, comments)
        load_pending(home)
        prepared = time.perf_counter() - started
        config = parse_config(
            {"accounts": [{"name": f"user{i}", "x_username": f"user{i}"} for i in range(20)]}
        )
        with warehouse(home) as con:
            write_context(con, config)
        # As ``tiemeter transform --full-refresh`` in a new process: dbt's parse is in the figure.
        with PeakRss() as rss:
            report = build(home, layers=("staging", "core", "marts"), full_refresh=True)
        with warehouse(home) as con:
            counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("core.tweets", "core.blog_comments", "core.interactions", "marts.post_reach_engagement",
                                "marts.tie_strength", "marts.spread_scores")}  # fmt: skip
    print(
        f"full rebuild (staging + core + marts, {len(report.models)} models) on {tweets:,} synthetic tweets "
        f"and {comments:,} comments: "
        f"{report.seconds:.1f}s (target <= 70 s; data prepared and loaded in {prepared:.0f}s, not counted)\n"
        f"  peak RSS during the build {rss.peak_mb:,.0f} MB (process at {rss.start_mb:,.0f} MB before it; "
        f"DuckDB memory_limit {memory_limit()})\n"
        f"  rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + "\n"
        "  slowest models: " + ", ".join(f"{name} {secs:.1f}s" for name, secs in report.slowest(5))
    )
    return report.seconds


if __name__ == "__main__":
    run(
        int(os.environ.get("BENCH_REBUILD_TWEETS", "1000000")),
        int(os.environ.get("BENCH_REBUILD_COMMENTS", "200000")),
    )
