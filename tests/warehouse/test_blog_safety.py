"""Parsing untrusted XML safely: the DOCTYPE goes, entity bombs are refused, nothing is read from disk."""

from __future__ import annotations

import codecs
import time

import pytest
from support import REALDATA, query, scalar

from tiemeter.collectors.feed_parse import FeedRejected, parse_feed
from tiemeter.collectors.xml_safety import EntityExpansionRefused, find_doctype, make_safe

RSS = '<rss version="2.0"><channel><title>t</title><item><title>{title}</title><link>http://b.example/1</link></item></channel></rss>'


def test_small_declared_entities_are_expanded_and_the_doctype_removed():
    doc = f'<?xml version="1.0"?>\n<!-- a [comment] -->\n<!DOCTYPE rss [\n<!ENTITY who "Ann &amp; Bob">\n<!ENTITY greeting "Hi &who;!">\n]>\n{RSS}'
    safe = make_safe(doc.format(title="&greeting; &#169; &amp;").encode(), "test")
    assert safe.doctype_removed and b"DOCTYPE" not in safe.data and safe.entities_expanded == 1
    parsed = parse_feed(doc.format(title="&greeting; &#169; &amp;").encode(), "test")
    assert parsed.entries[0]["title"] == "Hi Ann & Bob! © &"
    assert not parsed.document["bozo"]


def test_nested_entities_over_the_budget_are_refused_quickly():
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doc = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{levels}]>' + RSS.format(title="&l9;")
    started = time.monotonic()
    with pytest.raises(EntityExpansionRefused, match="entity-expansion bomb"):
        parse_feed(doc.encode(), "http://b.example/feed/")
    assert time.monotonic() - started < 1


def test_a_utf16_bomb_is_seen_too():
    doc = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE rss [<!ENTITY a "' + "A" * 5000 + '">]>'
    doc += RSS.format(title="&a;" * 1000)
    with pytest.raises(EntityExpansionRefused):
        make_safe(codecs.BOM_UTF16_LE + doc.encode("utf-16-le"), "utf16")


def test_external_entities_are_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    doc = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY s SYSTEM "file://{secret}">]>' + RSS.format(
        title="x&s;"
    )
    parsed = parse_feed(doc.encode(), "test")
    assert "top secret" not in str(parsed.document)


def test_a_body_that_looks_like_a_path_is_not_read_from_disk(tmp_path):
    feed = tmp_path / "local-feed.xml"
    feed.write_text(RSS.format(title="read from disk"))
    with pytest.raises(FeedRejected, match="not an RSS, Atom or JSON feed"):
        parse_feed(str(feed).encode(), "http://hostile.example/feed/")


def test_the_doctype_is_found_only_in_the_prolog():
    assert find_doctype(b'<?xml version="1.0"?><rss><!DOCTYPE x></rss>') is None
    data = (
        b'<?xml version="1.0"?><!-- <!DOCTYPE no> --><!DOCTYPE rss SYSTEM "a>b.dtd" [<!ENTITY x "]>">]><rss/>'
    )
    start, end = find_doctype(data)
    assert data[start:end] == b'<!DOCTYPE rss SYSTEM "a>b.dtd" [<!ENTITY x "]>">]>'


def test_a_truncated_export_lands_what_came_before_and_quarantines_the_rest(home, cli, tmp_path):
    source = (REALDATA / "comments_api" / "wordpress_wxr_export_isso_fixture.xml").read_text("utf-8")
    cut = source.index("<!-- handle ?p=X urls -->")
    path = tmp_path / "cut.xml"
    path.write_text(source[:cut] + "<item><title>half")
    line = source[:cut].count("\n") + 1
    result = cli(home, "import", "wxr", str(path), "--site", "isso")
    assert result.code == 3, result
    # the first item was complete: its comments are in
    assert scalar(home, "SELECT count(*) FROM core.blog_comments") == source[:cut].count("<wp:comment>")
    reason = query(home, "SELECT source_line, reason FROM meta.quarantine")
    assert reason[0][0] == line and "not well-formed XML" in reason[0][1]


def test_an_export_declaring_a_bomb_is_refused(home, cli, tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "A" * 10_000 + '">]>'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>'
        + "&a;" * 10_000
        + "</title><link>http://b.example/1</link></item></channel></rss>"
    )
    result = cli(home, "import", "wxr", str(path), "--site", "x")
    assert result.code == 1 and "entity-expansion bomb" in result.err
