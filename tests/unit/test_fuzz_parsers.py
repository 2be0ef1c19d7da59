"""Property tests (Hypothesis) for every parser of outside input.

Each generated input must give a clean load, a partial load with its bad lines quarantined, or one
clear refusal naming the file (or URL) - never a traceback, and never a silently wrong row. Inputs
are valid documents built from the shapes of the real samples (twarc2 pages, an X archive's
``tweets.js``, RSS/Atom/JSON feeds, WXR and Disqus exports, a conversions CSV) and mutations of them:
truncation, wrong types, huge integers, deep nesting, NUL bytes, odd encodings, garbage bytes.

The expected values are the generator's own (what it put in the document), never the parser's.
Inputs that once failed are kept as ``@example`` regression cases. Examples are few, derandomized
and without a database, so that the module runs in CI in well under a minute; set
``TIEMETER_FUZZ=deep`` for a longer run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path

import orjson
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tiemeter.collectors.conversions_import import import_conversions_file
from tiemeter.collectors.export_import import DISQUS_XML, WXR, import_export
from tiemeter.collectors.feed_parse import REFUSALS, parse_feed
from tiemeter.collectors.feeds import comment_feeds, guess_kind, next_page_url
from tiemeter.collectors.twarc_import import import_twarc_file
from tiemeter.collectors.x_archive import import_x_archive
from tiemeter.landing import PROVENANCE_KEY, QUARANTINE_RESOURCE

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("deep", parent=settings.get_profile("ci"), max_examples=1000, derandomize=False)
FUZZ = settings.get_profile(os.environ.get("TIEMETER_FUZZ", "ci"))

RUN_ID = "fuzz-run"


# -- helpers --------------------------------------------------------------------------------------


def _landed(result) -> tuple[list[dict], list[dict]]:
    """(data lines, quarantine lines) of an import, parsed."""
    data, quarantined = [], []
    for path in result.landed:
        lines = [orjson.loads(line) for line in Path(path).read_bytes().splitlines() if line.strip()]
        (quarantined if QUARANTINE_RESOURCE in Path(path).parts else data).extend(lines)
    return data, quarantined


def _check_rejections(result, source: str) -> None:
    for rejection in result.rejected:
        assert rejection.source == source, rejection
        assert rejection.reason.strip(), rejection


def _mutate(data: bytes, how: str, at: int, extra: bytes) -> bytes:
    """One byte-level mutation of a document."""
    at = at % (len(data) + 1)
    if how == "truncate":
        return data[:at]
    if how == "insert":
        return data[:at] + extra + data[at:]
    if how == "overwrite":
        return data[:at] + extra + data[at + len(extra) :]
    if how == "nul":
        return data[:at] + b"\x00" + data[at:]
    if how == "latin1":
        return data.decode("utf-8", errors="replace").encode("latin-1", errors="replace")
    return data


MUTATIONS = st.tuples(
    st.sampled_from(["truncate", "insert", "overwrite", "nul", "latin1"]),
    st.integers(min_value=0, max_value=1 << 20),
    st.binary(min_size=1, max_size=12)
    | st.sampled_from([b"\xff\xfe", b"\xe9", b"<", b"{", b"]", b'"', b"\n", b"&bogus;", b"]]>"]),
)

WORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
PLAIN_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ÀéüñßØ漢字😀'\"&<>", min_size=1, max_size=30)
IDS = st.integers(min_value=1, max_value=(1 << 63) - 1).map(str)


def _deep(levels: int, open_: str, close: str) -> str:
    return open_ * levels + close * levels


# -- twarc lines ----------------------------------------------------------------------------------

TIMES = st.datetimes(min_value=dt.datetime(2006, 3, 21), max_value=dt.datetime(2030, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000Z")
)

BAD_FIELD_VALUES = st.sampled_from(
    [None, 12, 1 << 70, -1, "", "abc", "yesterday", [], {}, "1" * 25, 1.5, True]
)


@st.composite
def twarc_tweet(draw):
    """A tweet as X sends it (fields of ../shared/realdata/x_api_v2), maybe with one bad field."""
    tweet = {
        "id": draw(IDS),
        "author_id": draw(IDS),
        "created_at": draw(TIMES),
        "text": draw(WORDS),
        "lang": draw(st.sampled_from(["en", "und", "fr"])),
        "conversation_id": draw(IDS),
        "public_metrics": {
            "retweet_count": draw(st.integers(0, 10**6)),
            "reply_count": draw(st.integers(0, 10**6)),
            "like_count": draw(st.integers(0, 10**6)),
            "quote_count": draw(st.integers(0, 10**6)),
        },
        "edit_history_tweet_ids": [],
    }
    tweet["edit_history_tweet_ids"] = [tweet["id"]]
    valid = True
    if draw(st.integers(0, 4)) == 0:
        field = draw(st.sampled_from(["id", "author_id", "created_at"]))
        bad = draw(BAD_FIELD_VALUES)
        if bad is None and draw(st.booleans()):
            del tweet[field]
        else:
            tweet[field] = bad
        valid = False
    if draw(st.integers(0, 6)) == 0:
        # a count the warehouse cannot hold (BIGINT): the whole line is refused
        tweet["public_metrics"]["like_count"] = draw(st.sampled_from([1 << 64, 1 << 70, -(1 << 65), 10**30]))
        valid = False
    return tweet, valid


@st.composite
def twarc_line(draw):
    """(bytes of one line, tweets it carries, whether it must land)."""
    shape = draw(st.sampled_from(["page", "page", "flat", "deep", "garbage", "scalar"]))
    if shape == "deep":
        return _deep(draw(st.integers(1100, 3000)), "[", "]").encode(), [], False
    if shape == "garbage":
        return draw(st.binary(min_size=1, max_size=60)).replace(b"\n", b" "), [], None
    if shape == "scalar":
        return draw(st.sampled_from([b"1", b'"x"', b"null", b"[]", b"true"])), [], False
    tweets = draw(st.lists(twarc_tweet(), min_size=1, max_size=3))
    valid = all(ok for _, ok in tweets)
    docs = [t for t, _ in tweets]
    if shape == "flat":
        doc = {**docs[0], "author": {"id": str(docs[0].get("author_id")), "username": "someone"}}
        docs = docs[:1]
        valid = tweets[0][1]
    else:
        doc = {
            "data": docs,
            "includes": {"users": [{"id": "1", "username": "u", "name": draw(WORDS)}]},
            "meta": {"result_count": len(docs)},
        }
    doc["__twarc"] = {"url": "https://api.twitter.com/2/tweets/search/recent?q=x", "version": "2.14.0"}
    raw = json.dumps(doc, ensure_ascii=draw(st.booleans())).encode()
    if draw(st.integers(0, 5)) == 0:
        how, at, extra = draw(MUTATIONS)
        mutated = _mutate(raw, how, at, extra).replace(b"\n", b" ")
        if mutated != raw:
            return mutated, docs, None  # may or may not still be usable: not a silent wrong row either way
    return raw, docs, valid


@FUZZ
@given(st.lists(twarc_line(), min_size=1, max_size=6), st.sampled_from([b"\n", b"\r\n"]), st.booleans())
@example(  # an integer over 2^64 once aborted the whole file, naming no file or line
    [
        (
            b'{"data":[{"id":"1","author_id":"2","created_at":"2021-05-18T19:24:56.000Z","text":"hi",'
            b'"public_metrics":{"like_count":' + str(1 << 70).encode() + b"}}]}",
            [],
            False,
        )
    ],
    b"\n",
    True,
)
@example(  # found: 2^64 passed simdjson's check (NUMBER_ERROR, not BIGINT_ERROR) and landed as a float
    [
        (
            b'{"id":"1","author_id":"1","created_at":"2006-03-21T00:00:00.000Z","text":"",'
            b'"public_metrics":{"like_count":18446744073709551616}}',
            [],
            False,
        )
    ],
    b"\n",
    False,
)
@example(  # a number past a double's range: refused as out of range, not as garbage
    [(b'{"id":"1","author_id":"1","created_at":"2006-03-21T00:00:00.000Z","text":"","n":1e999}', [], False)],
    b"\n",
    True,
)
def test_twarc_lines_land_intact_or_are_quarantined(lines, newline, final_newline):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tweets.jsonl"
        path.write_bytes(newline.join(raw for raw, _, _ in lines) + (newline if final_newline else b""))
        result = import_twarc_file(path, Path(tmp) / "landing", RUN_ID)
        _check_rejections(result, str(path))
        data, quarantined = _landed(result)

        landed = {row[PROVENANCE_KEY]["source_line"]: row for row in data}
        rejected_lines = {r.line for r in result.rejected}
        assert len(quarantined) == len(result.rejected)
        assert result.items == len(data)
        whole_file = None in rejected_lines
        for number, (raw, tweets, must_land) in enumerate(lines, 1):
            if not raw.strip(b" \t\r"):
                continue  # blank lines are skipped, as JSONL readers do
            if whole_file:
                assert number not in landed
                continue
            # each line lands or is quarantined, never both and never neither
            assert (number in landed) != (number in rejected_lines), (number, raw[:200])
            if must_land is True:
                assert number in landed, [r.message() for r in result.rejected]
            if must_land is False:
                assert number in rejected_lines, raw[:200]
            if number in landed and must_land is not None:
                row = landed[number]
                got = row.get("data", [row])
                assert [(t["id"], t["author_id"], t["text"]) for t in got] == [
                    (t["id"], t["author_id"], t["text"]) for t in tweets
                ]


# -- X archive ------------------------------------------------------------------------------------


@st.composite
def archive_item(draw):
    """An item of ``data/tweets.js`` (shape of ../shared/realdata/x_archive/tweets.js)."""
    tweet = {
        "id": draw(IDS),
        "id_str": "",
        "full_text": draw(WORDS),
        "created_at": "Sat Feb 18 19:45:15 +0000 2023",
        "favorite_count": str(draw(st.integers(0, 10**6))),
        "retweet_count": str(draw(st.integers(0, 10**6))),
        "entities": {"hashtags": [], "user_mentions": [], "urls": []},
        "display_text_range": ["0", "20"],
    }
    tweet["id_str"] = tweet["id"]
    kind = draw(st.sampled_from(["ok", "ok", "ok", "not_object", "huge_int", "surrogate", "deep"]))
    if kind == "not_object":
        return draw(st.sampled_from(['"tweet"', "1", "null", '{"tweet": 5}', "[]"])), None
    text = json.dumps(
        {"tweet": tweet}, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))
    )
    if kind == "huge_int":
        return text.replace('"favorite_count"', f'"favorite_big": {1 << 70}, "favorite_count"', 1), None
    if kind == "surrogate":  # a lone surrogate escape: valid JSON text, but no UTF-8 string
        return text.replace('"full_text": "', '"full_text": "\\ud800', 1), None
    if kind == "deep":
        return '{"tweet": {"x": ' + _deep(draw(st.integers(101, 2500)), "[", "]") + "}}", None
    return text, tweet


@st.composite
def account_js(draw):
    item = draw(
        st.sampled_from(
            [
                '{"account": {"accountId": "322603863", "username": "owner"}}',
                '{"account": "322603863"}',
                "5",
                '"account"',
                "[1, 2]",
                '{"account": {"accountId": 322603863}}',
            ]
        )
    )
    return f"window.YTD.account.part0 = [ {item} ]"


@FUZZ
@given(st.lists(archive_item(), min_size=0, max_size=5), account_js(), st.none() | MUTATIONS)
@example([('{"tweet": {"id": "1", "full_text": "x", "n": ' + str(1 << 70) + "}}", None)], "", None)
@example([('{"tweet": {"id": "1", "full_text": "\\ud800"}}', None)], "", None)
@example([], "window.YTD.account.part0 = [ 5 ]", None)
def test_x_archive_items_land_intact_or_are_quarantined(items, account, mutation):
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        body = "window.YTD.tweets.part0 = [ " + ", ".join(text for text, _ in items) + " ]"
        raw = body.encode()
        if mutation is not None:
            raw = _mutate(raw, *mutation)
        (data_dir / "tweets.js").write_bytes(raw)
        if account:
            (data_dir / "account.js").write_text(account)
        result = import_x_archive(Path(tmp), Path(tmp) / "landing", RUN_ID, account_id="322603863")
        for rejection in result.rejected:  # each refusal names the file it is about
            assert rejection.source in (str(data_dir / "tweets.js"), str(Path(tmp))), rejection
            assert rejection.reason.strip()
        data, quarantined = _landed(result)
        assert len(quarantined) == len(result.rejected)
        by_item = {row[PROVENANCE_KEY]["source_line"]: row for row in data}
        if mutation is None:
            whole = any(r.line is None for r in result.rejected)
            rejected_items = {r.line for r in result.rejected}
            for number, (_, tweet) in enumerate(items, 1):
                if tweet is None:
                    assert number not in by_item, by_item[number]
                    continue
                if whole and number not in by_item:
                    # an item that stops the file (too deep): no item after it lands, the file is named
                    assert all(n < number for n in by_item)
                    continue
                assert number in by_item, [r.message() for r in result.rejected]
                assert number not in rejected_items
                got = by_item[number]["tweet"]
                assert (got["id"], got["full_text"]) == (tweet["id"], tweet["full_text"])
        for row in data:  # whatever landed is what some item said, never an invented row
            assert isinstance(row.get("tweet"), dict)


# -- RSS / Atom / JSON feeds ------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def feed_items(draw):
    n = draw(st.integers(1, 4))
    return [
        {
            "title": draw(PLAIN_WORDS),
            "link": f"https://blog.example/{draw(st.integers(0, 10**9))}/{i}",
            "author": draw(PLAIN_WORDS),
            "body": draw(PLAIN_WORDS),
        }
        for i in range(n)
    ]


def rss(items) -> bytes:
    body = "".join(
        f"<item><title>{_xml_text(i['title'])}</title><link>{i['link']}</link><guid>{i['link']}</guid>"
        f"<dc:creator>{_xml_text(i['author'])}</dc:creator><description>{_xml_text(i['body'])}</description>"
        "<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate>"
        f"<wfw:commentRss>{i['link']}/feed/</wfw:commentRss></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wfw="http://wellformedweb.org/CommentAPI/">'
        f"<channel><title>t</title><link>https://blog.example/</link>{body}</channel></rss>"
    ).encode()


def atom(items) -> bytes:
    body = "".join(
        f"<entry><title>{_xml_text(i['title'])}</title><link rel='alternate' href='{i['link']}'/>"
        f"<id>{i['link']}</id><author><name>{_xml_text(i['author'])}</name></author>"
        f"<content type='html'>{_xml_text(i['body'])}</content>"
        "<published>2010-01-01T10:00:00Z</published></entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>t</title><link href='https://blog.example/'/><id>urn:x</id>{body}</feed>"
    ).encode()


def json_feed(items) -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "title": "t",
            "home_page_url": "https://blog.example/",
            "items": [
                {
                    "id": i["link"],
                    "url": i["link"],
                    "title": i["title"],
                    "content_html": i["body"],
                    "author": {"name": i["author"]},
                    "date_published": "2010-02-07T14:04:00-05:00",
                }
                for i in items
            ],
        }
    ).encode()


ODD_JSON_FEED_VALUES = st.sampled_from(
    [5, "x", None, [], {}, {"a": 1}, [5], 1 << 70, 1.5, True, ["a", 1, None]]
)


@st.composite
def json_feed_wrong_types(draw):
    """A JSON Feed item with one field of the wrong type (tags a number, authors an object, ...)."""
    field = draw(
        st.sampled_from(
            [
                "tags",
                "authors",
                "author",
                "date_published",
                "date_modified",
                "url",
                "id",
                "title",
                "content_html",
            ]
        )
    )
    item = {"id": "1", "url": "https://blog.example/1", "title": "t", field: draw(ODD_JSON_FEED_VALUES)}
    where = draw(st.sampled_from(["item", "feed"]))
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [item]}
    if where == "feed" and field in ("authors", "author"):
        doc[field] = item.pop(field)
    return json.dumps(doc).encode()


@st.composite
def feed_document(draw):
    """(bytes, the items a clean parse must give, or None when mutated)."""
    items = draw(feed_items())
    kind = draw(st.sampled_from(["rss", "atom", "json", "json_odd", "deep_json", "deep_xml", "bomb"]))
    if kind == "json_odd":
        return draw(json_feed_wrong_types()), None
    if kind == "deep_json":
        return b'{"version": "https://jsonfeed.org/version/1", "items": ' + _deep(
            draw(st.integers(200, 3000)), "[", "]"
        ).encode() + b"}", None
    if kind == "deep_xml":
        depth = draw(st.integers(200, 3000))
        return (
            "<rss><channel><item>"
            + _deep(depth, "<a>", "</a>").replace("></", "></")
            + "</item></channel></rss>"
        ).encode(), None
    if kind == "bomb":
        return (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(
                b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">' % ((98 + i,) + (97 + i,) * 10)
                for i in range(8)
            )
            + b"]><rss><channel><item><title>&i;</title></item></channel></rss>",
            None,
        )
    data = {"rss": rss, "atom": atom, "json": json_feed}[kind](items)
    mutation = draw(st.none() | MUTATIONS)
    if mutation is not None:
        mutated = _mutate(data, *mutation)
        if mutated != data:
            return mutated, None
    return data, items


def _check_feed_outcome(data: bytes, expected, source: str) -> None:
    try:
        parsed = parse_feed(data, source)
    except REFUSALS as refusal:
        assert expected is None, f"a valid feed was refused: {refusal}"
        assert str(refusal).startswith(source) or getattr(refusal, "reason", "")
        return
    # what lands must be storable, and the feed helpers must cope with whatever was parsed
    orjson.dumps(parsed.document)
    guess_kind(parsed)
    comment_feeds(parsed)
    next_page_url(parsed, source)
    if expected is not None:
        entries = parsed.entries
        assert [e.get("link") for e in entries] == [i["link"] for i in expected]
        # feedparser strips the whitespace around an RSS/Atom title (a JSON Feed's is kept as sent)
        assert [e.get("title").strip() for e in entries] == [i["title"].strip() for i in expected]


SPACE_TITLE = [{"title": " ", "link": "https://blog.example/0", "author": "<", "body": "<"}]


@FUZZ
@given(feed_document())
@example((json_feed(SPACE_TITLE), SPACE_TITLE))  # a JSON Feed keeps a blank title as sent
@example((b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "tags": 5}]}', None))
@example(
    (b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "date_published": 5}]}', None)
)
@example(
    (b'{"version": "https://jsonfeed.org/version/1", "authors": {"a": 1}, "items": [{"id": "1"}]}', None)
)
@example((b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "url": {"a": 1}}]}', None))
def test_feeds_parse_cleanly_or_are_refused_with_a_reason(case):
    data, expected = case
    _check_feed_outcome(data, expected, "https://blog.example/feed/")


# -- WXR and Disqus XML exports ---------------------------------------------------------------------


@st.composite
def wxr_export(draw):
    """A WordPress export (shape of ../shared/realdata/comments_api/wordpress_wxr_export_isso_fixture.xml)."""
    posts = []
    for p in range(draw(st.integers(1, 3))):
        comments = [
            {"id": str(p * 10 + c + 1), "author": draw(PLAIN_WORDS), "content": draw(PLAIN_WORDS)}
            for c in range(draw(st.integers(0, 3)))
        ]
        posts.append(
            {"title": draw(PLAIN_WORDS), "link": f"https://blog.example/?p={p}", "comments": comments}
        )
    items = "".join(
        f"<item><title>{_xml_text(p['title'])}</title><link>{p['link']}</link>"
        f"<wp:post_id>{i + 1}</wp:post_id><wp:post_type>post</wp:post_type>"
        + "".join(
            f"<wp:comment><wp:comment_id>{c['id']}</wp:comment_id>"
            f"<wp:comment_author><![CDATA[{c['author']}]]></wp:comment_author>"
            f"<wp:comment_content><![CDATA[{c['content']}]]></wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved></wp:comment>"
            for c in p["comments"]
        )
        + "</item>"
        for i, p in enumerate(posts)
    )
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel><title>Blog</title>'
        "<link>https://blog.example</link><wp:base_blog_url>https://blog.example</wp:base_blog_url>\n"
        f"{items}\n</channel></rss>\n"
    )
    return doc.encode(), posts


@st.composite
def disqus_export(draw):
    """A Disqus export (shape of ../shared/realdata/comments_api/disqus_export_isso_fixture.xml)."""
    posts = [
        {"id": str(1000 + n), "message": draw(PLAIN_WORDS), "name": draw(PLAIN_WORDS)}
        for n in range(draw(st.integers(1, 4)))
    ]
    body = "".join(
        f'<post dsq:id="{p["id"]}"><id /><message><![CDATA[{p["message"]}]]></message>'
        f"<createdAt>2013-10-10T19:20:29Z</createdAt><author><name>{_xml_text(p['name'])}</name></author>"
        '<thread dsq:id="2"/></post>\n'
        for p in posts
    )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="2"><id /><forum>f</forum><link>https://blog.example/post/</link>'
        "<title>T</title></thread>\n"
        f"{body}</disqus>\n"
    )
    return doc.encode(), posts


# an export left intact, mutated, or with a deep nest of elements spliced in before its last closing tag
EXPORT_DAMAGE = (st.none() | MUTATIONS, st.sampled_from([0, 0, 0, 150, 2000]))


def _export_case(fmt, key, generated, mutation, deep):
    """The landed records that hold ``key``, and the generated posts (None when the file was damaged)."""
    data, expected = generated
    if deep:
        cut = data.rindex(b"</")
        data = data[:cut] + _deep(deep, "<x>", "</x>").encode() + data[cut:]
        expected = None
    if mutation is not None:
        mutated = _mutate(data, *mutation)
        if mutated != data:
            data, expected = mutated, None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xml"
        path.write_bytes(data)
        result = import_export(fmt, path, Path(tmp) / "landing", RUN_ID, lambda url: "blog.example")
        _check_rejections(result, str(path))
        rows, quarantined = _landed(result)
        assert len(quarantined) == len(result.rejected)
        assert result.items == len(rows)
        for rejection in result.rejected:
            assert rejection.line is None or 1 <= rejection.line <= data.count(b"\n") + 1
        if expected is not None:
            assert not result.rejected, [r.message() for r in result.rejected]
        records = [row["record"] for row in rows]
        return [r for r in records if isinstance(r, dict) and key in r], expected


@FUZZ
@given(wxr_export(), *EXPORT_DAMAGE)
def test_wxr_comments_land_intact_or_the_file_is_quarantined(generated, mutation, deep):
    items, posts = _export_case(WXR, "wp:post_id", generated, mutation, deep)
    if posts is None:
        return
    assert [i["link"] for i in items] == [p["link"] for p in posts]
    for item, post in zip(items, posts, strict=True):
        got = [
            (c["wp:comment_id"], c["wp:comment_author"], c["wp:comment_content"])
            for c in item.get("wp:comment", [])
        ]
        assert got == [(c["id"], c["author"], c["content"]) for c in post["comments"]]


@FUZZ
@given(disqus_export(), *EXPORT_DAMAGE)
def test_disqus_posts_land_intact_or_the_file_is_quarantined(generated, mutation, deep):
    landed, posts = _export_case(DISQUS_XML, "message", generated, mutation, deep)
    if posts is not None:
        assert [(r["@dsq:id"], r["message"], r["author"]["name"]) for r in landed] == [
            (p["id"], p["message"], p["name"]) for p in posts
        ]


# -- conversions CSV --------------------------------------------------------------------------------


def _utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _grouped(integer: int, group: str) -> str:
    return f"{integer:,}".replace(",", group)


@st.composite
def amount_cell(draw):
    """(cell text, the amount a person reads in it, or None when it has no single reading)."""
    cents = draw(st.integers(0, 10**17 - 1) | st.integers(0, 10**6))
    value = Decimal(cents) / 100
    integer, fraction = divmod(cents, 100)
    sign = draw(st.sampled_from(["", "", "-", "+"]))
    style = draw(st.sampled_from(["plain", "dot", "dot_grouped", "comma", "comma_grouped", "arabic", "odd"]))
    if style == "odd":
        return draw(
            st.sampled_from(
                [
                    "NaN",
                    "Infinity",
                    "-inf",
                    "1e999999",
                    "1E5",
                    "1" * 30,
                    "",
                    "abc",
                    "١٢٣٤,٥٦٧",
                    "²",
                    "+-5",
                    "-+5",
                    "--5",
                    "++5",
                    "1.2.3",
                    "1,2,3",
                    "12.3456",
                    "0.125",
                    "1,250",
                    "1.250",
                    "5-",
                    "$5",
                    "0x10",
                    "1_000",
                    " ",
                    "٣٥,",
                    ".5",
                    ",5",
                ]
            )
        ), None
    negative = sign == "-" and cents != 0
    expected = -value if negative else value
    if style == "plain":
        text = str(integer)
        if fraction or draw(st.booleans()):
            text += f".{fraction:02d}"
        # an integer of 4 to 6 digits is fine; "1,250" would not be
    elif style == "dot":
        text = f"{integer}.{fraction:02d}"
    elif style == "dot_grouped":
        text = f"{_grouped(integer, ',')}.{fraction:02d}"
    elif style == "comma":
        text = f"{integer},{fraction:02d}"
    elif style == "comma_grouped":
        text = f"{_grouped(integer, '.')},{fraction:02d}"
    else:
        text = f"{integer}.{fraction:02d}".translate(ARABIC_INDIC)
    text = sign + text
    if value >= Decimal(10) ** 16:
        return text, None  # more digits than DECIMAL(18, 2) holds
    # a grouped number whose groups could be read as decimals ("1,250.00" is fine; "1.250" is not)
    return text, expected


@st.composite
def time_cell(draw):
    when = draw(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1)))
    offset_minutes = draw(st.sampled_from([0, 60, -300, 330]))
    tz = dt.timezone(dt.timedelta(minutes=offset_minutes))
    when = when.replace(microsecond=0, tzinfo=tz)
    form = draw(st.sampled_from(["extended", "basic", "z", "naive", "bad"]))
    if form == "bad":
        return draw(
            st.sampled_from(["yesterday", "", "2012-13-45T00:00:00Z", "14/12/2012", "1355509800", "T"])
        ), None
    if form == "naive":
        when = when.replace(tzinfo=dt.UTC)
        return when.strftime("%Y-%m-%dT%H:%M:%S"), when
    if form == "z":
        when = when.astimezone(dt.UTC)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ"), when
    if form == "basic":
        return when.strftime("%Y%m%dT%H%M%S%z"), when
    return when.isoformat(), when


@st.composite
def conversion_row(draw):
    amount, expected_amount = draw(amount_cell())
    occurred, expected_time = draw(time_cell())
    email = draw(st.sampled_from(["a@example.org", "b@example.org", "", "=cmd|' /C calc'!A0"]))
    name = draw(PLAIN_WORDS | st.just("N\x00L"))
    ok = expected_amount is not None and expected_time is not None and "\x00" not in name + email
    return [email, name, amount, "EUR", occurred], (expected_amount, expected_time) if ok else None


@FUZZ
@given(
    st.lists(conversion_row(), min_size=1, max_size=8),
    st.sampled_from(["none", "huge_cell", "latin1", "garbage"]),
)
@example([(["a@example.org", "A", "+-5", "EUR", "2012-12-14T18:30:00Z"], None)], "none")  # landed as 5
@example([(["a@example.org", "A", "12.3456", "EUR", "2012-12-14T18:30:00Z"], None)], "none")  # as 12.35
@example(  # a cell over the csv module's field limit once raised _csv.Error out of the import
    [
        (
            ["a@example.org", "A", "10", "EUR", "2012-12-14T18:30:00Z"],
            (Decimal(10), _utc(2012, 12, 14, 18, 30)),
        )
    ],
    "huge_cell",
)
def test_conversion_amounts_load_as_read_or_are_quarantined(rows, file_mutation):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["email", "name", "amount", "currency", "occurred_at"])
    for cells, _ in rows:
        writer.writerow(cells)
    text = buffer.getvalue()
    expectations = [expected for _, expected in rows]
    if file_mutation == "huge_cell":  # one cell over csv's field size limit, on the last line
        text += "x@example.org,X,10,EUR," + '"' + "y" * 200_000 + '"\n'
        expectations.append(None)
    data = text.encode()
    if file_mutation == "latin1":
        data = text.encode("latin-1", errors="replace") + "é\n".encode("latin-1")
    if file_mutation == "garbage":
        data += b"\xff\xfe\x00,\x80\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "conversions.csv"
        path.write_bytes(data)
        result = import_conversions_file(path, Path(tmp) / "landing", RUN_ID)
        _check_rejections(result, str(path))
        landed, quarantined = _landed(result)
        assert len(quarantined) == len(result.rejected)
        if any(r.line is None for r in result.rejected):  # refused whole (an encoding it is not in)
            assert not landed and file_mutation in ("latin1", "garbage")
            return
        by_line = {row["line"]: row for row in landed}
        # with csv.writer, one row per line after the header, unless a cell holds a line break
        if all("\n" not in "".join(cells) and "\r" not in "".join(cells) for cells, _ in rows):
            rejected = {r.line for r in result.rejected}
            for number, expected in enumerate(expectations, 2):
                assert (number in by_line) != (number in rejected), number
                if expected is None:
                    assert number not in by_line, by_line.get(number)
                    continue
                assert number in by_line, [r.message() for r in result.rejected]
                amount, when = expected
                parsed = by_line[number]["parsed"]
                assert Decimal(parsed["amount"]) == amount
                assert parsed["occurred_at"] == when.astimezone(dt.UTC).isoformat()


# -- through the warehouse (a few examples: each runs import, load and build) ------------------------

WAREHOUSE = settings(FUZZ, max_examples=min(FUZZ.max_examples, 4))


@st.composite
def warehouse_twarc_file(draw):
    """(file text, the (id, author_id, text) of every tweet that must reach core.tweets)."""
    lines, expected = [], set()
    for n in range(draw(st.integers(1, 4))):
        tweet_id, author = str(1_500_000_000_000_000_000 + n), str(draw(st.integers(1, 10**12)))
        text = draw(WORDS)
        tweet = {
            "id": tweet_id,
            "author_id": author,
            "created_at": draw(TIMES),
            "text": text,
            "edit_history_tweet_ids": [tweet_id],
            "public_metrics": {"like_count": draw(st.integers(0, 10**6)), "retweet_count": 0},
        }
        spoil = draw(st.sampled_from(["none", "none", "author_null", "huge_count", "time", "truncate"]))
        if spoil == "author_null":
            tweet["author_id"] = None
        elif spoil == "huge_count":
            tweet["public_metrics"]["like_count"] = draw(st.sampled_from([1 << 64, 1 << 70]))
        elif spoil == "time":
            tweet["created_at"] = "yesterday"
        page = {"data": [tweet], "includes": {"users": [{"id": author, "username": f"u{n}", "name": "U"}]}}
        line = json.dumps(page, ensure_ascii=draw(st.booleans()))
        if spoil == "truncate":
            line = line[: draw(st.integers(1, len(line) - 1))]
        if spoil == "none":
            expected.add((tweet_id, author, text))
        lines.append(line)
    return "\n".join(lines) + "\n", expected


@WAREHOUSE
@given(warehouse_twarc_file())
def test_twarc_tweets_reach_the_warehouse_intact_or_not_at_all(generated):
    from support import query, run_cli

    from tiemeter.settings import Home

    text, expected = generated
    with tempfile.TemporaryDirectory() as tmp:
        home = Home.resolve(Path(tmp) / "home").ensure()
        path = Path(tmp) / "tweets.jsonl"
        path.write_text(text, encoding="utf-8")
        result = run_cli(home, "import", "twarc", str(path))
        # 0: all landed, 3: some lines quarantined, 1: nothing could be imported
        assert result.code in ((0, 3) if expected else (1, 3)), result
        assert "Traceback" not in result.out + result.err
        got = set(query(home, "SELECT tweet_id, author_id, text FROM core.tweets"))
        assert got == expected


@WAREHOUSE
@given(st.lists(conversion_row(), min_size=1, max_size=5))
def test_conversion_amounts_reach_the_warehouse_as_read(rows):
    from support import query, run_cli

    from tiemeter.settings import Home

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["email", "name", "amount", "currency", "occurred_at"])
    for cells, _ in rows:
        writer.writerow(cells)
    with tempfile.TemporaryDirectory() as tmp:
        home = Home.resolve(Path(tmp) / "home").ensure()
        path = Path(tmp) / "conversions.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        result = run_cli(home, "import", "conversions", str(path))
        wanted = [expected for _, expected in rows if expected]
        assert result.code in ((0, 3) if wanted else (1, 3)), result
        assert "Traceback" not in result.out + result.err
        got = sorted(query(home, "SELECT amount, occurred_at FROM core.conversions"))
        want = sorted(wanted)
        assert [(Decimal(a), w.astimezone(dt.UTC)) for a, w in got] == [
            (a, w.astimezone(dt.UTC)) for a, w in want
        ]
