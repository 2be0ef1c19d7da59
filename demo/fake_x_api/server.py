"""The fake X API over HTTP: bearer-token check, per-endpoint rate-limit windows, faults, request log."""

from __future__ import annotations

import secrets
import socket
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from tiemeter.demo.fake_x_api.dataset import XDataset
from tiemeter.demo.fake_x_api.endpoints import BadRequest, Endpoint, Endpoints, Pagination, route
from tiemeter.demo.fake_x_api.faults import Faults

# App-only limits per 15-minute window, as X documents them for the v2 endpoints used here.
WINDOW_S = 15 * 60
DEFAULT_RATE_LIMITS = {
    "/2/tweets/search/recent": 450,
    "/2/tweets/search/all": 300,
    "/2/users/:id/tweets": 1500,
    "/2/users/:id/mentions": 450,
    "/2/tweets/:id/quote_tweets": 75,
    "/2/tweets/:id/retweeted_by": 75,
    "/2/tweets/:id/liking_users": 75,
    "/2/tweets": 3500,
    "/2/users/by": 300,
    "/2/users": 300,
}


def _problem(status: int, title: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "detail": title, "type": "about:blank", "status": status, **extra}


@dataclass(frozen=True)
class ServedRequest:
    path: str
    endpoint: str | None
    params: tuple[tuple[str, str], ...]
    status: int

    @property
    def token(self) -> str | None:
        params = dict(self.params)
        return params.get("next_token") or params.get("pagination_token")


class _Window:
    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self.start, self.used = 0.0, 0

    def take(self, now: float) -> tuple[bool, dict[str, str]]:
        if now >= self.start + self.seconds:
            self.start, self.used = now, 0
        allowed = self.used < self.limit
        if allowed:
            self.used += 1
        reset = int(self.start + self.seconds) + 1
        return allowed, {
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-remaining": str(self.limit - self.used),
            "x-rate-limit-reset": str(reset),
        }


HOLD_LIMIT_S = 120.0


