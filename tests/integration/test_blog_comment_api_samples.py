"""The real samples in ../shared/realdata/comments_api: a WXR export, a Disqus export, WordPress REST pages.

Exports go through ``tiemeter import wxr`` / ``disqus-xml``; the REST pages are served as they are by
the fake blog and collected with ``tiemeter collect blogs``. Expectations come from
tests/blog_expectations.py (xml.etree and json only).
"""

from __future__ import annotations

import json
import re

import pytest
from blog_expectations import disqus_xml_expectations, wp_rest_items, wxr_expectations
from blog_helpers import EMPTY_RSS, failed_blog_checks, write_config
from support import REALDATA, query, scalar

API = REALDATA / "comments_api"
WXR = API / "wordpress_wxr_export_isso_fixture.xml"
DISQUS = API / "disqus_export_isso_fixture.xml"


def test_every_sample_is_covered():
    listed = set(re.findall(r"^\| `([^`]+)`", (API / "SOURCES.md").read_text("utf-8"), re.M))
    covered = {WXR.name, DISQUS.name} | {name for site in WP_SITES.values() for name in site.values() if name}
    assert listed == covered == {p.name for p in API.iterdir() if p.suffix in (".xml", ".json")}


def test_wxr_export(home, cli):
    expected = wxr_expectations(WXR)
    result = cli(home, "import", "wxr", str(WXR), "--site", "isso")
    assert result.code == 0, result
    assert sorted(r[0] for r in query(home, "SELECT url FROM core.blog_posts WHERE site = 'isso'")) == sorted(
        expected["posts"]
    )
    rows = query(
        home,
        "SELECT comment_id, post_id, parent_comment_id, author_name, author_email_hash, is_post_author, kind "
        "FROM core.blog_comments WHERE site = 'isso'",
    )
    # WordPress comment ids are unique per site: the export's repeated id 11 is one comment
    assert {r[0] for r in rows} == {f"isso:wordpress:{cid}" for cid in expected["comments"]}
    by_id = {r[0].rsplit(":", 1)[1]: r for r in rows}
    for cid, exp in expected["comments"].items():
        _, post_id, parent, author, email_hash, by_author, kind = by_id[cid]
        if author == exp["author"]:  # the winner of the repeated id is one of the two: check it fully
            assert post_id == exp["post"]
            assert parent == (None if exp["parent"] == "0" else f"isso:wordpress:{exp['parent']}")
            assert email_hash == exp["email_hash"]
            assert by_author == exp["by_post_author"]
        assert kind == "comment"
    # the e-mail addresses reach raw (the user's own export) but nothing past staging
    for table in ("core.blog_comments", "core.blog_posts", "staging.stg_blog__items"):
        assert (
            scalar(home, f"SELECT count(*) FROM {table} t WHERE CAST(t AS VARCHAR) LIKE '%posativ.org%'") == 0
        )
    assert failed_blog_checks(home) == []
    again = cli(home, "import", "wxr", str(WXR), "--site", "isso")
    assert again.code == 0 and "already imported" in again.out
    assert scalar(home, "SELECT count(*) FROM core.blog_comments WHERE site = 'isso'") == len(rows)


def test_disqus_export(home, cli):
    expected = disqus_xml_expectations(DISQUS)
    result = cli(home, "import", "disqus-xml", str(DISQUS))
    assert result.code == 0, result
    site = "example.org"  # no --site and no config: the host of the export's first thread link
    assert sorted(r[0] for r in query(home, "SELECT url FROM core.blog_posts")) == sorted(expected["posts"])
    rows = query(
        home,
        "SELECT comment_id, post_id, parent_comment_id, author_username, author_email_hash, is_post_author "
        "FROM core.blog_comments",
    )
    assert {r[0] for r in rows} == {f"{site}:disqus:{cid}" for cid in expected["comments"]}
    for comment_id, post_id, parent, username, email_hash, by_author in rows:
        exp = expected["comments"][comment_id.rsplit(":", 1)[1]]
        assert post_id == exp["post"]
        assert parent == (f"{site}:disqus:{exp['parent']}" if exp["parent"] else None)
        assert username == exp["username"]
        assert email_hash == exp["email_hash"]
        assert by_author == exp["by_post_author"]
    assert failed_blog_checks(home) == []


