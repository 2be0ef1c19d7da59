"""Collect one ``[[blogs]]`` entry (posts feed, comment feeds, WordPress REST or Disqus), or all of them.

Every URL fails alone: its error (naming the URL) is recorded and the rest of the blog still lands.
Everything a run fetched for a blog is landed (one file per resource) before its state file moves:
feed validators for conditional GET, the posts' comment feeds, and the API cursors.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tiemeter.collectors import disqus, feeds, wordpress
from tiemeter.collectors.feed_parse import REFUSALS
from tiemeter.collectors.http import HttpClient, HttpPolicy, Validators, redact_url
from tiemeter.collectors.quarantine import Quarantine, Rejection
from tiemeter.collectors.state_files import StateFile, collection_lock, safe_name
from tiemeter.config import Blog, Config, DisqusConfig
from tiemeter.errors import CollectionBusy, FatalError, InputRejected, TiemeterError
from tiemeter.landing import LandingFile, landing_path, new_run_id
from tiemeter.settings import Home
from tiemeter.temp_files import sweep

log = logging.getLogger(__name__)

# A feed is fetched in one go: 20 MB at most, and a slow server is given up on rather than waited for.
BLOG_HTTP_POLICY = HttpPolicy(read_timeout=20.0, max_attempts=3, total_timeout=60.0, max_bytes=20 << 20)


def blog_http_policy(config: Config) -> HttpPolicy:
    """The blog policy with the config's deadline, read timeout and Disqus rate-limit wait."""
    return dataclasses.replace(
        BLOG_HTTP_POLICY,
        total_timeout=config.http.deadline_s,
        read_timeout=min(config.http.read_timeout_s, config.http.deadline_s),
        max_wait=config.disqus.max_rate_limit_wait_s,
    )


MAX_FEED_PAGES = 200  # a paged posts feed is read back at most this far in one run


@dataclass
class BlogRun:
    blog: str
    landed: list[Path] = field(default_factory=list)
    documents: int = 0  # feed documents and API pages landed
    not_modified: int = 0
    failures: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        text = f"blog {self.blog}: landed {self.documents} document(s)/page(s)"
        if self.not_modified:
            text += f", {self.not_modified} feed(s) unchanged (304)"
        if self.failures:
            text += f", {len(self.failures)} failed"
        return text