class FakeXApi:
    """A loopback X API v2 serving ``dataset``; ``with FakeXApi(...) as api: api.base_url``.

    ``rate_limits`` maps endpoint templates to requests per ``window_s``; ``delay_s`` slows every
    answer (to interrupt a collection mid-run); ``clock`` drives the rate-limit windows, so a test
    can share a fake clock with the collector's sleeps. ``hold()`` keeps every answer waiting until
    ``release()``, so a test can act while a client is certainly mid-request.
    """

    def __init__(
        self,
        dataset: XDataset | dict[str, Any] | None = None,
        *,
        token: str = "fake-x-bearer-token",
        clock: Callable[[], float] = time.time,
        rate_limits: dict[str, int] | None = None,
        window_s: float = WINDOW_S,
        delay_s: float = 0.0,
        recent_days: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        if not isinstance(dataset, XDataset):
            dataset = XDataset.from_json(dataset or {})
        self.dataset = dataset
        self.token = token
        self.clock = clock
        self.delay_s = delay_s
        self._open = threading.Event()
        self._open.set()
        self.faults = Faults()
        self.endpoints = Endpoints(dataset, Pagination(secrets.token_bytes(16)), clock, recent_days)
        limits = {**DEFAULT_RATE_LIMITS, **(rate_limits or {})}
        self._windows = {endpoint: _Window(limit, window_s) for endpoint, limit in limits.items()}
        self._lock = threading.Lock()
        self.requests: list[ServedRequest] = []
        self.service_seconds: list[float] = []  # time spent building and sending each answer
        self._in_flight = 0
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.api = self
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeXApi:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-x-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeXApi:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what was asked -----------------------------------------------------------------------

    def request_counts(self) -> Counter:
        """How often each exact request (path and query) was answered, whatever the status."""
        with self._lock:
            return Counter((r.path, r.params) for r in self.requests)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until no request is being answered (say, one a killed client left behind)."""
        deadline = time.monotonic() + timeout
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.01)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.service_seconds.clear()

    def hold(self) -> None:
        """Answers wait (at most ``HOLD_LIMIT_S`` each, so a forgotten hold cannot hang a test)."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    # -- answering ----------------------------------------------------------------------------

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self._in_flight += 1
        try:
            self._serve(handler)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        self._open.wait(HOLD_LIMIT_S)
        if self.delay_s:
            time.sleep(self.delay_s)
        started = time.perf_counter()
        parts = urlsplit(handler.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        found = route(parts.path)
        endpoint = found[0] if found else None
        status, body, headers, cut = self._answer(handler, found, params)
        data = orjson.dumps(body)
        # Not an X header: how long the fake took to choose and render the answer (benchmarks read it).
        headers["x-fake-service-ms"] = f"{(time.perf_counter() - started) * 1000:.3f}"
        with self._lock:  # logged before the answer goes out: a client that has it sees it counted
            self.requests.append(
                ServedRequest(
                    parts.path, endpoint.template if endpoint else None, tuple(sorted(params.items())), status
                )
            )
        self._send(handler, status, data, headers, cut)
        with self._lock:
            self.service_seconds.append(time.perf_counter() - started)

    def _answer(self, handler, found, params) -> tuple[int, dict, dict[str, str], str | None]:
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, _problem(401, "Unauthorized"), {}, None
        if found is None:
            return 404, _problem(404, "Not Found"), {}, None
        endpoint, path_id = found
        token = params.get("next_token") or params.get("pagination_token")
        fired = {rule.kind: rule for rule in self.faults.draw(endpoint.template, bool(token))}
        if "slow" in fired:
            time.sleep(fired["slow"].seconds)
        if "rate_limit_no_reset" in fired:
            return 429, _problem(429, "Too Many Requests"), {}, None
        if "rate_limit_reset" in fired:
            reset = str(int(self.clock() + fired["rate_limit_reset"].seconds))
            headers = {"x-rate-limit-limit": "1", "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}
            return 429, _problem(429, "Too Many Requests"), headers, None
        if "unavailable" in fired:
            return 503, _problem(503, "Service Unavailable"), {}, None
        allowed, headers = self._take(endpoint)
        if not allowed:
            return 429, _problem(429, "Too Many Requests"), headers, None
        try:
            body = self.endpoints.answer(endpoint, path_id, params)
        except BadRequest as error:
            return 400, self._invalid(error), headers, None
        except Exception as error:  # noqa: BLE001 - a bug here must still answer, as a 500
            traceback.print_exc()
            return 500, _problem(500, f"Internal Error: {type(error).__name__}"), headers, None
        if "partial_errors" in fired:
            body.setdefault("errors", []).append(
                {
                    "value": "1",
                    "detail": "Could not find tweet with referenced_tweets.id: [1].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": "referenced_tweets.id",
                    "resource_id": "1",
                    "type": "https://api.x.com/2/problems/resource-not-found",
                }
            )
        if "repeat_token" in fired and "meta" in body:
            body["meta"]["next_token"] = token
        cut = "truncated" if "truncated" in fired else "invalid_json" if "invalid_json" in fired else None
        return 200, body, headers, cut

    def _take(self, endpoint: Endpoint) -> tuple[bool, dict[str, str]]:
        window = self._windows.get(endpoint.template)
        if window is None:
            return True, {}
        with self._lock:
            return window.take(self.clock())

    @staticmethod
    def _invalid(error: BadRequest) -> dict[str, Any]:
        return {
            "errors": [{"parameters": {error.parameter: [str(error)]}, "message": str(error)}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.x.com/2/problems/invalid-request",
        }

    @staticmethod
    def _send(handler, status: int, data: bytes, headers: dict[str, str], cut: str | None) -> None:
        content_type = "application/json" if status == 200 else "application/problem+json"
        body = data[: len(data) // 2] if cut else data
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data) if cut == "truncated" else len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        if cut == "truncated":
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        try:
            handler.wfile.write(body)
            handler.wfile.flush()
            if cut == "truncated":
                handler.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError, OSError):
            handler.close_connection = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-x-api/1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle and delayed ACKs add ~40 ms each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.api.serve(self)

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet: tests read the request log instead
        pass
