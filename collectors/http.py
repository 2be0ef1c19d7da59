"""The one module that owns HTTP: timeouts, retries with backoff, rate-limit waits, redirect and size caps.

Collectors call ``HttpClient.request`` and stay linear: every wait, retry and cap happens here.
Tests pass ``sleep=lambda s: None`` (or a fake clock) so that nothing really sleeps.

Errors say whether to retry: ``RetriableHttpError`` (5xx, timeouts, rate limits that outlast the
allowed wait), ``FatalHttpError`` (401/403: credentials), ``SkippableHttpError`` (404, a redirect
loop, a body over the size cap: this URL is bad, the others may be fine).
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import urllib3

from tiemeter import __version__
from tiemeter.errors import FatalError, IncompleteRun, RetriableError, SkippableError

log = logging.getLogger(__name__)

USER_AGENT = f"tiemeter/{__version__} (+https://github.com/tiemeter)"
# whole parameter names that carry credentials; paging tokens (next_token, pagination_token) do not
_SECRET_PARAM = re.compile(
    r"^(api_?key|key|access_?token|token|oauth_\w+|\w*secret\w*|password|passwd|bearer|auth\w*|signature)$",
    re.I,
)


class HttpError(Exception):
    def __init__(self, message: str, *, url: str = "", status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class RetriableHttpError(HttpError, RetriableError):
    pass


class FatalHttpError(HttpError, FatalError):
    pass


class SkippableHttpError(HttpError, SkippableError):
    pass


class BodyTimeout(Exception):
    """No complete answer within ``HttpPolicy.total_timeout`` of the attempt's start (retried like a timeout)."""


