"""``tiemeter collect blogs`` against the fake blog: feeds, conditional GET, threading, idempotence."""

from __future__ import annotations

from blog_expectations import md5_email
from blog_helpers import write_config
from support import query, scalar

from tiemeter.demo.blog_dataset import sample_dataset
from tiemeter.demo.fake_blog import FakeBlog
from tiemeter.operations import build


def _config(tmp_path, fake, **blog):
    entry = {"name": "grow", "site_url": fake.url("/"), "feed_url": fake.url("/feed/"), "comments": "feed"}
    entry.update(blog)
    return str(write_config(tmp_path / "tiemeter.toml", [entry]))


def _landing_files(home) -> set[str]:
    return {p.relative_to(home.landing).as_posix() for p in home.landing.glob("*/*/*.jsonl")}


def test_feeds_fill_posts_and_threaded_comments(home, cli, tmp_path):
    data = sample_dataset()
    with FakeBlog(data) as fake:
        config = _config(tmp_path, fake, comments_feed_url=fake.url("/comments/feed/"))
        result = cli(home, "collect", "blogs", "--config", config, "--load")
        assert result.code == 0, result
        post_urls = {p.id: fake.post_url(p.id) for p in data.posts}
    posts = query(
        home, "SELECT post_id, title, author_name, comment_count, source FROM core.blog_posts ORDER BY 1"
    )
    assert posts == sorted(
        (post_urls[p.id], p.title, data.user(p.author).name, len(data.comments_of(p.id)), "feed")
        for p in data.posts
    )
    rows = query(
        home,
        "SELECT comment_id, post_id, parent_comment_id, author_name, kind, is_post_author, text FROM core.blog_comments",
    )
    expected = set()
    for c in data.comments:
        # RSS comment feeds cannot tell a trackback from a comment (WordPress writes both as text)
        kind = "pingback" if c.kind == "pingback" else "comment"
        by_author = kind == "comment" and c.author_name == data.user(data.post(c.post).author).name
        text = f"[…] {c.text} […]" if c.kind == "pingback" else c.text
        if c.kind == "trackback":
            text = f"{c.author_name}\n\n{c.text}"
        parent = f"grow:wordpress:{c.parent}" if c.parent else None
        expected.add(
            (f"grow:wordpress:{c.id}", post_urls[c.post], parent, c.author_name, kind, by_author, text)
        )
    assert set(rows) == expected
    assert sum(1 for r in rows if r[5]) == 1  # the author's one reply


def test_second_collect_is_conditional_and_changes_nothing(home, cli, tmp_path):
    data = sample_dataset()
    with FakeBlog(data) as fake:
        config = _config(tmp_path, fake, comments_feed_url=fake.url("/comments/feed/"))
        assert cli(home, "collect", "blogs", "--config", config, "--load").code == 0
        first = _landing_files(home)
        before = query(home, "SELECT * FROM core.blog_comments ORDER BY comment_id")
        feeds = len(fake.requests)
        assert feeds == 4  # the posts feed, two post comment feeds, the site-wide comment feed

        again = cli(home, "collect", "blogs", "--config", config, "--load")
        assert again.code == 0, again
        assert "4 feed(s) unchanged (304)" in again.out
        second = fake.requests[feeds:]
        assert [r.status for r in second] == [304] * 4
        assert all(r.headers.get("if-none-match") for r in second)
        assert _landing_files(home) == first  # a 304 lands nothing
        assert query(home, "SELECT * FROM core.blog_comments ORDER BY comment_id") == before

        # a new comment on post 2 changes its feed, the posts feed (slash:comments) and the site-wide feed
        data.comments.append(
            type(data.comments[0])(
                id=17, post=2, author_name="Cy", published=data.comments[-1].published, text="Hi"
            )
        )
        third = cli(home, "collect", "blogs", "--config", config, "--load")
        assert third.code == 0, third
        statuses = {r.path: r.status for r in fake.requests[feeds + 4 :]}
        hello, appeal = (
            fake.post_url(1).removeprefix(fake.base_url),
            fake.post_url(2).removeprefix(fake.base_url),
        )
    assert statuses == {"/feed/": 200, f"{appeal}feed/": 200, "/comments/feed/": 200, f"{hello}feed/": 304}
    assert scalar(home, "SELECT count(*) FROM core.blog_comments") == len(before) + 1
    # loading again, or rebuilding, changes nothing either: each landing file loads once
    assert cli(home, "load").code == 0  # only loads: staging and core are rebuilt explicitly
    build(home, layers=("staging", "core"))
    assert scalar(home, "SELECT count(*) FROM core.blog_comments") == len(before) + 1
    assert scalar(home, "SELECT count(*) - count(DISTINCT comment_id) FROM core.blog_comments") == 0


