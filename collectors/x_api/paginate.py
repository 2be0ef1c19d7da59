"""One pagination: request a page, land it, move the cursor, follow ``next_token``; resumable at any page.

Order per page: the cursor's pending step, the tweet log, then the page itself (each written
before the next). A kill anywhere leaves a state that the next run resumes from without losing a
page or fetching a landed one again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tiemeter.collectors.x_api.budget import Budget
from tiemeter.collectors.x_api.cursors import CursorStore
from tiemeter.collectors.x_api.ledger import FLUSH_EVERY, RequestLedger, RunTotals, count_items
from tiemeter.collectors.x_api.pages import PageLander
from tiemeter.collectors.x_api.transport import Page, XApiSession, sent_path_and_params
from tiemeter.errors import RetriableError


class RepeatedToken(RetriableError):
    """The API handed back a ``next_token`` it had already given: following it would loop forever."""


@dataclass(frozen=True)
class PageJob:
    unit: str  # the configured source this job serves, e.g. "campaign:door-appeal"
    endpoint: str  # template, e.g. "/2/users/:id/tweets"
    label: str  # for people: what is being collected
    call: Callable[..., Page]  # the tweepy method, its fixed arguments bound
    key: str | None = None  # cursor key; None for a one-off lookup
    token_param: str | None = None  # "next_token" (search) or "pagination_token"; None: one page
    incremental: bool = False  # ask only for ids above the cursor's since_id
    page_items: int = 100  # the most items one page can bring (the budget's worst case)
    target_count: int | None = None  # reaction lists: the metric this pagination covers
    observe: Callable[[Page], None] | None = None  # bookkeeping before the page lands


class PageListener:
    """Progress callbacks; the command line shows them, tests and Airflow ignore them."""

    def page_landed(self, job: PageJob, items: int, totals: RunTotals) -> None:
        pass


class Paginator:
    def __init__(
        self,
        session: XApiSession,
        cursors: CursorStore,
        ledger: RequestLedger,
        budget: Budget,
        lander: PageLander,
        totals: RunTotals,
        clock: Callable[[], float],
        listener: PageListener | None = None,
    ):
        self.session, self.cursors, self.ledger, self.budget = session, cursors, ledger, budget
        self.lander, self.totals, self.clock = lander, totals, clock
        self.listener = listener or PageListener()

    def run(self, job: PageJob) -> int:
        """Collect every page of ``job`` (from where its cursor stands); returns the pages fetched."""
        cursor = self.cursors.load(job.endpoint, job.key) if job.key is not None else None
        kwargs: dict[str, Any] = {}
        if job.incremental and cursor and cursor.since_id:
            kwargs["since_id"] = cursor.since_id
        token = cursor.next_token if cursor else None
        seen_tokens = {token} if token else set()
        pages = 0
        while True:
            self.budget.check(job.endpoint, job.page_items)
            if token:
                kwargs[job.token_param] = token
            self.ledger.unit = job.unit
            page = job.call(**kwargs)
            response = self.session.last_response
            meta = page.get("meta") or {}
            next_token = meta.get("next_token") if job.token_param else None
            if next_token is not None and next_token in seen_tokens:
                raise RepeatedToken(
                    f"{job.label}: the API returned next_token {next_token!r} again; following it would loop. "
                    "The page was not kept and the cursor stays before it: the next run asks again"
                )
            self.ledger.flush(unless_fewer_than=FLUSH_EVERY)
            if is_empty(page):  # an empty poll: nothing to land, the cursor just moves
                if cursor is not None:
                    self.cursors.advance(
                        cursor, next_token, meta.get("newest_id"), job.target_count, self.clock()
                    )
            else:
                self._land(job, cursor, page, response, next_token)
            pages += 1
            self.listener.page_landed(job, count_items(page), self.totals)
            if not next_token:
                return pages
            seen_tokens.add(next_token)
            token = next_token

    def _land(self, job: PageJob, cursor, page: Page, response, next_token: str | None) -> None:
        path = self.lander.next_path()
        step = None
        if cursor is not None:
            newest = (page.get("meta") or {}).get("newest_id")
            step = self.cursors.stage(cursor, path, next_token, newest, job.target_count, self.clock())
        if job.observe:
            job.observe(page)
        sent_path, params = sent_path_and_params(response)
        kind = self.lander.land(
            path,
            response.content,
            page,
            endpoint=job.endpoint,
            sent_path=sent_path,
            params=params,
            retrieved_at=self.clock(),
            unit=job.unit,
        )
        if step is not None:
            self.cursors.commit(cursor, step)
        items = count_items(page)
        self.totals.pages += 1
        if kind == "tweets":
            self.totals.tweets += items
        elif kind == "users":
            self.totals.users += items


def is_empty(page: Page) -> bool:
    """No data, no includes, no errors: only ``meta`` saying result_count 0."""
    return not (page.get("data") or page.get("includes") or page.get("errors"))
