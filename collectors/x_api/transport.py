"""tweepy's HTTP goes through ``tiemeter.collectors.http``: the configured host, timeouts, retries and waits.

tweepy hard-codes ``https://api.twitter.com``, sends no timeout and, with ``wait_on_rate_limit``,
retries a 429 at once and recursively. Its ``Client.session`` is replaced by ``XApiSession``, which
rewrites the host to ``x.base_url`` and sends every request through ``HttpClient``. A 429 or 5xx
never reaches tweepy: ``HttpClient`` waits and retries, or raises.
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import simdjson
import tweepy

from tiemeter.collectors.http import HttpClient, InvalidBody

# tweepy logs request headers (the bearer token) at DEBUG: keep its loggers above that, always.
logging.getLogger("tweepy").setLevel(logging.INFO)

# an id follows a named segment (/tweets/123, /users/123); the API version (/2) is not an id
_ID_SEGMENT = re.compile(r"(?<=[A-Za-z_])/\d+(?=/|$)")
_PATH_SUBJECT = re.compile(r"^/2/(tweets|users)/(\d+)(?=/|$)")
_LISTED_PARAMS = ("ids", "usernames")

# A parsed X API page: a simdjson.Object, read like a dict (``.get``, ``[]``, ``in``, iteration).
Page = Any


def endpoint_template(path: str) -> str:
    """``/2/users/123/tweets`` -> ``/2/users/:id/tweets``: the name of a rate-limit window and a price."""
    return _ID_SEGMENT.sub("/:id", path)


def parse_json_object(response: requests.Response) -> None:
    """Validate and parse the body once, and hand tweepy the result, so nothing parses it twice.

    simdjson checks the whole document but builds Python objects only for what is read (the meta,
    a few fields per tweet): several times cheaper than a full parse for a 300 KB page. The page
    is landed from the raw bytes, untouched. Raises ``InvalidBody`` for a truncated or non-JSON
    body, which ``HttpClient`` retries.
    """
    started = time.perf_counter()
    try:
        parsed = simdjson.Parser().parse(response.content)
    except ValueError as error:
        raise InvalidBody(f"not valid JSON ({len(response.content)} bytes: {str(error)[:80]})") from None
    if not isinstance(parsed, simdjson.Object):
        raise InvalidBody(f"a JSON {type(parsed).__name__} where an object was expected")
    response.json = lambda **_: parsed  # tweepy calls response.json(); it gets the parsed page
    response.parse_seconds = time.perf_counter() - started


class XApiSession(requests.Session):
    """What tweepy calls ``session``: every request goes to ``base_url`` through ``HttpClient``."""

    def __init__(self, http: HttpClient, base_url: str):
        super().__init__()
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.last_response: requests.Response | None = None

    def request(self, method, url, params=None, json=None, headers=None, auth=None, **_):
        path = urlsplit(url).path
        response = self.http.request(
            method,
            self.base_url + path,
            params=params,
            json=json,
            headers=headers,
            auth=auth,
            rate_key=endpoint_template(path),
            validate=parse_json_object,
        )
        self.last_response = response
        return _ParsedPage(response) if 200 <= response.status_code < 300 else response


class _ParsedPage(requests.Response):
    """What tweepy gets for a 2xx: status, headers and the parsed page, without the raw bytes.

    tweepy formats ``response.content`` into a DEBUG f-string on every request, logged or not; for a
    300 KB page that alone costs milliseconds. The bytes stay on ``XApiSession.last_response``.
    """

    def __init__(self, response: requests.Response):
        super().__init__()
        self.status_code, self.reason, self.url = response.status_code, response.reason, response.url
        self.headers, self.request, self.encoding = response.headers, response.request, response.encoding
        self._content, self._content_consumed = b"", True
        self.json = response.json


def sent_path_and_params(response: requests.Response) -> tuple[str, dict[str, str]]:
    """The path and query parameters exactly as sent (never the headers, where the token is)."""
    parts = urlsplit(response.request.url)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def request_subject(path: str, params: dict[str, str]) -> dict[str, Any]:
    """What a request asked about, named: the tweet or user in its path, its query, the ids or
    usernames it looked up, and the page token it sent (``pagination_token`` or ``next_token``).

    ``/2/tweets/123/liking_users`` -> ``{"tweet_id": "123"}``; ``/2/users/9/tweets`` ->
    ``{"user_id": "9"}``. Only what the request holds is named; the page's provenance keeps it, so
    a page can be attributed without parsing URLs later.
    """
    subject: dict[str, Any] = {}
    match = _PATH_SUBJECT.match(path)
    if match:
        subject["tweet_id" if match[1] == "tweets" else "user_id"] = match[2]
    if params.get("query"):
        subject["query"] = params["query"]
    for name in _LISTED_PARAMS:
        if params.get(name):
            subject[name] = params[name].split(",")
    token = params.get("pagination_token") or params.get("next_token")
    if token:
        subject["page_token"] = token
    return subject


def make_client(token: str, http: HttpClient, base_url: str) -> tuple[tweepy.Client, XApiSession]:
    # requests reads proxy settings from the environment on every request (about 1 ms a page);
    # one host is asked all run long, so they are read once, here.
    http.session.trust_env = False
    http.session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        http.session.verify = bundle
    client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    session = XApiSession(http, base_url)
    client.session = session
    return client, session
