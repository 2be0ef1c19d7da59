"""What the fake blog sends: WordPress-style RSS and Atom feeds, WordPress REST JSON, Disqus API JSON.

The shapes follow what WordPress (5.x) and Disqus (API 3.0) really send, reduced to the fields a
collector reads: ``wfw:commentRss`` and ``slash:comments`` in RSS, ``rel="replies"`` links with
``thr:count`` and ``thr:in-reply-to`` in Atom, "In reply to" lines in RSS comment text, pingbacks
written "[…] excerpt […]", guids ``?p=N#comment-M``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from tiemeter.demo.blog_dataset import BlogDataset, Comment, Post

NS = (
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
)
ATOM_NS = 'xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0"'
GENERATOR = "https://wordpress.org/?v=5.7.2"


def rfc822(ts: datetime) -> str:
    return format_datetime(ts, usegmt=True)


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def wp_local(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S")


class Site:
    """URLs of one dataset under one base URL."""

    def __init__(self, data: BlogDataset, base: str):
        self.data, self.base = data, base.rstrip("/")

    def post_url(self, post: Post) -> str:
        return self.base + post.path

    def post_guid(self, post: Post) -> str:
        return f"{self.base}/?p={post.id}"

    def comment_guid(self, comment: Comment) -> str:
        return f"{self.base}/?p={comment.post}#comment-{comment.id}"

    def comment_link(self, comment: Comment) -> str:
        post = self.data.post(comment.post)
        return f"{self.post_url(post) if post else self.base + '/'}#comment-{comment.id}"

    def content(self, comment: Comment) -> str:
        """The comment's text as WordPress stores it (pingbacks are "[…] excerpt […]")."""
        if comment.kind == "pingback":
            return f"[&#8230;] {escape(comment.text)} [&#8230;]"
        if comment.kind == "trackback":
            return f"<strong>{escape(comment.author_name)}</strong>\n\n{escape(comment.text)}"
        return comment.text if comment.text.lstrip().startswith("<") else f"<p>{escape(comment.text)}</p>"

    def posts_newest_first(self, limit: int | None) -> list[Post]:
        return sorted(self.data.posts, key=lambda p: (p.published, p.id), reverse=True)[:limit]

    def comments_newest_first(self, comments: list[Comment], limit: int | None) -> list[Comment]:
        return sorted(comments, key=lambda c: (c.published, c.id), reverse=True)[:limit]


# -- RSS and Atom --------------------------------------------------------------------------------


def _feed_page(site: Site, limit: int | None, page: int, path: str) -> tuple[list[Post], str | None]:
    """One page of a paged posts feed (WordPress's ``?paged=N``) and the path of the next, if any."""
    posts = site.posts_newest_first(None)
    if not limit:
        return posts, None
    start = (page - 1) * limit
    more = start + limit < len(posts)
    return posts[start : start + limit], (f"{path}?paged={page + 1}" if more else None)


def rss_posts(site: Site, limit: int | None = None, page: int = 1) -> bytes:
    items = []
    posts, next_path = _feed_page(site, limit, page, "/feed/")
    for post in posts:
        url = site.post_url(post)
        author = site.data.user(post.author).name
        items.append(
            f"""<item>
<title>{escape(post.title)}</title>
<link>{escape(url)}</link>
<comments>{escape(url)}#comments</comments>
<dc:creator>{escape(author)}</dc:creator>
<pubDate>{rfc822(post.published)}</pubDate>
<guid isPermaLink="false">{escape(site.post_guid(post))}</guid>
<description>{escape(post.title)}</description>
<content:encoded>{escape(post.text)}</content:encoded>
<wfw:commentRss>{escape(url)}feed/</wfw:commentRss>
<slash:comments>{len(site.data.comments_of(post.id))}</slash:comments>
</item>"""
        )
    return _rss(site, site.data.title, "/feed/", items, next_path)


def _comment_listing(site: Site, post: Post | None, limit: int | None):
    """A comments feed's comments, newest first, each with the post it is on and its parent comment."""
    comments = site.data.comments_of(post.id) if post else site.data.comments
    for comment in site.comments_newest_first(comments, limit):
        parent = site.data.comment(comment.parent) if comment.parent else None
        yield comment, site.data.post(comment.post), parent


