"""Identity never merges on an empty or placeholder key, shown on the real WordPress REST shape.

The comments are the real frontity sample (../shared/realdata/comments_api), served by the fake blog
as WordPress serves them, plus three copies made anonymous the way WordPress shows a commenter who
left no e-mail: the Gravatar of the empty e-mail (md5 before WordPress 6.8, sha256 since), the name
"Anonymous" or none, no URL or the blog's own URL. Expected people are counted here from that JSON.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re

import pytest
from blog_expectations import wp_rest_items
from blog_helpers import EMPTY_RSS, write_config
from support import REALDATA, query

API = REALDATA / "comments_api"
SITE = "wp_anon"
EMPTY_HASHES = {hashlib.md5(b"").hexdigest(), hashlib.sha256(b"").hexdigest()}
PLACEHOLDER_NAMES = {"", "anonymous"}


def avatar_urls(digest: str) -> dict:
    return {
        size: f"https://secure.gravatar.com/avatar/{digest}?s={size}&d=mm&r=g" for size in ("24", "48", "96")
    }


def served_comments(site_url: str) -> list[dict]:
    real = wp_rest_items(API / "wp_rest_v2_comments_post60.json")
    anonymous = []
    for n, (name, url, digest) in enumerate(
        [
            ("Anonymous", "", hashlib.md5(b"").hexdigest()),
            ("Anonymous", site_url, hashlib.md5(b"").hexdigest()),
            ("", "", hashlib.sha256(b"").hexdigest()),
        ]
    ):
        c = copy.deepcopy(real[n % len(real)])
        c.update(id=9000 + n, parent=0, author=0, author_name=name, author_url=url)
        c["author_avatar_urls"] = avatar_urls(digest)
        anonymous.append(c)
    return real + anonymous


def expected_people(comments: list[dict], site_url: str) -> dict[int, object]:
    """Comment id -> a token naming its person: the real e-mail hash, the name and URL, or the comment."""
    own = site_url.rstrip("/").split("://", 1)[1]
    people = {}
    for c in comments:
        digest = re.search(r"/avatar/([0-9a-f]+)", c["author_avatar_urls"]["96"]).group(1)
        name = c["author_name"].strip().lower()
        url = c["author_url"].rstrip("/").split("://", 1)[-1] if c["author_url"] else ""
        url = "" if url == own else url
        if digest not in EMPTY_HASHES:
            people[c["id"]] = ("email", digest)
        elif name not in PLACEHOLDER_NAMES or url:
            people[c["id"]] = ("name", "" if name in PLACEHOLDER_NAMES else name, url)
        else:
            people[c["id"]] = ("comment", c["id"])
    return people


@pytest.fixture
def collected(home, cli, tmp_path):
    from tiemeter.demo.fake_blog import FakeBlog

    with FakeBlog() as fake:
        site_url = fake.url(f"/{SITE}/")
        comments = served_comments(site_url)
        posts = wp_rest_items(API / "wp_rest_v2_post_single_60.json")
        fake.static[f"/{SITE}/wp-json/wp/v2/posts"] = (json.dumps(posts).encode(), "application/json")
        fake.static[f"/{SITE}/wp-json/wp/v2/comments"] = (json.dumps(comments).encode(), "application/json")
        fake.static[f"/{SITE}/feed/"] = (EMPTY_RSS, "application/rss+xml")
        blog = {
            "name": SITE,
            "site_url": site_url,
            "feed_url": fake.url(f"/{SITE}/feed/"),
            "comments": "wordpress",
        }
        result = cli(
            home, "collect", "blogs", "--config", str(write_config(tmp_path / "t.toml", [blog])), "--load"
        )
    assert result.code == 0, result
    return home, comments, site_url


def comment_persons(home) -> dict[int, str]:
    got = query(
        home,
        "SELECT c.comment_id, i.person_id FROM core.blog_comments c "
        "JOIN core.commenter_keys k USING (comment_id) JOIN core.identities i ON i.identity_key = k.identity_key "
        "WHERE c.site = ?",
        [SITE],
    )
    return {int(cid.rsplit(":", 1)[1]): person for cid, person in got}


def test_commenters_without_email_stay_apart_and_one_real_hash_is_one_person(collected):
    home, comments, site_url = collected
    expected = expected_people(comments, site_url)
    got = comment_persons(home)
    assert set(got) == set(expected)
    # the same partition: two comments share a person exactly when they share a real key
    pairs = [(a, b) for a in expected for b in expected if a < b]
    assert [got[a] == got[b] for a, b in pairs] == [expected[a] == expected[b] for a, b in pairs]
    assert len(set(got.values())) == len(set(expected.values()))

    no_email = [cid for cid, token in expected.items() if token[0] == "comment"]
    assert len(no_email) == 3 and len({got[cid] for cid in no_email}) == 3
    by_hash: dict[str, list[int]] = {}
    for cid, token in expected.items():
        if token[0] == "email":
            by_hash.setdefault(token[1], []).append(cid)
    shared = [ids for ids in by_hash.values() if len(ids) == 2]
    assert shared and all(len({got[cid] for cid in ids}) == 1 for ids in shared)


def test_no_placeholder_reaches_a_key_or_an_edge(collected):
    home, comments, _ = collected
    hashes = {
        r[0] for r in query(home, "SELECT author_email_hash FROM core.blog_comments WHERE site = ?", [SITE])
    }
    assert not hashes & EMPTY_HASHES
    keys = [r[0] for r in query(home, "SELECT identity_key FROM core.identities WHERE site = ?", [SITE])]
    assert not [
        k
        for k in keys
        if any(h in k for h in EMPTY_HASHES) or ":name:anonymous" in k or k.endswith(":name:|")
    ]
    # every anonymous comment is an edge of its own actor
    anonymous = {f"{SITE}:wordpress:{c['id']}" for c in comments if c["id"] >= 9000}
    actors = query(
        home,
        "SELECT content_id, actor_person_id FROM core.interactions WHERE channel = 'blog' AND kind = 'comment'",
    )
    by_content = {cid: actor for cid, actor in actors if cid in anonymous}
    assert set(by_content) == anonymous and len(set(by_content.values())) == len(anonymous)