class InvalidBody(Exception):
    """A 2xx body that the caller's ``validate`` refused (truncated or invalid JSON): retried like a timeout."""


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt, for request ledgers: ``problem`` is None when the attempt gave a usable answer."""

    method: str
    url: str  # redacted
    status: int | None
    problem: str | None
    seconds: float
    response: requests.Response | None = field(default=None, repr=False, compare=False)


class RateLimitWaitTooLong(HttpError, IncompleteRun):
    """The server asks for a wait longer than ``HttpPolicy.max_wait``: stop now, resume on the next run
    (the same kind of outcome as ``BudgetExhausted``)."""

    def __init__(self, message: str, *, url: str = "", wait_seconds: float = 0.0):
        super().__init__(message, url=url, status=429)
        self.wait_seconds = wait_seconds


class _RedactSecrets(logging.Filter):
    """urllib3 logs each request line, query string included, at DEBUG: keep secrets out of it."""

    _PAIR = re.compile(r"((?:api_?key|access_?token|token|secret|password|bearer|auth)=)[^&\s\"']+", re.I)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._PAIR.sub(r"\1REDACTED", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactSecrets())


def _host_unknown(error: Exception) -> bool:
    """A DNS failure: waiting and asking again will not make the host exist."""
    text = repr(error)
    return isinstance(error, requests.ConnectionError) and any(
        marker in text
        for marker in ("NameResolutionError", "Name or service not known", "nodename nor servname")
    )


def redact_url(url: str) -> str:
    """The URL with secret-looking query parameters replaced, fit for logs and error messages."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, "REDACTED" if _SECRET_PARAM.search(k) else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class Validators:
    """What a conditional GET sends back: the ETag and Last-Modified of the last response landed."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    @classmethod
    def from_response(cls, response: requests.Response) -> Validators:
        return cls(response.headers.get("ETag"), response.headers.get("Last-Modified"))

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("etag", self.etag), ("last_modified", self.last_modified)) if v}

    @classmethod
    def from_dict(cls, value: dict | None) -> Validators:
        value = value or {}
        return cls(value.get("etag"), value.get("last_modified"))


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5  # first try included
    backoff_base: float = 1.0  # seconds; doubles per attempt, with jitter
    backoff_max: float = 120.0
    max_bytes: int = 20 << 20
    max_redirects: int = 5
    max_wait: float = 900.0  # the longest rate-limit wait accepted before giving up for this run
    total_timeout: float = 120.0  # deadline of one attempt: connect, headers and the whole body
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})


@dataclass
class HttpClient:
    policy: HttpPolicy = field(default_factory=HttpPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    on_wait: Callable[[float, str], None] | None = None  # (seconds, reason): progress display
    on_response: Callable[[requests.Response, float], None] | None = (
        None  # (response, seconds): request ledger
    )
    on_attempt: Callable[[Attempt], None] | None = None  # every attempt, failed ones too: request ledger
    headers: dict[str, str] = field(default_factory=dict)
    jitter: bool = True

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.max_redirects = self.policy.max_redirects
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(self.headers)
        self._blocked_until: dict[str, float] = {}

    # -- waiting -------------------------------------------------------------------------

    def _wait(self, seconds: float, reason: str, url: str) -> None:
        if seconds <= 0:
            return
        if seconds > self.policy.max_wait:
            raise RateLimitWaitTooLong(
                f"{reason}: the server asks to wait {seconds:.0f}s, more than the {self.policy.max_wait:.0f}s allowed; "
                "stopping with the cursor saved",
                url=redact_url(url),
                wait_seconds=seconds,
            )
        if self.on_wait:
            self.on_wait(seconds, reason)
        log.info("waiting %.1fs: %s", seconds, reason)
        self.sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.policy.backoff_max, self.policy.backoff_base * (2 ** (attempt - 1)))
        return delay * (0.5 + random.random() / 2) if self.jitter else delay

    def rate_limit_wait(self, response: requests.Response) -> float | None:
        """Seconds to wait according to ``x-rate-limit-reset`` (epoch) or ``Retry-After`` (seconds or date)."""
        reset = response.headers.get("x-rate-limit-reset") or response.headers.get("X-Ratelimit-Reset")
        if reset and reset.strip().isdigit():
            return max(0.0, float(reset) - self.clock()) + 1.0
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            if retry_after.strip().isdigit():
                return float(retry_after)
            try:
                return max(0.0, parsedate_to_datetime(retry_after).timestamp() - self.clock())
            except (TypeError, ValueError):
                return None
        return None

    def _note_remaining(self, key: str, response: requests.Response) -> None:
        remaining = response.headers.get("x-rate-limit-remaining") or response.headers.get(
            "X-Ratelimit-Remaining"
        )
        if remaining is not None and remaining.strip() == "0":
            wait = self.rate_limit_wait(response)
            if wait:
                self._blocked_until[key] = self.clock() + wait

    # -- requesting ----------------------------------------------------------------------

    def _record(self, method: str, url: str, status, problem, started: float, response=None) -> None:
        if self.on_attempt:
            seconds = time.perf_counter() - started
            self.on_attempt(Attempt(method, url, status, problem, seconds, response))

    def request(
        self,
        method: str,
        url: str,
        *,
        rate_key: str | None = None,
        validate: Callable[[requests.Response], None] | None = None,
        **kwargs,
    ) -> requests.Response:
        """Send a request with the policy's timeouts, retries and caps; the body is read and capped.

        ``rate_key`` groups requests that share one rate-limit window (default: the URL's path).
        ``validate`` checks a 2xx body and raises ``InvalidBody`` to have it retried (a truncated
        JSON page, say). Any status the policy does not retry is returned to the caller, except
        401/403 (``FatalHttpError``) and 404/410 (``SkippableHttpError``).
        """
        key = rate_key or urlsplit(url).path
        kwargs.setdefault("timeout", (self.policy.connect_timeout, self.policy.read_timeout))
        # the URL with its query, as sent: ledgers and messages name the real request (redacted)
        safe_url = redact_url(requests.Request(method, url, params=kwargs.get("params")).prepare().url)
        last_problem = ""
        for attempt in range(1, self.policy.max_attempts + 1):
            blocked = self._blocked_until.pop(key, 0.0) - self.clock()
            if blocked > 0:
                self._wait(blocked, f"rate limit window exhausted for {key}", url)
            started = time.perf_counter()
            deadline = time.monotonic() + self.policy.total_timeout
            try:
                response = self.session.request(method, url, stream=True, **kwargs)
                self._read_capped(response, safe_url, deadline)
            except requests.TooManyRedirects:
                raise SkippableHttpError(
                    f"{safe_url}: more than {self.policy.max_redirects} redirects (a redirect loop?)",
                    url=safe_url,
                ) from None
            except (
                requests.Timeout,
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                BodyTimeout,
            ) as error:
                last_problem = str(error) if isinstance(error, BodyTimeout) else type(error).__name__
                self._record(method, safe_url, None, last_problem, started)
                if _host_unknown(error):
                    raise SkippableHttpError(
                        f"{safe_url}: the host name does not resolve", url=safe_url
                    ) from None
                if attempt < self.policy.max_attempts:
                    self._wait(self._backoff(attempt), f"{last_problem} on {safe_url}, retry {attempt}", url)
                continue
            elapsed = time.perf_counter() - started
            if self.on_response:
                self.on_response(response, elapsed)
            status = response.status_code
            if validate is not None and 200 <= status < 300:
                try:
                    validate(response)
                except InvalidBody as error:
                    last_problem = f"invalid body: {error}"
                    self._record(method, safe_url, status, last_problem, started, response)
                    if attempt < self.policy.max_attempts:
                        self._wait(
                            self._backoff(attempt), f"{last_problem} from {safe_url}, retry {attempt}", url
                        )
                    continue
            if status in self.policy.retry_statuses:
                last_problem = f"HTTP {status}"
                self._record(method, safe_url, status, last_problem, started, response)
                if attempt >= self.policy.max_attempts:
                    break
                wait = self.rate_limit_wait(response) if status == 429 else None
                if wait is None:
                    wait = self._backoff(attempt)
                self._wait(wait, f"HTTP {status} from {safe_url}, retry {attempt}", url)
                continue
            self._record(
                method, safe_url, status, None if status < 400 else f"HTTP {status}", started, response
            )
            if status in (401, 403):
                raise FatalHttpError(
                    f"{safe_url}: HTTP {status} {response.reason}: the credentials were refused or lack access",
                    url=safe_url,
                    status=status,
                )
            if status in (404, 410):
                raise SkippableHttpError(
                    f"{safe_url}: HTTP {status} {response.reason}", url=safe_url, status=status
                )
            self._note_remaining(key, response)
            return response
        raise RetriableHttpError(
            f"{safe_url}: gave up after {self.policy.max_attempts} attempts (last: {last_problem})",
            url=safe_url,
        )

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def _read_capped(self, response: requests.Response, safe_url: str, deadline: float) -> None:
        """Read the body into ``response._content``, refusing anything over ``max_bytes`` and
        stopping at ``deadline`` (``time.monotonic()``), which covers the connect and the whole body.

        The body is read one receive at a time (``read1``) with the socket's timeout cut to what is
        left of the deadline, so a server that drips a byte at a time cannot hold a request open
        (a plain ``read(64 KiB)`` waits for 64 KiB however long they take)."""
        cap = self.policy.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            response.close()
            raise SkippableHttpError(
                f"{safe_url}: body of {int(declared):,} bytes is over the {cap:,}-byte cap", url=safe_url
            )
        raw = response.raw
        chunks = []
        size = 0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BodyTimeout(
                        f"{safe_url}: no complete answer within the {self.policy.total_timeout:g}s deadline "
                        f"(http.total_timeout); {size:,} bytes had arrived"
                    )
                _limit_socket_wait(raw, min(self.policy.read_timeout, left))
                chunk = raw.read1(1 << 16, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise SkippableHttpError(f"{safe_url}: body is over the {cap:,}-byte cap", url=safe_url)
                chunks.append(chunk)
        except (BodyTimeout, SkippableHttpError):
            response.close()
            raise
        except urllib3.exceptions.ReadTimeoutError as error:
            response.close()
            if time.monotonic() >= deadline:
                raise BodyTimeout(
                    f"{safe_url}: no complete answer within the {self.policy.total_timeout:g}s deadline "
                    f"(http.total_timeout); {size:,} bytes had arrived"
                ) from None
            raise requests.ConnectionError(error) from None
        except (urllib3.exceptions.ProtocolError, OSError) as error:
            response.close()
            raise requests.exceptions.ChunkedEncodingError(error) from None
        except urllib3.exceptions.DecodeError as error:
            response.close()
            raise requests.exceptions.ContentDecodingError(error) from None
        response._content = b"".join(chunks)
        response._content_consumed = True


def _limit_socket_wait(raw, seconds: float) -> None:
    """Cut the wait of the next receive on the response's socket to ``seconds``."""
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))