def test_atom_feeds_thread_comments_with_in_reply_to(home, cli, tmp_path):
    data = sample_dataset()
    with FakeBlog(data) as fake:
        result = cli(
            home,
            "collect",
            "blogs",
            "--config",
            _config(tmp_path, fake, feed_url=fake.url("/feed/atom/")),
            "--load",
        )
        assert result.code == 0, result
        asked = {r.path for r in fake.requests}
    # comment feeds come from the posts' rel="replies" Atom links
    assert {p.path + "feed/atom/" for p in data.posts} <= asked
    rows = dict(query(home, "SELECT comment_id, parent_comment_id FROM core.blog_comments"))
    assert rows == {
        f"grow:wordpress:{c.id}": (f"grow:wordpress:{c.parent}" if c.parent else None) for c in data.comments
    }
    assert scalar(home, "SELECT count(*) FROM core.blog_comments WHERE kind = 'pingback'") == sum(
        c.kind == "pingback" for c in data.comments
    )


def test_state_moves_only_with_landed_data(home, tmp_path):
    from blog_helpers import blog, fast_client

    from tiemeter.collectors.blogs import collect_blogs, state_of

    with FakeBlog(sample_dataset()) as fake:
        fake.faults["/feed/"] = "500"
        report = collect_blogs([blog(fake, "grow")], home, client=fast_client())
        assert report.failures and "HTTP 500" in report.failures[0]
        assert state_of(home, "grow").get("feeds") == {}  # nothing landed: no validator kept
        del fake.faults["/feed/"]
        collect_blogs([blog(fake, "grow")], home, client=fast_client())
        state = state_of(home, "grow")
    assert set(state["feeds"]) == {fake.url("/feed/"), *state["comment_feeds"].values()}
    assert all(v.get("etag") and v.get("last_modified") for v in state["feeds"].values())


def test_email_hashes_from_wordpress_are_gravatars(home, cli, tmp_path):
    data = sample_dataset()
    with FakeBlog(data) as fake:
        assert (
            cli(
                home, "collect", "blogs", "--config", _config(tmp_path, fake, comments="wordpress"), "--load"
            ).code
            == 0
        )
    rows = dict(query(home, "SELECT comment_id, author_email_hash FROM core.blog_comments"))
    listed = [c for c in data.comments if c.kind == "comment"]  # anonymous REST lists only comments
    assert rows == {f"grow:wordpress:{c.id}": md5_email(c.author_email) for c in listed}


