"""The Disqus API: ``posts/list`` for a forum, with ``related=thread``, following ``cursor.next``.

One request per page of 100 posts, oldest first from the last ``createdAt`` seen. The basic tier
allows 1,000 requests an hour; ``tiemeter.collectors.http`` reads ``X-Ratelimit-Remaining`` / ``-Reset`` and
waits, or stops with ``RateLimitWaitTooLong`` when the wait is too long; the cursor of the last page
landed is then saved and the next run resumes from it.

The api_key is resolved when a run starts (env ``DISQUS_API_KEY``, else the Airflow connection
``disqus_api``) and only ever sent as a query parameter: never logged, landed or put in a message.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from tiemeter.collectors.http import HttpClient, RateLimitWaitTooLong, RetriableHttpError, SkippableHttpError
from tiemeter.errors import FatalError, TiemeterError
from tiemeter.landing import BLOG_DISQUS_API, provenance, stamp_object

RESOURCE = BLOG_DISQUS_API
SOURCE = "disqus"
ENDPOINT = "posts/list"
DEFAULT_BASE_URL = "https://disqus.com/api/3.0"
API_KEY_ENV = "DISQUS_API_KEY"
CONNECTION_ID = "disqus_api"
PAGE_LIMIT = 100
MAX_PAGES = 10_000
_KEY_ERRORS = {4, 5, 11, 12}  # missing, invalid, unauthorised or inactive key
_RATE_ERRORS = {13, 14}


def resolve_api_key() -> str:
    """``DISQUS_API_KEY``, else the password of the Airflow connection ``disqus_api`` (looked up now)."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    if key:
        return key
    try:
        from airflow.sdk import BaseHook

        key = (BaseHook.get_connection(CONNECTION_ID).password or "").strip()
    except Exception:  # noqa: BLE001 - Airflow missing, no such connection, no metadata DB
        key = ""
    if key:
        return key
    raise FatalError(
        f"no Disqus API key: set {API_KEY_ENV} or the password of the Airflow connection '{CONNECTION_ID}'"
    )


@dataclass
class DisqusRun:
    state: dict[str, Any]  # since, cursor (resume point), latest (newest createdAt landed)
    pages: int = 0
    items: int = 0
    failures: list[str] = field(default_factory=list)


def collect_disqus(
    client: HttpClient,
    *,
    site: str,
    forum: str,
    base_url: str,
    api_key: str,
    state: dict[str, Any],
    run_id: str,
    write_line: Callable[[bytes], None],
) -> DisqusRun:
    run = DisqusRun(dict(state))
    url = f"{base_url.rstrip('/')}/{ENDPOINT}.json"
    params: dict[str, str] = {"forum": forum, "limit": str(PAGE_LIMIT), "order": "asc", "related": "thread"}
    if state.get("since"):
        params["since"] = state["since"]
    if state.get("cursor"):
        params["cursor"] = state["cursor"]
    try:
        for _ in range(MAX_PAGES):
            body = _request(client, url, {**params, "api_key": api_key}, forum)
            posts = body.get("response") or []
            if not posts and not params.get("cursor"):
                return run  # nothing new since the last run: nothing to land
            stamp = provenance(
                source=SOURCE, endpoint=ENDPOINT, run_id=run_id, params=params, kind="posts", site=site
            )
            write_line(stamp_object(body, stamp))
            run.pages += 1
            run.items += len(posts)
            latest = max((str(p.get("createdAt") or "") for p in posts if isinstance(p, dict)), default="")
            if latest > (run.state.get("latest") or ""):
                run.state["latest"] = latest
            cursor = body.get("cursor") or {}
            if not (cursor.get("hasNext") and cursor.get("next")) or cursor.get("next") == params.get(
                "cursor"
            ):
                run.state.update(since=run.state.get("latest") or run.state.get("since"), cursor=None)
                return run
            params["cursor"] = run.state["cursor"] = cursor["next"]
    except RateLimitWaitTooLong as error:
        run.failures.append(f"{error} (the next run resumes from the saved cursor)")
    except TiemeterError as error:
        run.failures.append(str(error))
    return run


def _request(client: HttpClient, url: str, params: dict[str, str], forum: str) -> dict[str, Any]:
    response = client.get(url, params=params, rate_key="disqus")
    where = f"{url} (forum {forum})"
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise SkippableHttpError(f"{where}: HTTP {response.status_code}, not JSON", url=url) from None
    code = body.get("code") if isinstance(body, dict) else None
    if code == 0 and response.status_code == 200 and isinstance(body.get("response"), list):
        return body
    detail = body.get("response") if isinstance(body, dict) and isinstance(body.get("response"), str) else ""
    detail = detail.replace(params.get("api_key", "\0"), "REDACTED")
    message = f"{where}: HTTP {response.status_code}, Disqus error {code}: {detail}".rstrip(": ")
    if code in _KEY_ERRORS:
        raise FatalError(f"{message} (check DISQUS_API_KEY / the '{CONNECTION_ID}' connection)")
    if code in _RATE_ERRORS or response.status_code >= 500:
        raise RetriableHttpError(message, url=url, status=response.status_code)
    raise SkippableHttpError(message, url=url, status=response.status_code)
