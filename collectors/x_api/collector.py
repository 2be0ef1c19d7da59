"""An X API v2 collection run: the configured units, each a few paginations, within the run's budget.

Collectors write landing files and state files only; ``tiemeter load`` (or ``--load``) puts what
landed into DuckDB. Failures are kept apart by kind:

- 401/403 (``FatalError``): the run stops at once, nothing else could succeed;
- a rate-limit wait longer than ``x.max_rate_limit_wait_s``: that endpoint's remaining jobs are
  deferred to the next run (their cursors are saved), the other endpoints go on;
- the budget or request cap: the run stops before the request that could pass it;
- a bad query (400), a repeated ``next_token``, an unexpected page: that job fails, the others go on;
- a server that keeps failing (5xx, timeouts, broken JSON after every retry): the run stops.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

import tweepy

from tiemeter.collectors.http import HttpClient, HttpPolicy, RateLimitWaitTooLong, SkippableHttpError
from tiemeter.collectors.state_files import collection_lock, safe_name
from tiemeter.collectors.x_api.budget import Budget, BudgetExhausted, price_table
from tiemeter.collectors.x_api.cursors import CursorStore
from tiemeter.collectors.x_api.fields import IDS_PER_LOOKUP, MAX_RESULTS, tweet_request, user_request
from tiemeter.collectors.x_api.ledger import RequestLedger, RunTotals, recover_journals
from tiemeter.collectors.x_api.pages import PageLander
from tiemeter.collectors.x_api.paginate import PageJob, PageListener, Paginator, RepeatedToken
from tiemeter.collectors.x_api.shared_budget import SharedBudget, shared_budget_path
from tiemeter.collectors.x_api.transport import Page, make_client
from tiemeter.collectors.x_api.tweet_log import TweetLog, is_retweet
from tiemeter.collectors.x_api.units import (
    METRICS,
    USERS,
    campaign_query,
    check_units,
    plan_units,
    search_query,
)
from tiemeter.collectors.x_api.user_ids import UserIds
from tiemeter.collectors.x_shapes import OBJECT_TYPES
from tiemeter.config import Config
from tiemeter.errors import FatalError, RetriableError, SkippableError
from tiemeter.landing import new_run_id
from tiemeter.settings import Home
from tiemeter.temp_files import sweep

log = logging.getLogger(__name__)

# Hourly schedules take a follower snapshot every run; a re-run or a resumed run within the hour does not.
SNAPSHOT_MIN_INTERVAL_S = 45 * 60


class CollectListener(PageListener):
    def unit_started(self, unit: str) -> None:
        pass

    def waiting(self, seconds: float, reason: str) -> None:
        pass

    def busy(self, message: str) -> None:
        """Another collection of the unit runs in this home: this one waits for it."""
        log.warning("%s", message)

    def job_failed(self, label: str, error: Exception) -> None:
        """A job (or a whole unit) failed; the others go on."""


@dataclass
class RunResult:
    run_id: str
    totals: RunTotals
    units: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # jobs that failed while the others went on
    failures: list[Exception] = field(default_factory=list)  # the errors themselves, in the same order
    stopped: str | None = None  # why the run stopped early on purpose; cursors are saved
    deferred: list[str] = field(default_factory=list)  # jobs left for the next run

    @property
    def complete(self) -> bool:
        return not self.errors and not self.stopped and not self.deferred

    def raise_for_errors(self) -> None:
        """Raise the first failed job's error (its class says whether a retry can help), naming the rest."""
        if not self.errors:
            return
        kind = RetriableError if isinstance(self.failures[0], RetriableError) else SkippableError
        more = f" (and {len(self.errors) - 1} more failed job(s))" if len(self.errors) > 1 else ""
        raise kind(self.errors[0] + more)

    def summary(self) -> str:
        t = self.totals
        text = (
            f"X: {t.pages} page(s) landed, {t.tweets} tweet(s), {t.users} user(s), {t.requests} request(s), "
            f"est. ${t.cost_usd:.3f}"
        )
        if t.waits:
            text += f", {t.waits} wait(s) ({t.waited_s:.0f}s)"
        return text


def _offset_clock(clock: Callable[[], float], offset_s: float) -> float:
    return clock() + offset_s