def test_a_paged_posts_feed_is_read_back_once_then_one_page_a_run(home, cli, tmp_path):
    """RFC 5005 paging (WordPress's ?paged=N): the first run backfills every page, later runs read one."""
    from datetime import timedelta

    from tiemeter.demo.blog_dataset import Post

    data = sample_dataset()
    newest = max(p.published for p in data.posts)
    for n in range(1, 10):
        when = newest - timedelta(days=30 * n)
        data.posts.append(Post(100 + n, f"older-{n}", f"Older post {n}", data.posts[0].author, when, when))
    per_page = 3
    pages = -(-len(data.posts) // per_page)  # 11 posts: 4 pages
    with FakeBlog(data, feed_limit=per_page) as fake:
        config = _config(tmp_path, fake)

        def feed_reads() -> list[tuple[str, int]]:
            return [(r.query.get("paged", "1"), r.status) for r in fake.requests if r.path == "/feed/"]

        def comment_feeds_read() -> set[str]:
            return {r.path for r in fake.requests if r.path.endswith("/feed/") and r.path != "/feed/"}

        newest_first = sorted(data.posts, key=lambda p: p.published, reverse=True)
        assert cli(home, "collect", "blogs", "--config", config, "--load").code == 0
        assert feed_reads() == [(str(n), 200) for n in range(1, pages + 1)]
        assert comment_feeds_read() == {p.path + "feed/" for p in data.posts}  # the backfill reads them all
        expected = {fake.post_url(p.id) for p in data.posts}
        assert {r[0] for r in query(home, "SELECT post_id FROM core.blog_posts")} == expected

        fake.requests.clear()
        assert cli(home, "collect", "blogs", "--config", config, "--load").code == 0
        assert feed_reads() == [("1", 304)]  # nothing changed: one conditional read
        assert comment_feeds_read() == {
            p.path + "feed/" for p in newest_first[:per_page]
        }  # the current page's

        later = newest + timedelta(days=1)
        data.posts.append(Post(200, "newest", "A new post", data.posts[0].author, later, later))
        fake.requests.clear()
        assert cli(home, "collect", "blogs", "--config", config, "--load").code == 0
        assert feed_reads() == [("1", 200)]  # page 1 holds posts already seen: no need to go back
        expected.add(fake.post_url(200))
    assert {r[0] for r in query(home, "SELECT post_id FROM core.blog_posts")} == expected
    assert scalar(home, "SELECT count(*) - count(DISTINCT post_id) FROM core.blog_posts") == 0


def test_a_feed_whose_next_page_loops_back_is_read_once_and_reported(home, cli, tmp_path):
    with FakeBlog(sample_dataset()) as fake:
        looping = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Loop</title>
<link>{fake.url("/")}</link><description>x</description>
<atom:link href="{fake.url("/loop/?paged=2")}" rel="next" type="application/rss+xml" />
<item><title>Only post</title><link>{fake.url("/2020/01/01/only/")}</link><guid>only</guid></item>
</channel></rss>""".encode()
        fake.static["/loop/"] = (looping, "application/rss+xml")
        config = _config(tmp_path, fake, feed_url=fake.url("/loop/"))
        result = cli(home, "collect", "blogs", "--config", config, "--load")
        reads = [r.query.get("paged", "1") for r in fake.requests if r.path == "/loop/"]
    assert reads == ["1", "2"]  # page 2 points at itself: not read again
    assert "rel=next leads back to a page already read" in result.out + result.err
    assert query(home, "SELECT post_id, title FROM core.blog_posts") == [
        (fake.url("/2020/01/01/only/"), "Only post")
    ]


def test_collect_load_loads_what_an_earlier_run_left_pending(home, cli, tmp_path):
    """A run whose load was killed or locked out leaves landed files; the next --load loads them,
    even when it lands nothing new itself."""
    with FakeBlog() as fake:
        config = write_config(
            tmp_path / "t.toml", [{"name": "b", "site_url": fake.url("/"), "feed_url": fake.url("/feed/")}]
        )
        assert cli(home, "collect", "blogs", "--config", str(config)).code == 0  # landed, not loaded
        again = cli(home, "collect", "blogs", "--config", str(config), "--load")
        assert again.code == 0, again
        assert all(r.status == 304 for r in fake.requests[-1:])  # nothing new the second time
    assert scalar(home, "SELECT count(*) FROM core.blog_posts") == len(fake.dataset.posts)
