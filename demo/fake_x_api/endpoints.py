"""The endpoints: parameters checked like X checks them, selection, pagination tokens and expansions.

Everything here is a pure function of the dataset and the request; the HTTP server around it adds
authentication, rate-limit windows and faults.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tiemeter.demo.fake_x_api.dataset import DEFAULT_TWEET_FIELDS, DEFAULT_USER_FIELDS, XDataset
from tiemeter.demo.fake_x_api.query import QueryError, compile_query

NOT_FOUND = "https://api.x.com/2/problems/resource-not-found"

TWEET_FIELDS = {
    "attachments", "author_id", "card_uri", "context_annotations", "conversation_id", "created_at",
    "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang",
    "non_public_metrics", "note_tweet", "organic_metrics", "possibly_sensitive", "promoted_metrics",
    "public_metrics", "referenced_tweets", "reply_settings", "source", "text", "withheld",
}  # fmt: skip
USER_FIELDS = {
    "affiliation", "connection_status", "created_at", "description", "entities", "id", "location",
    "most_recent_tweet_id", "name", "pinned_tweet_id", "profile_banner_url", "profile_image_url",
    "protected", "public_metrics", "receives_your_dm", "subscription_type", "url", "username",
    "verified", "verified_type", "withheld",
}  # fmt: skip
TWEET_EXPANSIONS = {
    "attachments.media_keys", "attachments.poll_ids", "author_id", "edit_history_tweet_ids",
    "entities.mentions.username", "geo.place_id", "in_reply_to_user_id", "referenced_tweets.id",
    "referenced_tweets.id.author_id",
}  # fmt: skip
USER_EXPANSIONS = {"pinned_tweet_id", "most_recent_tweet_id", "affiliation.user_id"}
MEDIA_PLACE_POLL = {"media.fields", "place.fields", "poll.fields"}
TWEET_PARAMS = {"expansions", "tweet.fields", "user.fields"} | MEDIA_PLACE_POLL
USER_PARAMS = {"expansions", "tweet.fields", "user.fields"}
TIME_PARAMS = {"since_id", "until_id", "start_time", "end_time"}


class BadRequest(ValueError):
    """Answered with 400 and an invalid-request problem, as X does."""

    def __init__(self, message: str, parameter: str = "query"):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Endpoint:
    template: str
    pattern: re.Pattern
    params: frozenset[str]
    max_results: tuple[int, int, int] | None  # (min, max, default)
    serve: str  # the method of Endpoints that answers it
    returns: str  # tweets | users


def _endpoint(template: str, params: set[str], max_results, serve: str, returns: str) -> Endpoint:
    regex = "^" + re.escape(template).replace(":id", r"(?P<id>\d{1,19})") + "$"
    return Endpoint(template, re.compile(regex), frozenset(params), max_results, serve, returns)


PAGED = {"max_results", "pagination_token"}
SEARCH = PAGED | {"query", "next_token", "sort_order"} | TIME_PARAMS | TWEET_PARAMS
ENDPOINTS = [
    _endpoint("/2/tweets/search/recent", SEARCH, (10, 100, 10), "search", "tweets"),
    _endpoint("/2/tweets/search/all", SEARCH, (10, 500, 10), "search", "tweets"),
    _endpoint("/2/users/:id/tweets", PAGED | {"exclude"} | TIME_PARAMS | TWEET_PARAMS, (5, 100, 10), "timeline", "tweets"),
    _endpoint("/2/users/:id/mentions", PAGED | TIME_PARAMS | TWEET_PARAMS, (5, 100, 10), "mentions", "tweets"),
    _endpoint("/2/tweets/:id/quote_tweets", PAGED | {"exclude"} | TWEET_PARAMS, (10, 100, 10), "quote_tweets", "tweets"),
    _endpoint("/2/tweets/:id/retweeted_by", PAGED | USER_PARAMS, (1, 100, 100), "retweeted_by", "users"),
    _endpoint("/2/tweets/:id/liking_users", PAGED | USER_PARAMS | MEDIA_PLACE_POLL, (1, 100, 100), "liking_users", "users"),
    _endpoint("/2/tweets", {"ids"} | TWEET_PARAMS, None, "tweets_lookup", "tweets"),
    _endpoint("/2/users/by", {"usernames"} | USER_PARAMS, None, "users_by_username", "users"),
    _endpoint("/2/users", {"ids"} | USER_PARAMS, None, "users_lookup", "users"),
]  # fmt: skip


def route(path: str) -> tuple[Endpoint, str | None] | None:
    for endpoint in ENDPOINTS:
        match = endpoint.pattern.match(path)
        if match:
            return endpoint, match.groupdict().get("id")
    return None


def not_found(resource_type: str, parameter: str, value: str, what: str) -> dict[str, str]:
    return {
        "value": value,
        "detail": f"Could not find {what} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": NOT_FOUND,
    }


def _csv(params: dict[str, str], name: str) -> list[str]:
    return [v for v in params.get(name, "").split(",") if v]


def _check_values(params: dict[str, str], name: str, allowed: set[str]) -> set[str]:
    values = set(_csv(params, name))
    unknown = sorted(values - allowed)
    if unknown:
        raise BadRequest(
            f"The `{name}` query parameter value [{unknown[0]}] is not one of [{','.join(sorted(allowed))}]",
            name,
        )
    return values


class Pagination:
    """Opaque tokens, signed so that a token is valid only for the request that produced it."""

    def __init__(self, secret: bytes):
        self.secret = secret

    def encode(self, identity: str, position: int) -> str:
        payload = str(position).encode()
        sig = hmac.new(self.secret, identity.encode() + b"|" + payload, hashlib.sha256).digest()[:10]
        return base64.b32encode(sig + payload).decode().lower().rstrip("=")

    def decode(self, identity: str, token: str, parameter: str) -> int:
        try:
            raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
            sig, payload = raw[:10], raw[10:]
            expected = hmac.new(self.secret, identity.encode() + b"|" + payload, hashlib.sha256).digest()[:10]
            if hmac.compare_digest(sig, expected):
                return int(payload)
        except (ValueError, TypeError):
            pass
        raise BadRequest(f"The `{parameter}` query parameter value [{token}] is not valid", parameter)


class Endpoints:
    def __init__(
        self, dataset: XDataset, pagination: Pagination, now: Callable[[], float], recent_days: int | None
    ):
        self.dataset, self.pagination, self.now, self.recent_days = dataset, pagination, now, recent_days
        self._matches: dict[tuple[int, str], list[dict]] = {}  # (dataset version, query) -> matching tweets

    def answer(self, endpoint: Endpoint, path_id: str | None, params: dict[str, str]) -> dict[str, Any]:
        unknown = sorted(set(params) - endpoint.params - {"post.fields"})
        if unknown:
            raise BadRequest(
                f"The query parameter [{unknown[0]}] is not one of [{','.join(sorted(endpoint.params))}]",
                unknown[0],
            )
        if endpoint.returns == "tweets":
            _check_values(params, "expansions", TWEET_EXPANSIONS)
        else:
            _check_values(params, "expansions", USER_EXPANSIONS)
        _check_values(params, "tweet.fields", TWEET_FIELDS)
        _check_values(params, "user.fields", USER_FIELDS)
        with self.dataset.lock:
            return getattr(self, endpoint.serve)(endpoint, path_id, params)

    # -- rendering ------------------------------------------------------------------------------

    def _tweet_fields(self, params):
        return set(_csv(params, "tweet.fields")) | set(DEFAULT_TWEET_FIELDS)

    def _user_fields(self, params):
        return set(_csv(params, "user.fields")) | set(DEFAULT_USER_FIELDS)

    def tweets_page(self, tweets: list[dict], params: dict[str, str]) -> dict[str, Any]:
        """``data`` plus the ``includes`` and ``errors`` the requested expansions produce."""
        d = self.dataset
        expansions = set(_csv(params, "expansions"))
        tweet_fields, user_fields = self._tweet_fields(params), self._user_fields(params)
        page: dict[str, Any] = {"data": [d.render_tweet(t, tweet_fields) for t in tweets]}
        users: dict[str, dict] = {}
        included: dict[str, dict] = {}
        errors: list[dict] = []

        def want_user(user_id: str | None, parameter: str) -> None:
            if not user_id or user_id in users:
                return
            if user_id in d.users:
                users[user_id] = d.render_user(d.users[user_id], user_fields)
            else:
                errors.append(not_found("user", parameter, user_id, "user"))

        for tweet in tweets:
            if "author_id" in expansions:
                want_user(tweet["author_id"], "author_id")
            if "in_reply_to_user_id" in expansions:
                want_user(
                    d.render_tweet(tweet, {"in_reply_to_user_id"}).get("in_reply_to_user_id"),
                    "in_reply_to_user_id",
                )
            if "entities.mentions.username" in expansions:
                for mention in (tweet.get("entities") or {}).get("mentions") or ():
                    user = d.by_username.get(str(mention.get("username", "")).lower())
                    if user:
                        want_user(user["id"], "entities.mentions.username")
                    else:
                        errors.append(
                            not_found(
                                "user", "entities.mentions.username", mention.get("username", ""), "user"
                            )
                        )
            if "referenced_tweets.id" in expansions:
                for ref in tweet.get("referenced_tweets") or ():
                    rid = str(ref["id"])
                    if rid in included:
                        continue
                    if rid in d.tweets:
                        included[rid] = d.tweets[rid]
                    elif not any(e.get("resource_id") == rid for e in errors):
                        errors.append(not_found("tweet", "referenced_tweets.id", rid, "tweet"))
        if "referenced_tweets.id.author_id" in expansions:
            for tweet in included.values():
                want_user(tweet["author_id"], "referenced_tweets.id.author_id")
        includes = {}
        if users:
            includes["users"] = list(users.values())
        if included:
            includes["tweets"] = [d.render_tweet(t, tweet_fields) for t in included.values()]
        if includes:
            page["includes"] = includes
        if errors:
            page["errors"] = errors
        if not page["data"]:
            del page["data"]
        return page

    def users_page(self, users: list[dict], params: dict[str, str]) -> dict[str, Any]:
        fields = self._user_fields(params)
        return {"data": [self.dataset.render_user(u, fields) for u in users]} if users else {}

    # -- paging -------------------------------------------------------------------------------

    def _paged(
        self, endpoint: Endpoint, params: dict[str, str], keyed: list[tuple[int, dict]], identity: str
    ):
        """Items ``(sort key, item)`` newest first: one page of them, and the token of the next."""
        low, high, default = endpoint.max_results
        try:
            size = int(params.get("max_results", default))
        except ValueError:
            raise BadRequest(
                "The `max_results` query parameter value is not a number", "max_results"
            ) from None
        if not low <= size <= high:
            raise BadRequest(
                f"The `max_results` query parameter value [{size}] is not between {low} and {high}",
                "max_results",
            )
        token_param = "next_token" if "next_token" in params else "pagination_token"
        token = params.get(token_param)
        if token:
            after = self.pagination.decode(identity, token, token_param)
            keyed = [(k, item) for k, item in keyed if k < after]
        page, rest = keyed[:size], keyed[size:]
        next_token = self.pagination.encode(identity, page[-1][0]) if rest else None
        return [item for _, item in page], next_token

    @staticmethod
    def _identity(endpoint: Endpoint, path_id: str | None, params: dict[str, str]) -> str:
        return "|".join(
            [
                endpoint.template,
                path_id or "",
                *(params.get(k, "") for k in ("query", "since_id", "until_id")),
            ]
        )

    def _tweet_list(self, endpoint, path_id, params, tweets: list[dict]) -> dict[str, Any]:
        since, until = params.get("since_id"), params.get("until_id")
        for name in ("since_id", "until_id"):
            if params.get(name) and not params[name].isdigit():
                raise BadRequest(f"The `{name}` query parameter value [{params[name]}] is not valid", name)
        keyed = [
            (int(t["id"]), t)
            for t in tweets
            if (not since or int(t["id"]) > int(since)) and (not until or int(t["id"]) < int(until))
        ]
        chosen, next_token = self._paged(endpoint, params, keyed, self._identity(endpoint, path_id, params))
        page = self.tweets_page(chosen, params)
        meta: dict[str, Any] = {"result_count": len(chosen)}
        if chosen:
            meta = {"newest_id": chosen[0]["id"], "oldest_id": chosen[-1]["id"], **meta}
        if next_token:
            meta["next_token"] = next_token
        page["meta"] = meta
        return page

    def _user_list(self, endpoint, path_id, params, keyed: list[tuple[int, dict]]) -> dict[str, Any]:
        chosen, next_token = self._paged(endpoint, params, keyed, self._identity(endpoint, path_id, params))
        page = self.users_page(chosen, params)
        page["meta"] = {"result_count": len(chosen), **({"next_token": next_token} if next_token else {})}
        return page

    # -- the endpoints ----------------------------------------------------------------------------

    def search(self, endpoint, path_id, params):
        if "query" not in params:
            raise BadRequest("The `query` query parameter can not be empty", "query")
        key = (self.dataset.version, params["query"])
        if key not in self._matches:
            try:
                matches = compile_query(params["query"], self.dataset)
            except QueryError as error:
                raise BadRequest(str(error), "query") from None
            if len(self._matches) > 256:
                self._matches.clear()
            self._matches[key] = [t for t in self.dataset.newest_first if matches(t)]
        tweets = self._matches[key]
        if endpoint.template.endswith("/recent") and self.recent_days:
            oldest = self.now() - self.recent_days * 86400
            tweets = [t for t in tweets if _epoch(t["created_at"]) >= oldest]
        return self._tweet_list(endpoint, path_id, params, tweets)

    def timeline(self, endpoint, path_id, params):
        if path_id not in self.dataset.users:
            return {"errors": [not_found("user", "id", path_id, "user")]}
        excluded = set(_csv(params, "exclude"))
        kinds = {"retweets": "retweeted", "replies": "replied_to"}
        skip = {kinds[e] for e in excluded if e in kinds}
        tweets = [
            t
            for t in self.dataset.by_author.get(path_id, ())
            if not any(r["type"] in skip for r in t.get("referenced_tweets") or ())
        ]
        return self._tweet_list(endpoint, path_id, params, tweets)

    def mentions(self, endpoint, path_id, params):
        if path_id not in self.dataset.users:
            return {"errors": [not_found("user", "id", path_id, "user")]}
        return self._tweet_list(endpoint, path_id, params, self.dataset.mentioning.get(path_id, []))

    def quote_tweets(self, endpoint, path_id, params):
        if path_id not in self.dataset.tweets:
            return {"errors": [not_found("tweet", "id", path_id, "tweet")]}
        quotes = self.dataset.referencing.get(("quoted", path_id), [])
        return self._tweet_list(endpoint, path_id, params, quotes)

    def retweeted_by(self, endpoint, path_id, params):
        if path_id not in self.dataset.tweets:
            return {"errors": [not_found("tweet", "id", path_id, "tweet")]}
        keyed, seen = [], set()
        for retweet in self.dataset.referencing.get(("retweeted", path_id), []):  # newest first
            user = self.dataset.users.get(retweet["author_id"])
            if user and user["id"] not in seen:
                seen.add(user["id"])
                keyed.append((int(retweet["id"]), user))
        return self._user_list(endpoint, path_id, params, keyed)

    def liking_users(self, endpoint, path_id, params):
        tweet = self.dataset.tweets.get(path_id)
        if tweet is None:
            return {"errors": [not_found("tweet", "id", path_id, "tweet")]}
        likers = [str(u) for u in tweet.get("liking_user_ids") or ()]
        keyed = [(i, self.dataset.users[u]) for i, u in enumerate(likers) if u in self.dataset.users][::-1]
        return self._user_list(endpoint, path_id, params, keyed)

    def _lookup(self, params: dict[str, str], name: str) -> list[str]:
        values = _csv(params, name)
        if not values or len(values) > 100:
            raise BadRequest(
                f"The `{name}` query parameter must hold 1 to 100 values, got {len(values)}", name
            )
        return values

    def tweets_lookup(self, endpoint, path_id, params):
        ids = self._lookup(params, "ids")
        found = [self.dataset.tweets[i] for i in ids if i in self.dataset.tweets]
        page = self.tweets_page(found, params)
        missing = [not_found("tweet", "ids", i, "tweet") for i in ids if i not in self.dataset.tweets]
        if missing:
            page["errors"] = missing + page.get("errors", [])
        return page

    def users_by_username(self, endpoint, path_id, params):
        names = self._lookup(params, "usernames")
        found = [self.dataset.by_username[n.lower()] for n in names if n.lower() in self.dataset.by_username]
        page = self.users_page(found, params)
        missing = [n for n in names if n.lower() not in self.dataset.by_username]
        if missing:
            page["errors"] = [not_found("user", "usernames", n, "user") for n in missing]
        return page

    def users_lookup(self, endpoint, path_id, params):
        ids = self._lookup(params, "ids")
        page = self.users_page([self.dataset.users[i] for i in ids if i in self.dataset.users], params)
        missing = [i for i in ids if i not in self.dataset.users]
        if missing:
            page["errors"] = [not_found("user", "ids", i, "user") for i in missing]
        return page


def _epoch(created_at: str) -> float:
    return datetime.fromisoformat(created_at.replace("Z", "+00:00")).timestamp()
