"""A document nested thousands of levels deep is bad input: it is quarantined with its reason, never a
``RecursionError`` that stops the run, and the other documents still load."""

from __future__ import annotations

import json

from blog_helpers import blog, fast_client
from support import REALDATA, query, scalar

from tiemeter.collectors.blogs import collect_blogs
from tiemeter.demo.fake_blog import FakeBlog

LEVELS = 5000


def _deep_json(levels: int = LEVELS) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


def test_a_deep_json_feed_fails_alone_and_the_good_blog_loads(home):
    feed = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "deep", "items": [{"id": "1", '
        '"content_text": "hi", "_x": ' + _deep_json() + "}]}"
    )
    with FakeBlog() as deep, FakeBlog() as healthy:
        deep.static["/feed.json"] = (feed.encode(), "application/feed+json")
        report = collect_blogs(
            [blog(deep, "deep", feed="/feed.json"), blog(healthy, "healthy")], home, client=fast_client()
        )
    bad, ok = report.runs
    assert len(bad.failures) == 1 and "nested deeper than" in bad.failures[0], bad.failures
    assert deep.url("/feed.json") in bad.failures[0]
    assert ok.failures == [] and ok.documents == 1 + len(healthy.dataset.posts)


def test_a_deep_archive_item_keeps_the_items_before_it(home, cli, tmp_path):
    source = (REALDATA / "x_archive" / "tweets.js").read_text("utf-8")
    prefix, array = source.split("=", 1)
    items = json.loads(array)
    folder = tmp_path / "archive" / "data"
    folder.mkdir(parents=True)
    body = ",\n".join([json.dumps(items[0]), _deep_json(), *map(json.dumps, items[1:])])
    (folder / "tweets.js").write_text(f"{prefix}= [\n{body}\n]")
    result = cli(home, "import", "x-archive", str(folder.parent), "--account-id", "42")
    assert result.code == 3, result
    assert "tweets.js: item 2 is nested deeper than" in result.out
    assert scalar(home, "SELECT count(*) FROM core.tweets") == 1  # the item before the deep one


def test_a_deep_wxr_export_is_quarantined(home, cli, tmp_path):
    path = tmp_path / "deep.xml"
    path.write_text(
        '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        + "<item><title>deep</title>"
        + "<x>" * LEVELS  # walking this item recursively would raise RecursionError
        + "</x>" * LEVELS
        + "</item></channel></rss>"
    )
    result = cli(home, "import", "wxr", str(path), "--site", "deep")
    assert result.code in (1, 3), result
    reasons = [r[0] for r in query(home, "SELECT reason FROM meta.quarantine")]
    assert any("nested deeper than" in r for r in reasons), reasons