@dataclass
class BlogCollector:
    home: Home
    client: HttpClient
    disqus_config: DisqusConfig = field(default_factory=DisqusConfig)
    api_key: Callable[[], str] = disqus.resolve_api_key
    run_id: str = field(default_factory=new_run_id)

    def collect(self, blog: Blog) -> BlogRun:
        self.home.ensure()
        state_file = StateFile.for_key(self.home.state, "blogs", blog.name)
        state = state_file.read()
        run = BlogRun(blog.name)
        outputs = _Outputs(self.home.landing, blog.name, self.run_id)
        new_state = dict(state)
        try:
            self._collect_feeds(blog, state, new_state, run, outputs)
            if blog.comments == "wordpress":
                self._collect_wordpress(blog, state, new_state, run, outputs)
            elif blog.comments == "disqus":
                self._collect_disqus(blog, state, new_state, run, outputs)
        except BaseException:
            outputs.abort()
            raise
        run.landed = outputs.commit(run.rejected)
        state_file.write(new_state)
        return run

    # -- feeds ---------------------------------------------------------------------------

    def _collect_feeds(self, blog: Blog, state, new_state, run: BlogRun, outputs: _Outputs) -> None:
        known = dict(state.get("feeds") or {})
        new_state["feeds"] = known
        posts = self._feed(blog, blog.feed_url, feeds.POSTS, None, known, run, outputs)
        targets = dict(state.get("comment_feeds") or {})  # an unchanged posts feed: the same posts
        if posts is not None:
            seen = set(state.get("post_urls") or ())
            pages = [posts, *self._older_pages(blog, posts, seen, known, run, outputs)]
            new_state["post_urls"] = sorted(
                seen | {url for page in pages for url in map(feeds.entry_post_url, page.entries) if url}
            )
            # this run reads the comment feeds of every page it read (all of them on a backfill);
            # later runs keep polling those of the current page only
            targets = {k: v for page in pages for k, v in feeds.comment_feeds(page).items()}
            new_state["comment_feeds"] = feeds.comment_feeds(posts)
        if blog.comments != "feed":
            targets, new_state["comment_feeds"] = {}, {}
        for post_url, feed_url in targets.items():
            self._feed(blog, feed_url, feeds.COMMENTS, post_url, known, run, outputs)
        if blog.comments_feed_url:
            self._feed(blog, blog.comments_feed_url, feeds.COMMENTS, None, known, run, outputs)

    def _older_pages(self, blog: Blog, first, seen_posts: set, known: dict, run: BlogRun, outputs: _Outputs):
        """A paged posts feed (RFC 5005 ``rel="next"``, WordPress's ``?paged=N``): follow it back until
        a page holds a post an earlier run has seen, so the first run backfills and later runs read one
        page. A link back to a page already read stops the paging (it would loop)."""
        pages, page, url, visited = [], first, blog.feed_url, {blog.feed_url}
        while len(visited) < MAX_FEED_PAGES:
            if seen_posts & {feeds.entry_post_url(e) for e in page.entries}:
                break
            url = feeds.next_page_url(page, url)
            if url is None:
                break
            if url in visited:
                run.failures.append(
                    f"{redact_url(url)}: rel=next leads back to a page already read; paging stopped"
                )
                break
            visited.add(url)
            page = self._feed(blog, url, feeds.POSTS, None, known, run, outputs)
            if page is None:
                break
            pages.append(page)
        else:
            log.warning("%s: stopped after %d feed pages; the next run goes on", blog.name, MAX_FEED_PAGES)
        return pages

    def _feed(self, blog: Blog, url: str, kind: str, post_url, known: dict, run: BlogRun, outputs: _Outputs):
        try:
            fetch = feeds.fetch_feed(self.client, url, Validators.from_dict(known.get(url)))
        except (TiemeterError, requests.RequestException) as error:
            run.failures.append(_message(url, error))
            return None
        if fetch.not_modified:
            run.not_modified += 1
            return None
        try:
            parsed = feeds.parse_fetched(fetch)
        except REFUSALS as error:
            run.failures.append(str(error))
            run.rejected.append(Rejection(redact_url(url), None, error.reason, fetch.body))
            return None
        stamp = feeds.feed_stamp(self.run_id, blog.name, kind, url, post_url, http=fetch.http_meta())
        outputs.feeds.write_object(parsed.document, stamp)
        run.documents += 1
        known[url] = fetch.validators.as_dict()
        return parsed

    # -- comment APIs --------------------------------------------------------------------

    def _collect_wordpress(self, blog: Blog, state, new_state, run: BlogRun, outputs: _Outputs) -> None:
        result = wordpress.collect_wordpress(
            self.client,
            site=blog.name,
            site_url=blog.site_url,
            cursor=dict(state.get("wordpress") or {}),
            run_id=self.run_id,
            write_line=outputs.wordpress.write_line,
        )
        _took(run, new_state, "wordpress", result.cursor, result)

    def _collect_disqus(self, blog: Blog, state, new_state, run: BlogRun, outputs: _Outputs) -> None:
        try:
            key = self.api_key()
        except TiemeterError as error:
            run.failures.append(f"blog {blog.name}: {error}")
            return
        result = disqus.collect_disqus(
            self.client,
            site=blog.name,
            forum=blog.disqus_forum,
            base_url=self.disqus_config.base_url,
            api_key=key,
            state=dict(state.get("disqus") or {}),
            run_id=self.run_id,
            write_line=outputs.disqus.write_line,
        )
        _took(run, new_state, "disqus", result.state, result)


def _took(run: BlogRun, new_state: dict, api: str, cursor, result) -> None:
    """A comment API's pages and failures count into the run; its cursor goes into the blog's new state."""
    new_state[api] = cursor
    run.documents += result.pages
    run.failures += result.failures


