"""WordPress REST and Disqus API collection: paging, incremental runs, rate limits, and the api_key kept secret."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

import pytest
from blog_helpers import DISQUS_KEY, blog, failed_blog_checks, fast_client, write_config
from pipeline_steps import load_core
from support import query, scalar

from tiemeter.collectors.blogs import collect_blogs, state_of
from tiemeter.config import DisqusConfig
from tiemeter.demo.blog_dataset import BlogDataset
from tiemeter.demo.fake_blog import FakeBlog


def _minute(n: int) -> str:
    return (datetime(2012, 1, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat()


def _reader(i: int) -> dict:
    """Every 25th comment is the blog author's (a WordPress user); a third of readers have no Disqus account."""
    if i % 25 == 0:
        return {"user_id": 1}
    return {
        "author_name": f"Reader {i % 37}",
        "author_email": f"reader{i % 37}@example.org",
        "disqus_username": f"twitter-{5000 + i % 37}" if i % 3 else "",
    }


def big_blog(posts: int, comments: int) -> BlogDataset:
    """``posts`` posts and ``comments`` comments spread over them, one minute apart, every 10th a reply."""
    return BlogDataset.from_dict(
        {
            "users": [{"id": 1, "name": "Mark", "email": "mark@example.org", "disqus_username": "markw"}],
            "posts": [
                {
                    "id": i,
                    "slug": f"p{i}",
                    "title": f"Post {i}",
                    "author": 1,
                    "published": _minute(i - 10_000),
                }
                for i in range(1, posts + 1)
            ],
            "comments": [
                {
                    "id": 1000 + i,
                    "post": 1 + i % posts,
                    "parent": 1000 + i - posts if i % 10 == 9 and i >= posts else None,
                    "published": _minute(i),
                    "text": f"Comment {i}",
                    **_reader(i),
                }
                for i in range(comments)
            ],
        }
    )


def _pages(fake: FakeBlog, path: str) -> list[tuple[str, str | None]]:
    return [
        (r.query.get("page") or r.query.get("cursor"), r.query.get("after") or r.query.get("since"))
        for r in fake.requests
        if r.path == path
    ]


def test_wordpress_pages_and_runs_incrementally(home):
    data = big_blog(posts=120, comments=250)
    with FakeBlog(data) as fake:
        run = collect_blogs([blog(fake, "grow", "wordpress")], home, client=fast_client())
        assert run.failures == []
        assert [p for p, _ in _pages(fake, "/wp-json/wp/v2/comments")] == [
            "1",
            "2",
            "3",
        ]  # 250 / 100 per page
        assert [p for p, _ in _pages(fake, "/wp-json/wp/v2/posts")] == ["1", "2"]
        assert all(r.query.get("per_page") == "100" for r in fake.requests if r.path.startswith("/wp-json"))
        load_core(home)
        assert scalar(home, "SELECT count(*) FROM core.blog_comments") == 250
        assert scalar(home, "SELECT count(*) FROM core.blog_posts") == 120

        seen = len(fake.requests)
        again = collect_blogs([blog(fake, "grow", "wordpress")], home, client=fast_client())
        cursor = state_of(home, "grow")["wordpress"]
        newest = max(c.published for c in data.comments).strftime("%Y-%m-%dT%H:%M:%S")
        assert cursor["comments"] == newest
        asked = [r for r in fake.requests[seen:] if r.path == "/wp-json/wp/v2/comments"]
        assert [r.query.get("after") for r in asked] == [newest]
        assert again.runs[0].documents == 0  # nothing new: no page landed

        data.comments.append(
            type(data.comments[0])(
                id=9999,
                post=3,
                author_name="Late",
                published=max(c.published for c in data.comments).replace(year=2013),
                text="late",
            )
        )
        collect_blogs([blog(fake, "grow", "wordpress")], home, client=fast_client())
    load_core(home)
    assert scalar(home, "SELECT count(*) FROM core.blog_comments") == 251
    # the replies keep their parents, and the author's comments are marked by WordPress user id
    expected_parents = {
        f"grow:wordpress:{c.id}": f"grow:wordpress:{c.parent}" for c in data.comments if c.parent
    }
    got = dict(
        query(
            home,
            "SELECT comment_id, parent_comment_id FROM core.blog_comments WHERE parent_comment_id IS NOT NULL",
        )
    )
    assert got == expected_parents
    assert failed_blog_checks(home) == []
    by_author = {r[0] for r in query(home, "SELECT comment_id FROM core.blog_comments WHERE is_post_author")}
    assert by_author == {f"grow:wordpress:{c.id}" for c in data.comments if c.user_id == 1}


def _disqus(fake: FakeBlog, **kwargs):
    return blog(fake, "grow", "disqus", disqus_forum=fake.disqus_forum, **kwargs)


def _collect_disqus(fake: FakeBlog, home, client=None):
    """One collection of the fake's Disqus forum, with the right key."""
    config = DisqusConfig(base_url=fake.url("/api/3.0"))
    return collect_blogs(
        [_disqus(fake)],
        home,
        client=client or fast_client(),
        disqus_config=config,
        api_key=lambda: DISQUS_KEY,
    )