def rss_comments(site: Site, post: Post | None, limit: int | None = None) -> bytes:
    items = []
    for comment, on, parent in _comment_listing(site, post, limit):
        title = (
            f"By: {comment.author_name}"
            if post
            else f"Comment on {on.title if on else ''} by {comment.author_name}"
        )
        text = site.content(comment)
        if parent:
            reply = f'<a href="{escape(site.comment_link(parent))}">{escape(parent.author_name)}</a>'
            text = f"<p>In reply to {reply}.</p>\n{text}"
        items.append(
            f"""<item>
<title>{escape(title)}</title>
<link>{escape(site.comment_link(comment))}</link>
<dc:creator>{escape(comment.author_name)}</dc:creator>
<pubDate>{rfc822(comment.published)}</pubDate>
<guid isPermaLink="false">{escape(site.comment_guid(comment))}</guid>
<description>{escape(text)}</description>
<content:encoded>{escape(text)}</content:encoded>
</item>"""
        )
    title = f"Comments on: {post.title}" if post else f"Comments for {site.data.title}"
    path = f"{post.path}feed/" if post else "/comments/feed/"
    return _rss(site, title, path, items)


def _next_link(tag: str, site: Site, next_path: str | None, media_type: str) -> str:
    """RFC 5005's link to the next page of a paged feed (``atom:link`` in RSS, ``link`` in Atom)."""
    if not next_path:
        return ""
    return f'<{tag} rel="next" type="{media_type}" href={quoteattr(site.base + next_path)} />\n'