# -- WordPress REST: each site serves some of the real pages as its /posts and /comments -----------

WP_SITES = {
    "wp_category7": {"posts": "wp_rest_v2_posts_category7_page1.json", "comments": None},
    "wp_embedded": {"posts": "wp_rest_v2_posts_embedded.json", "comments": None},
    "wp_post60": {"posts": "wp_rest_v2_post_single_60.json", "comments": "wp_rest_v2_comments_post60.json"},
    "wp_comment5": {"posts": None, "comments": "wp_rest_v2_comment_single_5.json"},
}


@pytest.fixture
def wp_collected(home, cli, tmp_path):
    from tiemeter.demo.fake_blog import FakeBlog

    with FakeBlog() as fake:
        blogs = []
        for site, files in WP_SITES.items():
            for kind in ("posts", "comments"):
                items = wp_rest_items(API / files[kind]) if files[kind] else []
                # a listing is an array: a single-object sample is served as a one-item page
                fake.static[f"/{site}/wp-json/wp/v2/{kind}"] = (
                    json.dumps(items).encode(),
                    "application/json",
                )
            fake.static[f"/{site}/feed/"] = (EMPTY_RSS, "application/rss+xml")
            blogs.append(
                {
                    "name": site,
                    "site_url": fake.url(f"/{site}/"),
                    "feed_url": fake.url(f"/{site}/feed/"),
                    "comments": "wordpress",
                }
            )
        result = cli(
            home, "collect", "blogs", "--config", str(write_config(tmp_path / "t.toml", blogs)), "--load"
        )
    assert result.code == 0, result
    return home


def test_wordpress_rest_samples(wp_collected):
    home = wp_collected
    assert failed_blog_checks(home) == []
    for site, files in WP_SITES.items():
        posts = wp_rest_items(API / files["posts"]) if files["posts"] else []
        comments = wp_rest_items(API / files["comments"]) if files["comments"] else []
        got_posts = query(
            home, "SELECT url, title, author_name FROM core.blog_posts WHERE site = ? ORDER BY 1", [site]
        )
        if posts:
            expected_posts = sorted(
                (p["link"], p["title"]["rendered"], p["_embedded"]["author"][0]["name"]) for p in posts
            )
            assert got_posts == expected_posts
        got = query(
            home,
            "SELECT comment_id, parent_comment_id, author_name, author_email_hash, is_post_author, text "
            "FROM core.blog_comments WHERE site = ? ORDER BY 1",
            [site],
        )
        post_authors = {p["id"]: p["author"] for p in posts}
        expected = []
        for c in comments:
            avatar = re.search(r"/avatar/([0-9a-f]{32})", c["author_avatar_urls"]["96"])
            by_author = c["author"] != 0 and post_authors.get(c["post"]) == c["author"]
            text = re.sub(r"<[^>]+>", "", c["content"]["rendered"]).strip()
            parent = f"{site}:wordpress:{c['parent']}" if c["parent"] else None
            expected.append(
                (f"{site}:wordpress:{c['id']}", parent, c["author_name"], avatar.group(1), by_author, text)
            )
        assert got == sorted(expected)


def test_a_comment_names_its_post_by_wordpress_id(wp_collected):
    home = wp_collected
    post = wp_rest_items(API / "wp_rest_v2_post_single_60.json")[0]
    ids = {
        r[0] for r in query(home, "SELECT DISTINCT post_id FROM core.blog_comments WHERE site = 'wp_post60'")
    }
    assert ids == {post["link"]}
    # without the post's REST page, the comment's own link (comment-page and fragment dropped) names it
    lone = wp_rest_items(API / "wp_rest_v2_comment_single_5.json")[0]
    expected = re.sub(r"comment-page-\d+/#comment-\d+$", "", lone["link"])
    assert scalar(home, "SELECT post_id FROM core.blog_comments WHERE site = 'wp_comment5'") == expected