def test_disqus_follows_the_cursor_and_keeps_usernames(home):
    data = big_blog(posts=7, comments=230)
    with FakeBlog(data, disqus_api_key=DISQUS_KEY) as fake:
        run = _collect_disqus(fake, home)
        assert run.failures == []
        pages = _pages(fake, "/api/3.0/posts/list.json")
        assert len(pages) == math.ceil(230 / 100) and pages[0][0] is None and all(p for p, _ in pages[1:])
        assert all(
            r.query["limit"] == "100" and r.query["related"] == "thread"
            for r in fake.requests
            if "api" in r.path
        )
        load_core(home)
        rows = query(
            home,
            "SELECT comment_id, author_username, parent_comment_id, is_post_author, post_id FROM core.blog_comments",
        )
        assert len(rows) == 230
        expected = {
            f"grow:disqus:{c.id}": (
                c.disqus_username or None,
                f"grow:disqus:{c.parent}" if c.parent else None,
                c.user_id == 1,
                fake.post_url(c.post),
            )
            for c in data.comments
        }
        assert {r[0]: r[1:] for r in rows} == expected
        assert any(u and u.startswith("twitter-") for _, u, *_ in rows)
        assert failed_blog_checks(home) == []
        # threads are the posts, with Disqus's post count
        counts = dict(query(home, "SELECT post_id, comment_count FROM core.blog_posts"))
        assert counts == {fake.post_url(p.id): len(data.comments_of(p.id)) for p in data.posts}

        seen = len(fake.requests)
        again = _collect_disqus(fake, home)
        newest = max(c.published for c in data.comments).strftime("%Y-%m-%dT%H:%M:%S")
        assert [r.query.get("since") for r in fake.requests[seen:] if "api" in r.path] == [newest]
        assert again.runs[0].documents == 0


def test_disqus_rate_limit_stops_with_the_cursor_saved_then_resumes(home):
    data = big_blog(posts=5, comments=450)
    with FakeBlog(data, disqus_api_key=DISQUS_KEY, disqus_rate_limit=2) as fake:
        config = DisqusConfig(base_url=fake.url("/api/3.0"))
        waits = []
        client = fast_client()
        client.on_wait = lambda seconds, reason: waits.append(seconds)
        first = collect_blogs(
            [_disqus(fake)], home, client=client, disqus_config=config, api_key=lambda: DISQUS_KEY
        )
        # two requests allowed; the second says Remaining 0 and the reset is an hour away: stop, do not wait
        assert len(first.failures) == 1 and "resumes from the saved cursor" in first.failures[0]
        assert waits == []
        state = state_of(home, "grow")["disqus"]
        assert state["cursor"] and not state.get("since")
        assert first.runs[0].documents == 1 + 2  # the posts feed, then two Disqus pages

        fake.disqus_rate_limit = 1000  # the next hour
        second = collect_blogs(
            [_disqus(fake)], home, client=fast_client(), disqus_config=config, api_key=lambda: DISQUS_KEY
        )
        assert second.failures == []
        asked = [r.query.get("cursor") for r in fake.requests if "api" in r.path and r.status == 200][2:]
        assert asked[0] == state["cursor"]  # resumed where the first run stopped
    load_core(home)
    assert scalar(home, "SELECT count(*) FROM core.blog_comments") == 450
    assert state_of(home, "grow")["disqus"]["cursor"] is None


def test_disqus_api_key_is_never_written_anywhere(home, cli, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("DISQUS_API_KEY", DISQUS_KEY)
    data = big_blog(posts=3, comments=150)
    with FakeBlog(data, disqus_api_key=DISQUS_KEY) as fake:
        entry = {
            "name": "grow",
            "site_url": fake.url("/"),
            "feed_url": fake.url("/feed/"),
            "comments": "disqus",
            "disqus_forum": fake.disqus_forum,
        }
        config = write_config(tmp_path / "t.toml", [entry], disqus_base=fake.url("/api/3.0"))
        ok = cli(home, "-v", "collect", "blogs", "--config", str(config), "--load")
        assert ok.code == 0, ok
        fake.disqus_api_key = "another-key"  # now the key we send is refused
        refused = cli(home, "-v", "collect", "blogs", "--config", str(config), "--load")
    assert refused.code == 1 and "Disqus error 5" in refused.out and "DISQUS_API_KEY" in refused.out
    assert "nothing collected: 1 source(s) failed (listed above)" in refused.err
    assert scalar(home, "SELECT count(*) FROM core.blog_comments") == 150
    written = [p for p in home.root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in written) and any("state" in p.parts for p in written)
    for path in written:
        assert DISQUS_KEY.encode() not in path.read_bytes(), path
    for text in (ok.out, ok.err, refused.out, refused.err, caplog.text):
        assert DISQUS_KEY not in text
    assert "api_key=REDACTED" in caplog.text  # urllib3 logged the request line, redacted


def test_disqus_key_from_the_airflow_connection(monkeypatch):
    from tiemeter.collectors.disqus import resolve_api_key
    from tiemeter.errors import FatalError

    monkeypatch.delenv("DISQUS_API_KEY", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_DISQUS_API", raising=False)
    with pytest.raises(
        FatalError, match="DISQUS_API_KEY or the password of the Airflow connection 'disqus_api'"
    ):
        resolve_api_key()
    monkeypatch.setenv("AIRFLOW_CONN_DISQUS_API", '{"conn_type": "http", "password": "from-airflow"}')
    assert resolve_api_key() == "from-airflow"