def _rss(site: Site, title: str, path: str, items: list[str], next_path: str | None = None) -> bytes:
    body = "\n".join(items)
    paging = _next_link("atom:link", site, next_path, "application/rss+xml")
    return (
        f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" {NS}>
<channel>
<title>{escape(title)}</title>
<atom:link href={quoteattr(site.base + path)} rel="self" type="application/rss+xml" />
{paging}<link>{escape(site.base)}/</link>
<description>{escape(site.data.title)}</description>
<generator>{GENERATOR}</generator>
{body}
</channel>
</rss>
"""
    ).encode()


def atom_posts(site: Site, limit: int | None = None, page: int = 1) -> bytes:
    entries = []
    posts, next_path = _feed_page(site, limit, page, "/feed/atom/")
    for post in posts:
        url = site.post_url(post)
        count = len(site.data.comments_of(post.id))
        entries.append(
            f"""<entry>
<author><name>{escape(site.data.user(post.author).name)}</name></author>
<title type="html">{escape(post.title)}</title>
<link rel="alternate" type="text/html" href={quoteattr(url)} />
<id>{escape(site.post_guid(post))}</id>
<updated>{iso(post.modified)}</updated>
<published>{iso(post.published)}</published>
<content type="html">{escape(post.text)}</content>
<link rel="replies" type="text/html" href={quoteattr(url + "#comments")} thr:count="{count}" />
<link rel="replies" type="application/atom+xml" href={quoteattr(url + "feed/atom/")} thr:count="{count}" />
<thr:total>{count}</thr:total>
</entry>"""
        )
    return _atom(site, site.data.title, "/feed/atom/", entries, next_path)


def atom_comments(site: Site, post: Post | None, limit: int | None = None) -> bytes:
    entries = []
    for comment, on, parent in _comment_listing(site, post, limit):
        if parent:
            ref, href = site.comment_guid(parent), site.comment_link(parent)
        else:
            ref, href = (site.post_guid(on), site.post_url(on)) if on else (site.base, site.base)
        uri = f"<uri>{escape(comment.author_url)}</uri>" if comment.author_url else ""
        entries.append(
            f"""<entry>
<title>{escape("By: " + comment.author_name)}</title>
<link rel="alternate" href={quoteattr(site.comment_link(comment))} type="text/html" />
<author><name>{escape(comment.author_name)}</name>{uri}</author>
<id>{escape(site.comment_guid(comment))}</id>
<updated>{iso(comment.published)}</updated>
<published>{iso(comment.published)}</published>
<thr:in-reply-to ref={quoteattr(ref)} href={quoteattr(href)} type="text/html" />
<content type="html">{escape(site.content(comment))}</content>
</entry>"""
        )
    title = f"Comments on: {post.title}" if post else f"Comments for {site.data.title}"
    path = f"{post.path}feed/atom/" if post else "/comments/feed/atom/"
    return _atom(site, title, path, entries)


def _atom(site: Site, title: str, path: str, entries: list[str], next_path: str | None = None) -> bytes:
    body = "\n".join(entries)
    paging = _next_link("link", site, next_path, "application/atom+xml")
    return (
        f"""<?xml version="1.0" encoding="UTF-8"?><feed {ATOM_NS}>
<title type="text">{escape(title)}</title>
<id>{escape(site.base + path)}</id>
<updated>{iso(max((p.modified for p in site.data.posts), default=datetime(2000, 1, 1)))}</updated>
<link rel="alternate" type="text/html" href={quoteattr(site.base + "/")} />
<link rel="self" type="application/atom+xml" href={quoteattr(site.base + path)} />
{paging}<generator uri="https://wordpress.org/" version="5.7.2">WordPress</generator>
{body}
</feed>
"""
    ).encode()


# -- WordPress REST ------------------------------------------------------------------------------


def wp_post(site: Site, post: Post, embed: bool) -> dict[str, Any]:
    url = site.post_url(post)
    item: dict[str, Any] = {
        "id": post.id,
        "date": wp_local(post.published),
        "date_gmt": wp_local(post.published),
        "guid": {"rendered": site.post_guid(post)},
        "modified": wp_local(post.modified),
        "modified_gmt": wp_local(post.modified),
        "slug": post.slug,
        "status": "publish",
        "type": "post",
        "link": url,
        "title": {"rendered": escape(post.title)},
        "content": {"rendered": post.text, "protected": False},
        "author": post.author,
        "comment_status": "open",
        "_links": {
            "replies": [{"embeddable": True, "href": f"{site.base}/wp-json/wp/v2/comments?post={post.id}"}]
        },
    }
    if embed:
        user = site.data.user(post.author)
        item["_embedded"] = {"author": [{"id": user.id, "name": user.name, "slug": user.name.lower()}]}
    return item


def wp_comment(site: Site, comment: Comment) -> dict[str, Any]:
    avatar = f"https://secure.gravatar.com/avatar/{comment.email_hash}?s=%d&d=mm&r=g"
    return {
        "id": comment.id,
        "post": comment.post,
        "parent": comment.parent or 0,
        "author": comment.user_id,
        "author_name": comment.author_name,
        "author_url": comment.author_url,
        "date": wp_local(comment.published),
        "date_gmt": wp_local(comment.published),
        "content": {"rendered": site.content(comment)},
        "link": site.comment_link(comment),
        "status": "approved",
        "type": comment.kind,
        "author_avatar_urls": {str(s): avatar % s for s in (24, 48, 96)},
    }


# -- Disqus API ----------------------------------------------------------------------------------


def disqus_user_id(username: str) -> str:
    return str(int(hashlib.sha1(username.encode()).hexdigest()[:12], 16))


def disqus_thread(site: Site, post: Post, forum: str) -> dict[str, Any]:
    author = site.data.user(post.author)
    return {
        "id": str(100000 + post.id),
        "forum": forum,
        "link": site.post_url(post),
        "title": post.title,
        "clean_title": post.title,
        "createdAt": wp_local(post.published),
        "author": disqus_user_id(author.disqus_username) if author.disqus_username else None,
        "posts": len([c for c in site.data.comments_of(post.id) if c.kind == "comment"]),
        "identifiers": [f"{post.id} {site.post_guid(post)}"],
        "isDeleted": False,
        "isClosed": False,
    }


def disqus_post(site: Site, comment: Comment, forum: str, with_thread: bool) -> dict[str, Any]:
    if comment.disqus_username:
        author = {
            "id": disqus_user_id(comment.disqus_username),
            "username": comment.disqus_username,
            "name": comment.author_name,
            "url": comment.author_url,
            "profileUrl": f"https://disqus.com/by/{comment.disqus_username}/",
            "isAnonymous": False,
            "isPrivate": False,
        }
    else:
        author = {"name": comment.author_name, "url": comment.author_url, "isAnonymous": True}
    post = site.data.post(comment.post)
    return {
        "id": str(comment.id),
        "parent": comment.parent,
        "thread": disqus_thread(site, post, forum) if with_thread and post else str(100000 + comment.post),
        "forum": forum,
        "createdAt": wp_local(comment.published),
        "message": site.content(comment),
        "raw_message": comment.text,
        "author": author,
        "isDeleted": False,
        "isSpam": False,
        "isApproved": True,
        "isEdited": False,
        "likes": 0,
        "dislikes": 0,
    }