class XCollector:
    def __init__(
        self,
        config: Config,
        home: Home,
        token: str,
        *,
        run_id: str | None = None,
        shared_budget_key: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        http_policy: HttpPolicy | None = None,
        listener: CollectListener | None = None,
        now_offset_s: float = 0.0,
    ):
        """``now_offset_s``: collect as if the clock showed that much later (or earlier): what is
        observed (stamps, metric snapshots, the re-poll schedule) is dated by it, for the replay
        of archived data (``TIEMETER_REPLAY_NOW``). Waits and rate-limit windows keep real time."""
        home.ensure()
        http_clock = clock
        if now_offset_s:
            clock = partial(_offset_clock, http_clock, now_offset_s)
        self.home, self.config, self.clock = home, config, clock
        self.run_id = run_id or new_run_id()
        self.listener = listener or CollectListener()
        self.totals = RunTotals()
        limits = (
            config.x.max_requests_per_run,
            config.x.budget_usd_per_run,
            price_table(config.x.prices_usd),
        )
        # In Airflow the DAG run's mapped tasks share one budget (shared_budget_key = the DAG run).
        self.budget = (
            SharedBudget(shared_budget_path(home.state / "x", shared_budget_key), *limits)
            if shared_budget_key
            else Budget(*limits)
        )
        # what a killed run's ledger journal holds lands first; this run journals its own
        recover_journals(home.state / "x" / "ledger", home.landing)
        self.ledger = RequestLedger(
            home.landing,
            self.run_id,
            self.budget,
            self.totals,
            clock,
            journal_dir=home.state / "x" / "ledger",
        )
        # a policy passed in (tests) keeps its own timeouts; otherwise the config's [http] limits hold
        policy = dataclasses.replace(
            http_policy
            or HttpPolicy(total_timeout=config.http.deadline_s, read_timeout=config.http.read_timeout_s),
            max_wait=config.x.max_rate_limit_wait_s,
        )
        self.http = HttpClient(
            policy=policy,
            sleep=sleep,
            clock=http_clock,
            on_wait=self._on_wait,
            on_attempt=self.ledger.on_attempt,
        )
        self.client, session = make_client(token, self.http, config.x.base_url)
        state = home.state / "x"
        sweep(state)  # state temp files a killed run left behind (a parallel task's live ones stay)
        self.cursors = CursorStore(state / "cursors", home.landing)
        self.tweets = TweetLog(state / "tweets.jsonl")
        self.user_ids = UserIds(state / "users.json")
        self.paginator = Paginator(
            session,
            self.cursors,
            self.ledger,
            self.budget,
            PageLander(home.landing, self.run_id),
            self.totals,
            clock,
            self.listener,
        )
        self._closed_endpoints: dict[str, str] = {}

    def _on_wait(self, seconds: float, reason: str) -> None:
        self.totals.waits += 1
        self.totals.waited_s += seconds
        self.listener.waiting(seconds, reason)

    # -- running ------------------------------------------------------------------------------

    def run(self, units: list[str] | None = None) -> RunResult:
        units = units or plan_units(self.config)
        check_units(self.config, units)
        result = RunResult(self.run_id, self.totals)
        try:
            for unit in units:
                with collection_lock(
                    self.home.state / "locks" / f"x-{safe_name(unit)}.lock",
                    f"X unit {unit!r}",
                    self.config.collect.wait_s,
                    self.listener.busy,
                ):
                    self.listener.unit_started(unit)
                    result.units.append(unit)
                    if not self._run_unit(unit, result):
                        break
        finally:
            self.ledger.flush()
            self.ledger.close()
            self.budget.release()
        if self._closed_endpoints and not result.stopped:
            result.stopped = (
                "; ".join(self._closed_endpoints.values()) + f" ({len(result.deferred)} job(s) deferred)"
            )
        return result

    def _run_unit(self, unit: str, result: RunResult) -> bool:
        """Run the unit's jobs; False when the whole run must stop."""
        jobs = self._jobs(unit)
        while True:
            try:
                job = next(jobs)
            except StopIteration:
                return True
            except SkippableError as error:
                self._fail(result, unit, error)
                return True
            if not self._run_job(job, result):
                return False

    def _run_job(self, job: PageJob, result: RunResult) -> bool:
        """Run one job; False when the whole run must stop."""
        if job.endpoint in self._closed_endpoints:
            if job.label not in result.deferred:  # a tweet watched by two units is one job
                result.deferred.append(job.label)
            return True
        try:
            try:
                self.paginator.run(job)
            finally:
                self.tweets.sync()
        except RateLimitWaitTooLong as error:
            self._closed_endpoints[job.endpoint] = f"rate limit of {job.endpoint}: {error}"
            result.deferred.append(job.label)
        except BudgetExhausted as error:
            result.stopped = str(error)
            return False
        except FatalError:
            raise
        except SkippableHttpError as error:
            if error.status in (404, 410) and job.endpoint.startswith("/2/tweets/:id/"):
                self.tweets.gone([job.key])  # the tweet was deleted since it was seen
            else:
                self._fail(result, job, error)
        except tweepy.HTTPException as error:
            reason = " ".join(str(error).split())
            self._fail(result, job, SkippableError(f"the API refused the request: {reason}"))
        except (SkippableError, RepeatedToken) as error:
            self._fail(result, job, error)
        except RetriableError as error:
            # A server that still fails after every retry will not do better for the next job.
            self._fail(result, job, error)
            return False
        return True

    def _fail(self, result: RunResult, job: PageJob | str, error: Exception) -> None:
        label = job.label if isinstance(job, PageJob) else job
        message = f"{label}: {error}"
        log.info("%s", message)  # the listener shows it and the result carries it: said once
        result.errors.append(message)
        result.failures.append(error)
        self.listener.job_failed(label, error)

    # -- the jobs of each unit -------------------------------------------------------------------

    def _jobs(self, unit: str) -> Iterator[PageJob]:
        kind, _, name = unit.partition(":")
        if unit == USERS:
            yield from self._snapshot_jobs()
        elif unit == METRICS:
            yield from self._repoll_jobs()
        elif kind == "campaign":
            query = campaign_query(self.config, name)
            yield self.search_job(unit, query, f"campaign {name}: {query}", watch=True)
            yield from self._reaction_jobs(unit)
        elif kind == "search":
            query = search_query(self.config, name)
            yield self.search_job(unit, query, f"search {name}: {query}", watch=False)
        elif kind == "account":
            yield from self._account_jobs(unit, name)
            yield from self._reaction_jobs(unit)

    def _snapshot_jobs(self) -> Iterator[PageJob]:
        names = sorted({a.x_username.lower() for a in self.config.accounts if a.x_username})
        ids = sorted({a.x_user_id for a in self.config.accounts if a.x_user_id and not a.x_username})
        for endpoint, values, argument in (("/2/users/by", names, "usernames"), ("/2/users", ids, "ids")):
            for start in range(0, len(values), IDS_PER_LOOKUP):
                chunk = values[start : start + IDS_PER_LOOKUP]
                key = f"{argument}:{','.join(chunk)}"
                done_at = self.cursors.load(endpoint, key).done_at
                if done_at and self.clock() - done_at < SNAPSHOT_MIN_INTERVAL_S:
                    continue
                yield PageJob(
                    USERS,
                    endpoint,
                    f"follower snapshot of {len(chunk)} account(s)",
                    partial(self.client.get_users, **{argument: chunk}, **user_request()),
                    key=key,
                    page_items=len(chunk),
                    observe=self.user_ids.learn,
                )

    def _repoll_jobs(self) -> Iterator[PageJob]:
        now = self.clock()
        self.tweets.compact(now)
        due = sorted(
            (t.tweet_id for t in self.tweets.fold().values() if not t.gone and t.repoll_due(now)), key=int
        )
        for start in range(0, len(due), IDS_PER_LOOKUP):
            chunk = due[start : start + IDS_PER_LOOKUP]
            yield PageJob(
                METRICS,
                "/2/tweets",
                f"metrics re-poll of {len(chunk)} tweet(s)",
                partial(self.client.get_tweets, chunk, **tweet_request()),
                page_items=len(chunk),
                observe=self._observe_repoll,
            )

    def _observe_repoll(self, page: Page) -> None:
        self.tweets.note(page.get("data") or (), None, self.clock())
        gone = [
            e.get("resource_id") or e.get("value")
            for e in page.get("errors") or ()
            if e.get("resource_type") == "tweet" and e.get("parameter") == "ids"
        ]
        self.tweets.gone([g for g in gone if g])

    def _watch(self, unit: str) -> Callable[[Page], None]:
        """Tracked and campaign tweets (not retweets: their metrics are the original's) are watched."""

        def observe(page: Page) -> None:
            tweets = [t for t in page.get("data") or () if isinstance(t, OBJECT_TYPES) and not is_retweet(t)]
            self.tweets.note(tweets, unit, self.clock())

        return observe

    def search_job(
        self, unit: str, query: str, label: str, *, watch: bool, target: int | None = None
    ) -> PageJob:
        endpoint = f"/2/tweets/search/{self.config.x.search}"
        method = (
            self.client.search_all_tweets
            if self.config.x.search == "all"
            else self.client.search_recent_tweets
        )
        return PageJob(
            unit,
            endpoint,
            label,
            partial(method, query, max_results=MAX_RESULTS[endpoint], **tweet_request()),
            key=query,
            token_param="next_token",
            incremental=True,
            page_items=MAX_RESULTS[endpoint],
            target_count=target,
            observe=self._watch(unit) if watch else None,
        )

    def _account_jobs(self, unit: str, name: str) -> Iterator[PageJob]:
        account = self.config.account(name)
        user_id = account.x_user_id or self.user_ids.id_for(account.x_username)
        if user_id is None:
            yield PageJob(
                unit,
                "/2/users/by",
                f"account {name}: look up @{account.x_username}",
                partial(self.client.get_users, usernames=[account.x_username], **user_request()),
                page_items=1,
                observe=self.user_ids.learn,
            )
            user_id = self.user_ids.id_for(account.x_username)
            if user_id is None:
                raise SkippableError(
                    f"@{account.x_username} could not be resolved (not found on X, or not looked up)"
                )
        who = f"@{account.x_username}" if account.x_username else f"user {user_id}"
        for endpoint, method, what, watch in (
            ("/2/users/:id/tweets", self.client.get_users_tweets, "timeline", True),
            ("/2/users/:id/mentions", self.client.get_users_mentions, "mentions", False),
        ):
            yield PageJob(
                unit,
                endpoint,
                f"account {name}: {what} of {who}",
                partial(method, user_id, max_results=MAX_RESULTS[endpoint], **tweet_request()),
                key=user_id,
                token_param="pagination_token",
                incremental=True,
                observe=self._watch(unit) if watch else None,
            )

    def _reaction_jobs(self, unit: str) -> Iterator[PageJob]:
        """Reactions to the unit's watched tweets, asked for only where a public count says there are new ones."""
        watched = sorted(
            (t for t in self.tweets.fold().values() if unit in t.units and not t.gone),
            key=lambda t: int(t.tweet_id),
        )
        lists = [
            (
                "/2/tweets/:id/retweeted_by",
                self.client.get_retweeters,
                "retweeters",
                "retweets",
                user_request,
            ),
            ("/2/tweets/:id/quote_tweets", self.client.get_quote_tweets, "quotes", "quotes", tweet_request),
        ]
        if self.config.x.liking_users:  # opt-in: every liking user is a paid read
            lists.append(
                ("/2/tweets/:id/liking_users", self.client.get_liking_users, "likers", "likes", user_request)
            )
        replies: dict[str, int] = {}
        for tweet in watched:
            for endpoint, method, what, metric, fields in lists:
                count = getattr(tweet, metric)
                if self._worth_asking(endpoint, tweet.tweet_id, count):
                    yield PageJob(
                        unit,
                        endpoint,
                        f"{what} of tweet {tweet.tweet_id}",
                        partial(method, tweet.tweet_id, max_results=MAX_RESULTS[endpoint], **fields()),
                        key=tweet.tweet_id,
                        token_param="pagination_token",
                        target_count=count,
                    )
            if tweet.replies and tweet.conversation_id:
                replies[tweet.conversation_id] = replies.get(tweet.conversation_id, 0) + tweet.replies
        search = f"/2/tweets/search/{self.config.x.search}"
        for conversation, count in sorted(replies.items()):
            query = f"conversation_id:{conversation}"
            if self._worth_asking(search, query, count):
                yield self.search_job(
                    unit, query, f"replies in conversation {conversation}", watch=False, target=count
                )

    def _worth_asking(self, endpoint: str, key: str, count: int) -> bool:
        cursor = self.cursors.load(endpoint, key)
        return cursor.in_progress or count > (cursor.done_count or 0)