class _Outputs:
    """The run's landing files for one blog, opened on first use and committed together."""

    def __init__(self, landing_root: Path, blog: str, run_id: str):
        self.landing_root, self.name, self.run_id = landing_root, f"{blog}-{run_id}", run_id
        self._files: dict[str, LandingFile] = {}

    def _file(self, resource: str) -> LandingFile:
        if resource not in self._files:
            self._files[resource] = LandingFile(landing_path(self.landing_root, resource, self.name))
        return self._files[resource]

    @property
    def feeds(self) -> LandingFile:
        return self._file(feeds.RESOURCE)

    @property
    def wordpress(self) -> LandingFile:
        return self._file(wordpress.RESOURCE)

    @property
    def disqus(self) -> LandingFile:
        return self._file(disqus.RESOURCE)

    def commit(self, rejected: list[Rejection]) -> list[Path]:
        landed = []
        for out in self._files.values():
            if out.lines:
                landed.append(out.commit())
            else:
                out.abort()
        quarantine = Quarantine(self.landing_root, self.run_id, f"blogs-{self.name}", list(rejected))
        qpath = quarantine.commit(feeds.SOURCE)
        return landed + ([qpath] if qpath else [])

    def abort(self) -> None:
        for out in self._files.values():
            out.abort()


def _message(url: str, error: BaseException) -> str:
    text = str(error)
    safe = redact_url(url)
    if isinstance(error, requests.RequestException):
        text = f"{type(error).__name__}"  # requests' own text can carry the full URL
    return text if safe in text else f"{safe}: {text}"


@dataclass
class CollectReport:
    runs: list[BlogRun]

    @property
    def failures(self) -> list[str]:
        return [f for run in self.runs for f in run.failures]

    @property
    def landed(self) -> list[Path]:
        return [p for run in self.runs for p in run.landed]

    def raise_for_failures(self, detail: str = "", others: str = "collected") -> None:
        """The outcome of failed feeds, the same for the command line and the Airflow task: nothing
        landed is fatal; some sources failed while the others landed is a skip (exit code 3, an
        Airflow task skipped), not a success. ``detail`` follows the count of failures in the reason,
        ``others`` says what became of the rest."""
        if self.failures and not self.landed:
            raise FatalError(f"nothing collected: {len(self.failures)} source(s) failed{detail}")
        if self.failures:
            raise InputRejected(f"{len(self.failures)} source(s) failed{detail}; the others were {others}")


def collect_blogs(
    blogs: list[Blog] | tuple[Blog, ...],
    home: Home,
    *,
    client: HttpClient | None = None,
    disqus_config: DisqusConfig | None = None,
    api_key: Callable[[], str] = disqus.resolve_api_key,
    run_id: str | None = None,
    busy_wait_s: float | None = 3600.0,
) -> CollectReport:
    """Collect every blog; a blog that fails as a whole is reported and the next one still runs.

    A blog another process is collecting into the same home is waited for (``busy_wait_s``), or,
    with ``busy_wait_s=None``, ends the run with ``CollectionBusy``."""
    sweep(home.state / "blogs")  # state temp files a killed run left behind
    collector = BlogCollector(
        home,
        client or HttpClient(policy=BLOG_HTTP_POLICY),
        disqus_config or DisqusConfig(),
        api_key,
        run_id or new_run_id(),
    )
    runs = []
    for blog in blogs:
        lock = home.state / "locks" / f"blog-{safe_name(blog.name)}.lock"
        try:
            with collection_lock(lock, f"blog {blog.name!r}", busy_wait_s, log.warning):
                runs.append(collector.collect(blog))
        except CollectionBusy:
            raise
        except TiemeterError as error:
            runs.append(BlogRun(blog.name, failures=[f"blog {blog.name}: {error}"]))
        log.info("%s", runs[-1].summary())
    return CollectReport(runs)


def state_of(home: Home, blog: str) -> dict[str, Any]:
    return StateFile.for_key(home.state, "blogs", blog).read()
