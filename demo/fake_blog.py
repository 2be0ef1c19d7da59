"""A fake blog on loopback: feeds, WordPress REST and the Disqus API, with ETag / Last-Modified and faults.

In a test::

    with FakeBlog(sample_dataset()) as blog:
        blog.url("/feed/")                     # http://127.0.0.1:<port>/feed/
        blog.faults["/feed/"] = "404"          # switch a fault on for one path
        blog.requests                          # what was asked, and what was answered

As a script: ``python -m tiemeter.demo.fake_blog [--dataset FILE.json] [--port N] [--fault PATH=FAULT ...]``.

Endpoints (``<post>`` is a post's path, ``/yyyy/mm/dd/slug/``):

- ``/feed/``, ``/feed/atom/``: the posts (RSS 2.0 with wfw:commentRss and slash:comments; Atom with
  ``replies`` links); ``/<post>feed/``, ``/<post>feed/atom/``: a post's comments; ``/comments/feed/``,
  ``/comments/feed/atom/``: every comment. Newest first, ``feed_limit`` items (default: all); the
  posts feeds are then paged as WordPress pages them (``?paged=N``, with RFC 5005 ``rel="next"``).
- ``/wp-json/wp/v2/posts`` and ``/wp-json/wp/v2/comments``: ``per_page`` (max 100), ``page``,
  ``order``, ``orderby``, ``after`` / ``modified_after`` (strictly later, site time = UTC), ``post``,
  ``_embed``; ``X-WP-Total`` and ``X-WP-TotalPages``. Like WordPress for an anonymous client, only
  comments of type ``comment`` are listed.
- ``/api/3.0/posts/list.json`` (``forum``, ``since``, ``cursor``, ``limit``, ``order``, ``related=thread``)
  and ``/api/3.0/threads/listPosts.json`` (``thread``): ``api_key`` is checked (Disqus error 5),
  ``X-Ratelimit-Limit/Remaining/Reset`` count down from ``disqus_rate_limit`` per hour (then 429, error 13).
- anything put in ``static`` (path -> (bytes, content type)), e.g. a real feed sample.

Every 200 carries an ETag (a hash of the body) and a Last-Modified; a matching ``If-None-Match``, or an
``If-Modified-Since`` no older than it, gets a 304.

Faults (``faults[path] = name``): ``404``, ``500`` (every time), ``500_once`` (the next request only),
``slow`` (waits ``slow_seconds`` before answering), ``redirect_loop``, ``html`` (a web page instead of a
feed), ``huge`` (50 MB, announced by Content-Length), ``huge_chunked`` (50 MB, no length), ``entity_bomb``
(an entity of 10 kB referenced 10,000 times), ``rate_limit`` (429 with X-Ratelimit headers), ``drip``
(a feed sent one byte every ``drip_seconds``: never silent long enough for a read timeout).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tiemeter.demo import blog_render as render
from tiemeter.demo.blog_dataset import BlogDataset, parse_time, sample_dataset

FAULTS = (
    "404",
    "500",
    "500_once",
    "slow",
    "redirect_loop",
    "html",
    "huge",
    "huge_chunked",
    "entity_bomb",
    "rate_limit",
    "drip",
)
HUGE_BYTES = 50 << 20
RSS_TYPE = "application/rss+xml; charset=UTF-8"
ATOM_TYPE = "application/atom+xml; charset=UTF-8"
JSON_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None


class FakeBlog:
    def __init__(
        self,
        dataset: BlogDataset | dict | None = None,
        *,
        disqus_api_key: str = "test-disqus-key",
        disqus_forum: str = "grow",
        disqus_rate_limit: int = 1000,
        feed_limit: int | None = None,
        slow_seconds: float = 3.0,
        drip_seconds: float = 0.05,
        port: int = 0,
        public_url: str | None = None,
    ):
        """``public_url``: the address the blog's own links name (``https://example.blog``), as a real
        site's feeds do; by default the links point at this loopback server."""
        if isinstance(dataset, dict):
            dataset = BlogDataset.from_dict(dataset)
        self.dataset = dataset or sample_dataset()
        self.disqus_api_key, self.disqus_forum = disqus_api_key, disqus_forum
        self.disqus_rate_limit, self.feed_limit, self.slow_seconds = (
            disqus_rate_limit,
            feed_limit,
            slow_seconds,
        )
        self.drip_seconds = drip_seconds
        self.faults: dict[str, str] = {}
        self.static: dict[str, tuple[bytes, str]] = {}
        self.requests: list[Seen] = []
        self._disqus_used = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self._thread: threading.Thread | None = None
        self.public_url = public_url.rstrip("/") if public_url else None

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def start(self) -> FakeBlog:
        # a short poll interval: stopping the server waits for the next poll
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-blog", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeBlog:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def post_url(self, post_id: int) -> str:
        return render.Site(self.dataset, self.public_url or self.base_url).post_url(
            self.dataset.post(post_id)
        )

    def paths_of(self, status: int | None = None) -> list[str]:
        return [r.path for r in self.requests if status is None or r.status == status]

    # -- answering -----------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: dict[str, str]) -> Answer:
        parts = urlsplit(target)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        fault = self.faults.get(path)
        if fault == "500_once":
            del self.faults[path]
        answer = self._fault(fault, path, query) if fault else None
        if answer is None:
            answer = self._route(path, query)
        if answer.status == 200:
            answer = self._conditional(answer, headers)
        with self._lock:
            safe_query = {k: ("REDACTED" if k == "api_key" else v) for k, v in query.items()}
            self.requests.append(Seen(method, path, safe_query, dict(headers), answer.status))
        return answer

    def _conditional(self, answer: Answer, headers: dict[str, str]) -> Answer:
        etag = '"' + hashlib.sha256(answer.body).hexdigest()[:20] + '"'
        modified = (answer.last_modified or datetime(2000, 1, 1, tzinfo=UTC)).replace(microsecond=0)
        answer.headers.setdefault("ETag", etag)
        answer.headers.setdefault("Last-Modified", format_datetime(modified, usegmt=True))
        inm = headers.get("if-none-match")
        if inm is not None:
            matched = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        else:
            matched = _not_modified_since(headers.get("if-modified-since"), modified)
        if matched:
            return Answer(304, headers={"ETag": etag, "Last-Modified": answer.headers["Last-Modified"]})
        return answer

    def _route(self, path: str, query: dict[str, str]) -> Answer:
        if path in self.static:
            body, content_type = self.static[path]
            return Answer(200, body, content_type)
        site = render.Site(self.dataset, self.public_url or self.base_url)
        limit = self.feed_limit
        latest = self._latest()
        paged = query.get("paged", "")
        page = int(paged) if paged.isdigit() and int(paged) > 0 else 1
        if path == "/feed/":
            return Answer(200, render.rss_posts(site, limit, page), RSS_TYPE, last_modified=latest)
        if path == "/feed/atom/":
            return Answer(200, render.atom_posts(site, limit, page), ATOM_TYPE, last_modified=latest)
        if path == "/comments/feed/":
            return Answer(200, render.rss_comments(site, None, limit), RSS_TYPE, last_modified=latest)
        if path == "/comments/feed/atom/":
            return Answer(200, render.atom_comments(site, None, limit), ATOM_TYPE, last_modified=latest)
        if path.startswith("/wp-json/wp/v2/"):
            return self._wordpress(site, path.removeprefix("/wp-json/wp/v2/"), query)
        if path.startswith("/api/3.0/"):
            return self._disqus(site, path.removeprefix("/api/3.0/"), query)
        for post in self.dataset.posts:
            if path in (post.path + "feed/", post.path + "feed/atom/"):
                atom = path.endswith("/atom/")
                body = (render.atom_comments if atom else render.rss_comments)(site, post, limit)
                return Answer(200, body, ATOM_TYPE if atom else RSS_TYPE, last_modified=self._latest(post.id))
            if path == post.path:
                return Answer(200, f"<html><body><h1>{post.title}</h1></body></html>".encode(), "text/html")
        return Answer(404, b"<html><body>Not found</body></html>", "text/html")

    def _latest(self, post_id: int | None = None) -> datetime:
        times = [p.modified for p in self.dataset.posts if post_id in (None, p.id)]
        times += [c.published for c in self.dataset.comments if post_id in (None, c.post)]
        return max(times, default=datetime(2000, 1, 1, tzinfo=UTC))

    # -- WordPress REST ------------------------------------------------------------------

    def _wordpress(self, site: render.Site, route: str, query: dict[str, str]) -> Answer:
        per_page = min(100, max(1, int(query.get("per_page", 10))))
        page = max(1, int(query.get("page", 1)))
        descending = query.get("order", "desc") == "desc"
        if route == "posts":
            after = query.get("modified_after"), query.get("after")
            posts = [
                p
                for p in self.dataset.posts
                if (not after[0] or p.modified > parse_time(after[0]))
                and (not after[1] or p.published > parse_time(after[1]))
            ]
            key = (
                (lambda p: (p.modified, p.id))
                if query.get("orderby") == "modified"
                else (lambda p: (p.published, p.id))
            )
            posts.sort(key=key, reverse=descending)
            items = [render.wp_post(site, p, "_embed" in query) for p in posts]
        elif route == "comments":
            comments = [
                c
                for c in self.dataset.comments
                if c.kind == "comment"
                and (not query.get("after") or c.published > parse_time(query["after"]))
                and (not query.get("post") or str(c.post) == query["post"])
            ]
            comments.sort(key=lambda c: (c.published, c.id), reverse=descending)
            items = [render.wp_comment(site, c) for c in comments]
        else:
            return _json(404, {"code": "rest_no_route", "message": "No route was found"})
        total_pages = math.ceil(len(items) / per_page)
        if page > max(1, total_pages):
            return _json(
                400,
                {
                    "code": "rest_post_invalid_page_number",
                    "message": "The page number requested is larger than the number of pages available.",
                },
            )
        answer = _json(200, items[(page - 1) * per_page : page * per_page])
        answer.headers.update({"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(total_pages)})
        answer.last_modified = self._latest()
        return answer

    # -- Disqus --------------------------------------------------------------------------

    def _disqus(self, site: render.Site, route: str, query: dict[str, str]) -> Answer:
        with self._lock:
            self._disqus_used += 1
            remaining = self.disqus_rate_limit - self._disqus_used
        reset = str(int(time.time()) + 3600)
        limits = {
            "X-Ratelimit-Limit": str(self.disqus_rate_limit),
            "X-Ratelimit-Remaining": str(max(0, remaining)),
            "X-Ratelimit-Reset": reset,
        }
        if remaining < 0:
            answer = _json(429, {"code": 13, "response": "You have exceeded your hourly limit of requests"})
        elif query.get("api_key") != self.disqus_api_key:
            answer = _json(400, {"code": 5, "response": "Invalid API key"})
        elif route == "posts/list.json" and query.get("forum") != self.disqus_forum:
            answer = _json(400, {"code": 2, "response": "Invalid argument, 'forum': Unable to find forum"})
        elif route in ("posts/list.json", "threads/listPosts.json"):
            answer = self._disqus_posts(site, route, query)
        else:
            answer = _json(404, {"code": 1, "response": "Endpoint not valid"})
        answer.headers.update(limits)
        return answer

    def _disqus_posts(self, site: render.Site, route: str, query: dict[str, str]) -> Answer:
        comments = [c for c in self.dataset.comments if c.kind == "comment" and self.dataset.post(c.post)]
        if route == "threads/listPosts.json":
            comments = [c for c in comments if str(100000 + c.post) == query.get("thread")]
        if query.get("since"):
            since = query["since"]
            since_at = (
                datetime.fromtimestamp(float(since), UTC)
                if since.replace(".", "").isdigit()
                else parse_time(since)
            )
            comments = [c for c in comments if c.published > since_at]
        comments.sort(key=lambda c: (c.published, c.id), reverse=query.get("order", "desc") == "desc")
        limit = min(100, max(1, int(query.get("limit", 25))))
        offset = _decode_cursor(query.get("cursor"))
        page = comments[offset : offset + limit]
        has_next = offset + limit < len(comments)
        related = "thread" in query.get("related", "")
        return _json(
            200,
            {
                "cursor": {
                    "prev": _encode_cursor(max(0, offset - limit)) if offset else None,
                    "hasNext": has_next,
                    "next": _encode_cursor(offset + limit) if has_next else None,
                    "hasPrev": offset > 0,
                    "total": None,
                    "id": _encode_cursor(offset),
                    "more": has_next,
                },
                "code": 0,
                "response": [render.disqus_post(site, c, self.disqus_forum, related) for c in page],
            },
        )

    # -- faults --------------------------------------------------------------------------

    def _fault(self, fault: str, path: str, query: dict[str, str]) -> Answer | None:
        if fault == "404":
            return Answer(404, b"Not found")
        if fault in ("500", "500_once"):
            return Answer(500, b"Internal Server Error")
        if fault == "slow":
            time.sleep(self.slow_seconds)
            return None
        if fault == "redirect_loop":
            hop = int(query.get("hop", 0)) + 1
            return Answer(302, headers={"Location": f"{path}?hop={hop}"})
        if fault == "html":
            page = b"<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>My blog</h1><p>Hello</p></body></html>"
            return Answer(200, page, "text/html; charset=utf-8")
        if fault in ("huge", "huge_chunked", "drip"):
            return Answer(200, b"", RSS_TYPE, headers={"X-Fake-Huge": fault})
        if fault == "entity_bomb":
            return Answer(200, entity_bomb(), RSS_TYPE)
        if fault == "rate_limit":
            reset = str(int(time.time()) + 3600)
            return Answer(
                429,
                json.dumps({"code": 13, "response": "rate limited"}).encode(),
                JSON_TYPE,
                headers={
                    "X-Ratelimit-Limit": "1000",
                    "X-Ratelimit-Remaining": "0",
                    "X-Ratelimit-Reset": reset,
                },
            )
        raise ValueError(f"unknown fault {fault!r} (known: {', '.join(FAULTS)})")


def entity_bomb(entity_bytes: int = 10_000, references: int = 10_000) -> bytes:
    """One entity of ``entity_bytes`` referenced ``references`` times: 100 MB once expanded."""
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss [<!ENTITY boom "{"A" * entity_bytes}">]>\n'
        '<rss version="2.0"><channel><title>bomb</title><link>http://127.0.0.1/</link><item><title>'
        + "&boom;" * references
        + "</title><link>http://127.0.0.1/1</link></item></channel></rss>\n"
    ).encode()


def _not_modified_since(value: str | None, modified: datetime) -> bool:
    if not value:
        return False
    try:
        return parsedate_to_datetime(value) >= modified
    except (TypeError, ValueError):
        return False


def _json(status: int, value: Any) -> Answer:
    return Answer(status, json.dumps(value).encode(), JSON_TYPE)


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{offset}:0:0".encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[0])
    except (ValueError, UnicodeDecodeError):
        return 0


def _handler_for(blog: FakeBlog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = blog.answer("GET", self.path, headers)
            huge = answer.headers.pop("X-Fake-Huge", None)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            if huge == "drip":
                self._send_drip()
                return
            if huge:
                self._send_huge(with_length=huge == "huge")
                return
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self._write(answer.body)

        def _send_huge(self, with_length: bool) -> None:
            if with_length:
                self.send_header("Content-Length", str(HUGE_BYTES))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            chunk = b"<!-- " + b"x" * ((1 << 20) - 9) + b" -->\n"
            for _ in range(HUGE_BYTES // len(chunk)):
                if not self._write(chunk):
                    return

        def _send_drip(self) -> None:
            body = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b" " * 100_000 + b"</channel></rss>"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for i in range(len(body)):
                if not self._write(body[i : i + 1]):
                    return
                self.wfile.flush()
                time.sleep(blog.drip_seconds)

        def _write(self, data: bytes) -> bool:
            try:
                self.wfile.write(data)
                return True
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
                return False

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet: tests read blog.requests
            pass

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Serve a fake blog (feeds, WordPress REST, Disqus) on loopback."
    )
    parser.add_argument(
        "--dataset", type=Path, help="a JSON file in the structure of tiemeter.demo.blog_dataset"
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--disqus-api-key", default="test-disqus-key")
    parser.add_argument("--disqus-forum", default="grow")
    parser.add_argument("--fault", action="append", default=[], metavar="PATH=FAULT")
    args = parser.parse_args(argv)
    dataset = BlogDataset.from_dict(json.loads(args.dataset.read_text("utf-8"))) if args.dataset else None
    blog = FakeBlog(
        dataset, port=args.port, disqus_api_key=args.disqus_api_key, disqus_forum=args.disqus_forum
    )
    for spec in args.fault:
        path, _, fault = spec.partition("=")
        blog.faults[path] = fault
    print(f"fake blog at {blog.base_url}/ (posts feed {blog.url('/feed/')}); Ctrl-C stops it", flush=True)
    try:
        blog.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        blog.server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
