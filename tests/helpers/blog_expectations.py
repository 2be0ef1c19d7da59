"""What the real blog samples contain, computed straight from their bytes without tiemeter or feedparser.

Feeds are read with regular expressions (several real samples are not well-formed XML, so a strict
parser cannot be the yardstick); exports with xml.etree; WordPress REST samples with json.

Rules:
- a feed entry is an ``<item>`` or ``<entry>`` element; a post is an entry with a link (RSS ``<link>``,
  FeedBurner's ``origLink``, or an Atom ``alternate`` link), counted once per distinct link;
- a comment is an entry of a comment feed, counted once per distinct guid (``<guid>`` / ``<id>``);
- a pingback is a comment whose text is WordPress's "[…] excerpt […]".
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

_BLOCK = re.compile(r"<(item|entry)[\s>].*?</\1>", re.S)
_RSS_LINK = re.compile(r"<link>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</link>", re.S)
_ORIG_LINK = re.compile(r"<feedburner:origLink>(.*?)</feedburner:origLink>", re.S)
_ATOM_LINK = re.compile(r"<link\b([^>]*)/?>", re.S)
_GUID = re.compile(r"<(guid|id)\b[^>]*>(.*?)</\1>", re.S)
_TEXT = re.compile(r"<(description|content:encoded|content)\b[^>]*>(.*?)</\1>", re.S)
_PINGBACK = re.compile(r"^\s*(<p>)?\s*\[(…|\.\.\.)\].*\[(…|\.\.\.)\]\s*(</p>)?\s*$", re.S)


def _unwrap(text: str) -> str:
    text = text.strip()
    if text.startswith("<![CDATA[") and text.endswith("]]>"):
        return text[9:-3]
    return html.unescape(text)


def feed_blocks(path: Path) -> list[str]:
    return [m.group(0) for m in _BLOCK.finditer(path.read_text("utf-8", errors="replace"))]


def entry_link(block: str) -> str | None:
    orig = _ORIG_LINK.search(block)
    if orig:
        return orig.group(1).strip()
    rss = _RSS_LINK.search(block)
    if rss and rss.group(1).strip():
        return rss.group(1).strip()
    for attrs in _ATOM_LINK.findall(block):
        rel = re.search(r"rel=['\"]([^'\"]+)", attrs)
        href = re.search(r"href=['\"]([^'\"]+)", attrs)
        if href and (rel is None or rel.group(1) == "alternate"):
            return html.unescape(href.group(1))
    return None


def feed_posts(path: Path) -> int:
    return len({link for link in map(entry_link, feed_blocks(path)) if link})


def feed_comments(path: Path) -> tuple[int, int]:
    """(comments, pingbacks) of a comment feed."""
    guids, pingbacks = set(), 0
    for block in feed_blocks(path):
        guid = _GUID.search(block)
        guids.add(guid.group(2).strip() if guid else entry_link(block))
        texts = [html.unescape(_unwrap(t)) for _, t in _TEXT.findall(block)]
        if texts and all(_PINGBACK.match(re.sub(r"<[^>]+>", "", t)) for t in texts):
            pingbacks += 1
    return len(guids), pingbacks


def rss_links(path: Path) -> set[str]:
    root = ET.parse(path).getroot()
    return {item.findtext("link").strip() for item in root.iter("item")}


def atom_alternate_links(path: Path) -> set[str]:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    links = set()
    for entry in ET.parse(path).getroot().iterfind("a:entry", ns):
        for link in entry.iterfind("a:link", ns):
            if link.get("rel", "alternate") == "alternate":
                links.add(link.get("href"))
    return links


def md5_email(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


# -- exports ---------------------------------------------------------------------------------------

WP_NS = {"wp": "http://wordpress.org/export/1.0/", "dc": "http://purl.org/dc/elements/1.1/"}


def wxr_expectations(path: Path) -> dict:
    """Posts (items with a link), approved comments by WordPress id (ids are unique per site)."""
    root = ET.parse(path).getroot()
    posts, comments = [], {}
    for item in root.iter("item"):
        link = (item.findtext("link") or "").strip()
        if not link:
            continue
        creator = (item.findtext("dc:creator", namespaces=WP_NS) or "").strip()
        posts.append(link)
        for c in item.iterfind("wp:comment", WP_NS):
            if (c.findtext("wp:comment_approved", namespaces=WP_NS) or "").strip() != "1":
                continue
            cid = c.findtext("wp:comment_id", namespaces=WP_NS).strip()
            comments[cid] = {
                "post": link,
                "parent": (c.findtext("wp:comment_parent", namespaces=WP_NS) or "0").strip(),
                "author": (c.findtext("wp:comment_author", namespaces=WP_NS) or "").strip(),
                "email_hash": md5_email(c.findtext("wp:comment_author_email", namespaces=WP_NS) or ""),
                "by_post_author": (c.findtext("wp:comment_author", namespaces=WP_NS) or "").strip()
                == creator,
            }
    return {"posts": posts, "comments": comments}


DSQ = "{http://disqus.com/disqus-internals}id"
DQ = "{http://disqus.com}"


def disqus_xml_expectations(path: Path) -> dict:
    """Threads with a link are posts; posts neither deleted nor spam, on such a thread, are comments."""
    root = ET.parse(path).getroot()
    threads = {}
    for t in root.iterfind(f"{DQ}thread"):
        link = (t.findtext(f"{DQ}link") or "").strip()
        if link:
            threads[t.get(DSQ)] = {
                "link": link,
                "username": (t.findtext(f"{DQ}author/{DQ}username") or "").strip(),
                "email": (t.findtext(f"{DQ}author/{DQ}email") or "").strip().lower(),
            }
    comments = {}
    for p in root.iterfind(f"{DQ}post"):
        if p.findtext(f"{DQ}isDeleted") == "true" or p.findtext(f"{DQ}isSpam") == "true":
            continue
        thread = threads.get(p.find(f"{DQ}thread").get(DSQ))
        if thread is None:
            continue
        username = (p.findtext(f"{DQ}author/{DQ}username") or "").strip()
        email = (p.findtext(f"{DQ}author/{DQ}email") or "").strip().lower()
        if thread["username"] and username:
            by_author = thread["username"].lower() == username.lower()
        else:
            by_author = bool(thread["email"]) and thread["email"] == email
        parent = p.find(f"{DQ}parent")
        comments[p.get(DSQ)] = {
            "post": thread["link"],
            "parent": parent.get(DSQ) if parent is not None else None,
            "username": username or None,
            "email_hash": md5_email(email) if email else None,
            "by_post_author": by_author,
        }
    return {"posts": [t["link"] for t in threads.values()], "comments": comments}


def wp_rest_items(path: Path) -> list[dict]:
    value = json.loads(path.read_text("utf-8"))
    return value if isinstance(value, list) else [value]
