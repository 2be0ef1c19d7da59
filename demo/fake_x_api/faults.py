"""Faults the fake X API can be told to throw, each on every n-th matching request.

Kinds: ``rate_limit_reset`` (429 with ``x-rate-limit-reset`` ``seconds`` ahead),
``rate_limit_no_reset`` (429 without any rate-limit header), ``unavailable`` (503), ``slow`` (answer
after ``seconds``), ``truncated`` (the connection drops halfway through the body),
``invalid_json`` (a 200 whose body is cut in half, with a matching Content-Length),
``partial_errors`` (an ``errors`` entry added to a 200 page) and ``repeat_token`` (a page asked for
with a pagination token names that same token as its ``next_token``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = (
    "rate_limit_reset",
    "rate_limit_no_reset",
    "unavailable",
    "slow",
    "truncated",
    "invalid_json",
    "partial_errors",
    "repeat_token",
)


@dataclass
class FaultRule:
    kind: str
    every: int = 1  # fire on the every-th matching request (1: all of them)
    times: int | None = None  # fire at most this often (None: no limit)
    endpoint: str | None = None  # only requests to this endpoint template, e.g. "/2/tweets/search/recent"
    seconds: float = 2.0  # rate_limit_reset: reset this far ahead; slow: the delay
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r} (known: {', '.join(KINDS)})")
        if self.every < 1:
            raise ValueError("every must be >= 1")


class Faults:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, kind: str, **options) -> FaultRule:
        rule = FaultRule(kind, **options)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def draw(self, endpoint: str, has_token: bool) -> list[FaultRule]:
        """The rules that fire for this request (each matching rule counts it)."""
        fired = []
        with self._lock:
            for rule in self._rules:
                if rule.endpoint not in (None, endpoint) or (rule.kind == "repeat_token" and not has_token):
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                rule.seen += 1
                if rule.seen % rule.every == 0:
                    rule.fired += 1
                    fired.append(rule)
        return fired
