"""What a run may spend: a request cap and a dollar budget, checked *before* each request.

X bills reads per resource returned (``data`` items). Before a request the budget assumes the
worst case, a full page; after it, the page's real item count is charged. So a run stops before
it could exceed ``x.budget_usd_per_run``, never after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tiemeter.config import ConfigError
from tiemeter.errors import IncompleteRun

# USD, from the X API pay-per-usage table (docs.x.com/x-api/getting-started/pricing); estimates only:
# the Developer Console has the rates that apply to an account, and x.prices_usd overrides these.
DEFAULT_PRICES_USD = {
    "post_read": 0.005,  # per tweet returned
    "user_read": 0.010,  # per user returned
    "request": 0.0,  # per request, on top (none today)
}

# Which unit each endpoint returns.
ENDPOINT_UNIT = {
    "/2/tweets/search/recent": "post_read",
    "/2/tweets/search/all": "post_read",
    "/2/users/:id/tweets": "post_read",
    "/2/users/:id/mentions": "post_read",
    "/2/tweets/:id/quote_tweets": "post_read",
    "/2/tweets": "post_read",
    "/2/tweets/:id/retweeted_by": "user_read",
    "/2/tweets/:id/liking_users": "user_read",
    "/2/users/by": "user_read",
    "/2/users": "user_read",
}


class BudgetExhausted(IncompleteRun):
    """The next request could pass the run's request cap or budget: stop, cursors saved."""


def price_table(overrides: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(overrides) - set(DEFAULT_PRICES_USD))
    if unknown:
        raise ConfigError(
            f"x.prices_usd.{unknown[0]}: unknown price (known: {', '.join(sorted(DEFAULT_PRICES_USD))})"
        )
    return {**DEFAULT_PRICES_USD, **overrides}


@dataclass
class Budget:
    max_requests: int
    max_usd: float
    prices: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PRICES_USD))
    requests: int = 0  # pages asked for (retries of a failed attempt are bounded by the HTTP policy)
    spent_usd: float = 0.0

    def cost(self, endpoint: str, items: int) -> float:
        return self.prices["request"] + items * self.prices[ENDPOINT_UNIT.get(endpoint, "post_read")]

    def check(self, endpoint: str, max_items: int) -> None:
        """Raise ``BudgetExhausted`` unless one more request of up to ``max_items`` items fits."""
        if self.requests + 1 > self.max_requests:
            raise BudgetExhausted(
                f"request cap reached: {self.requests} request(s) made, x.max_requests_per_run = {self.max_requests}"
            )
        worst = self.cost(endpoint, max_items)
        if self.spent_usd + worst > self.max_usd + 1e-9:
            raise BudgetExhausted(
                f"budget reached: ${self.spent_usd:.3f} spent, the next {endpoint} request may cost up to "
                f"${worst:.3f}, x.budget_usd_per_run = ${self.max_usd:.2f}"
            )
        self.requests += 1

    def charge(self, endpoint: str, items: int) -> float:
        cost = self.cost(endpoint, items)
        self.spent_usd += cost
        return cost

    def release(self) -> None:
        """At the end of a run: give back what is held for requests that never brought a page
        (nothing here; a budget shared between processes holds reservations)."""
