"""tweepy's HTTP goes through ``collectors.http``: the configured host, timeouts, retries and waits.

tweepy hard-codes ``https://api.twitter.com``, sends no timeout and, with ``wait_on_rate_limit``,
retries a 429 at once and recursively. Its ``Client.session`` is replaced by ``XApiSession``, which
rewrites the host to ``x.base_url`` and sends every request through ``HttpClient``. A 429 or 5xx
never reaches tweepy: ``HttpClient`` waits and retries, or raises.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qsl, urlsplit

import orjson
import requests
import tweepy

from collectors.http import HttpClient, InvalidBody

# tweepy logs request headers (the bearer token) at DEBUG: keep its loggers above that, always.
logging.getLogger("tweepy").setLevel(logging.INFO)

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def endpoint_template(path: str) -> str:
    """``/2/users/123/tweets`` -> ``/2/users/:id/tweets``: the name of a rate-limit window and a price."""
    return _ID_SEGMENT.sub("/:id", path)


def parse_json_object(response: requests.Response) -> None:
    """Parse the body once (orjson) and hand tweepy the result, so nothing parses it twice.

    Raises ``InvalidBody`` for a truncated or non-JSON body, which ``HttpClient`` retries.
    """
    started = time.perf_counter()
    try:
        parsed = orjson.loads(response.content)
    except orjson.JSONDecodeError as error:
        raise InvalidBody(f"not valid JSON ({len(response.content)} bytes: {error})") from None
    if not isinstance(parsed, dict):
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
        return response


def sent_path_and_params(response: requests.Response) -> tuple[str, dict[str, str]]:
    """The path and query parameters exactly as sent (never the headers, where the token is)."""
    parts = urlsplit(response.request.url)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def make_client(token: str, http: HttpClient, base_url: str) -> tuple[tweepy.Client, XApiSession]:
    client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    session = XApiSession(http, base_url)
    client.session = session
    return client, session
