"""Every real feed sample in ../shared/realdata/feeds, imported with ``tiemeter import feed``, one site per file.

Counts are checked against tests/blog_expectations.py (regular expressions over the bytes, not
feedparser); ill-formed samples either land what feedparser recovered or are quarantined with the
parser's reason, which must name the same fault a strict XML parser (xml.etree) finds.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from blog_expectations import atom_alternate_links, feed_blocks, feed_comments, feed_posts, rss_links
from blog_helpers import failed_blog_checks
from support import REALDATA, query, realdata_files, run_cli, scalar

from tiemeter.operations import build

FEEDS = REALDATA / "feeds"
SAMPLES = realdata_files("feeds", lambda p: p.suffix in (".xml", ".json"))
COMMENT_FEEDS = {
    "blogger_jorgeelconstructor_post_comments_atom",
    "blogger_rbrazioli_post_comments_atom",
    "feedparser_blogger_comments_atom_threading",
    "wordpress572_whizzy_single_post_comments_rss",
    "wordpress572_whizzy_sitewide_comments_rss",
}


def _strict_error(path) -> str | None:
    try:
        ET.fromstring(path.read_bytes())
    except ET.ParseError as error:
        return str(error).split(":")[0]
    return None


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from tiemeter.settings import Home

    home = Home.resolve(tmp_path_factory.mktemp("feeds") / "home").ensure()
    codes = {
        p.stem: run_cli(home, "import", "feed", str(p), "--site", p.stem, "--no-load").code for p in SAMPLES
    }
    loaded = run_cli(home, "load")  # only loads: staging and core are built explicitly
    assert loaded.code == 0, loaded
    build(home, layers=("staging", "core"))
    return home, codes


def test_every_sample_is_covered():
    listed = set(re.findall(r"^\| `([^`]+)`", (FEEDS / "SOURCES.md").read_text("utf-8"), re.M))
    assert listed == {p.name for p in SAMPLES}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_lands_or_is_quarantined_with_the_parsers_reason(imported, path):
    home, codes = imported
    landed_kind = query(
        home, "SELECT kind FROM raw.blog_feeds WHERE payload->>'$.__tiemeter.site' = ?", [path.stem]
    )
    quarantined = query(home, "SELECT reason FROM meta.quarantine WHERE source_file = ?", [str(path)])
    if path.suffix == ".json":
        assert codes[path.stem] == 0 and landed_kind == [("posts",)]
        return
    entries = feed_blocks(path)
    if entries or _strict_error(path) is None:
        # recovered (possibly ill-formed), or well-formed and simply empty
        assert codes[path.stem] == 0, path
        assert landed_kind == [("comments" if path.stem in COMMENT_FEEDS else "posts",)]
        assert quarantined == []
    else:
        assert codes[path.stem] == 1
        assert landed_kind == []
        assert len(quarantined) == 1 and _strict_error(path) in quarantined[0][0]


@pytest.mark.parametrize("path", [p for p in SAMPLES if p.suffix == ".xml"] or SAMPLES, ids=lambda p: p.stem)
def test_counts_match_an_independent_parse(imported, path):
    home, _ = imported
    posts = scalar(
        home,
        "SELECT count(DISTINCT post_id) FROM staging.stg_blog__items WHERE site = ? AND entry_type = 'post'",
        [path.stem],
    )
    comments = query(
        home,
        "SELECT count(*), count(*) FILTER (WHERE kind = 'pingback') FROM core.blog_comments WHERE site = ?",
        [path.stem],
    )[0]
    if path.stem in COMMENT_FEEDS:
        assert posts == 0
        assert comments == feed_comments(path)
    else:
        assert posts == feed_posts(path)
        assert comments == (0, 0)


def test_json_feed_items_are_posts(imported):
    home, _ = imported
    doc = json.loads((FEEDS / "feedparser_jsonfeed_example.json").read_text("utf-8"))
    rows = query(
        home,
        "SELECT post_url, text, author_name FROM staging.stg_blog__items WHERE site = 'feedparser_jsonfeed_example' ORDER BY 1",
    )
    expected = sorted(
        (i["url"], i.get("title") or "", (i.get("author") or doc["author"])["name"]) for i in doc["items"]
    )
    assert rows == expected


def test_the_same_blog_as_rss_and_atom_is_one_set_of_posts(imported):
    home, _ = imported
    for rss, atom in [
        ("laminas_wordpress28_rss2", "laminas_wordpress28_atom10"),
        ("blogger_rbrazioli_posts_rss", "blogger_rbrazioli_posts_atom"),
    ]:
        expected = rss_links(FEEDS / f"{rss}.xml") | atom_alternate_links(FEEDS / f"{atom}.xml")
        rows = query(
            home,
            "SELECT url FROM core.blog_posts WHERE post_id IN "
            "(SELECT post_id FROM staging.stg_blog__items WHERE site IN (?, ?))",
            [rss, atom],
        )
        assert sorted(r[0] for r in rows) == sorted(expected)


def test_core_has_one_row_per_post_url(imported):
    home, _ = imported
    assert failed_blog_checks(home) == []
    distinct = scalar(home, "SELECT count(DISTINCT post_id) FROM staging.stg_blog__items")
    assert scalar(home, "SELECT count(*) FROM core.blog_posts") == distinct


def test_charset_detected_when_the_declaration_is_missing(imported):
    home, _ = imported
    for stem, codec in [
        ("illformed_feedparser_chardet_koi8r", "koi8-r"),
        ("illformed_feedparser_chardet_shiftjis", "shift_jis"),
    ]:
        raw = (FEEDS / f"{stem}.xml").read_bytes().decode(codec)
        title = raw.split("<title>")[-1].split("</title>")[0].strip()
        assert (
            scalar(home, "SELECT title FROM staging.stg_blog__feed_entries WHERE site = ?", [stem]) == title
        )


def test_recovered_entries_keep_the_parsers_complaint(imported):
    home, _ = imported
    rows = query(
        home,
        "SELECT payload->>'$.__tiemeter.site', payload->>'$.bozo_exception' FROM raw.blog_feeds "
        "WHERE payload->>'$.bozo_exception' IS NOT NULL ORDER BY 1",
    )
    by_site = dict(rows)
    # a strict parser fails on each of them; feedparser recovered entries and said why it had to
    for stem, reason in by_site.items():
        assert _strict_error(FEEDS / f"{stem}.xml") in reason
    assert "illformed_feedparser_corrupted_ampersands" in by_site
    assert (
        scalar(
            home,
            "SELECT post_url FROM staging.stg_blog__items WHERE site = 'illformed_feedparser_corrupted_ampersands'",
        )
        == "http://link/get?a=1&b=2"
    )


def test_threading_and_post_of_site_wide_comments(imported):
    home, _ = imported
    text = (FEEDS / "wordpress572_whizzy_sitewide_comments_rss.xml").read_text("utf-8")
    # "In reply to <a href=".../#comment-3920">": WordPress's threading in its RSS comment feeds
    replies = {}
    for block in feed_blocks(FEEDS / "wordpress572_whizzy_sitewide_comments_rss.xml"):
        own = block.split("#comment-")[1].split("<")[0]
        parent = block.split("In reply to &lt;a href=&quot;")
        if len(parent) > 1:
            replies[own] = parent[1].split("#comment-")[1].split("&quot;")[0]
    assert replies and text.count("In reply to &lt;a") == len(replies)
    rows = query(
        home,
        "SELECT comment_id, parent_comment_id FROM core.blog_comments "
        "WHERE site = 'wordpress572_whizzy_sitewide_comments_rss' AND parent_comment_id IS NOT NULL",
    )
    site = "wordpress572_whizzy_sitewide_comments_rss:wordpress:"
    assert {c.removeprefix(site): p.removeprefix(site) for c, p in rows} == replies
    texts = query(home, "SELECT text FROM core.blog_comments WHERE comment_id = ?", [site + "4016"])
    assert texts[0][0].startswith("Sure, if you bring")  # WordPress's "In reply to" line is not the comment


def test_atom_threading_points_at_the_post(imported):
    home, _ = imported
    path = FEEDS / "feedparser_blogger_comments_atom_threading.xml"
    href = (
        ET.parse(path)
        .getroot()
        .find("{http://www.w3.org/2005/Atom}entry/{http://purl.org/syndication/thread/1.0}in-reply-to")
        .get("href")
    )
    rows = query(
        home, "SELECT post_id, parent_comment_id FROM core.blog_comments WHERE site = ?", [path.stem]
    )
    assert rows == [(href, None)]  # the in-reply-to names the post: a top-level comment
