"""What kind of X API v2 document a JSON object is, judged from its shape.

Kinds: ``tweets`` (a page whose ``data`` holds tweets), ``users``, ``counts``, ``lists``,
``errors`` (only an ``errors`` array, as a stream sends), ``empty`` (a page with no results),
``flat_tweet`` (one tweet as twarc's ``flatten`` writes it) and ``compliance`` (a batch-compliance row,
or a compliance stream event: ``{"data": {"user_suspend": {"user": {"id": ...}, "event_at": ...}}}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import simdjson

from tiemeter.errors import SkippableError

# Pages are parsed with simdjson (lazy, no Python objects) on the hot path, or with json/orjson
# elsewhere; the checks below accept both.
OBJECT_TYPES = (Mapping, simdjson.Object)
ARRAY_TYPES = (list, simdjson.Array)


class ShapeError(SkippableError):
    pass


# The events of X's compliance streams (Post and User streams; openapi PostComplianceData and
# UserComplianceData), each the one key of a stream message's ``data``.
COMPLIANCE_STREAM_EVENTS = frozenset(
    {
        "delete",
        "withheld",
        "drop",
        "undrop",
        "tweet_edit",
        "scrub_geo",
        "user_delete",
        "user_undelete",
        "user_suspend",
        "user_unsuspend",
        "user_protect",
        "user_unprotect",
        "user_withheld",
        "user_profile_modification",
    }
)


def _is_compliance_event(data: Any) -> bool:
    if not isinstance(data, OBJECT_TYPES) or len(data) != 1:
        return False
    (event,) = list(data.keys())
    body = data[event]
    return event in COMPLIANCE_STREAM_EVENTS and isinstance(body, OBJECT_TYPES)


def _item_kind(item: Any) -> str | None:
    if "text" in item or "edit_history_tweet_ids" in item:
        return "tweets"
    if "username" in item:
        return "users"
    if "tweet_count" in item and "start" in item:
        return "counts"
    if "member_count" in item or "follower_count" in item:
        return "lists"
    return None


_DIGITS = re.compile(r"^[0-9]{1,19}$")
# X's form (2022-03-15T12:00:00.000Z) and any other ISO 8601 time with an offset
_API_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$")


def check_tweet(tweet: Any, where: str) -> None:
    """A tweet the models can keep: a numeric id, a numeric author_id and a created_at time.

    X always sends these when asked (and tiemeter and twarc always ask); a tweet without them
    would load as a row with NULLs, so its line is refused instead."""
    tweet_id = tweet.get("id")
    if not isinstance(tweet_id, str) or not _DIGITS.match(tweet_id):
        raise ShapeError(f"{where}: tweet id {tweet_id!r} is not a numeric string")
    author = tweet.get("author_id")
    if not isinstance(author, str) or not _DIGITS.match(author):
        raise ShapeError(f"{where}: tweet {tweet_id} has author_id {author!r}, not a numeric string")
    created = tweet.get("created_at")
    if not isinstance(created, str) or not _API_TIME.match(created):
        raise ShapeError(f"{where}: tweet {tweet_id} has created_at {created!r}, not an ISO 8601 time")


def _check_included_tweets(obj: Any) -> None:
    includes = obj.get("includes")
    tweets = includes.get("tweets") if isinstance(includes, OBJECT_TYPES) else None
    if isinstance(tweets, ARRAY_TYPES):
        for tweet in tweets:
            if not isinstance(tweet, OBJECT_TYPES):
                raise ShapeError("includes.tweets: every item must be an object")
            check_tweet(tweet, "includes.tweets")


def classify_page(obj: Any) -> str:
    """Return the kind of ``obj`` or raise ``ShapeError`` saying what is wrong with it."""
    if not isinstance(obj, OBJECT_TYPES):
        kind = "list" if isinstance(obj, ARRAY_TYPES) else type(obj).__name__
        raise ShapeError(f"a JSON {kind} where an X API v2 page (an object) was expected")
    if "data" in obj:
        data = obj["data"]
        if _is_compliance_event(data):
            return "compliance"
        items = data if isinstance(data, ARRAY_TYPES) else [data]
        if not len(items):
            return "empty"
        kinds = set()
        for item in items:
            if not isinstance(item, OBJECT_TYPES) or not isinstance(item.get("id", item.get("start")), str):
                raise ShapeError(
                    "unexpected page shape: every item of 'data' must be an object with a string 'id'"
                )
            kinds.add(_item_kind(item))
        if len(kinds) != 1 or None in kinds:
            keys = sorted(items[0].keys())[:8]
            raise ShapeError(
                f"unexpected page shape: 'data' items are not tweets, users, counts or lists (keys {keys})"
            )
        kind = kinds.pop()
        if kind == "tweets":
            for item in items:
                check_tweet(item, "data")
            _check_included_tweets(obj)
        return kind
    if isinstance(obj.get("errors"), ARRAY_TYPES):
        return "errors"
    if isinstance(obj.get("meta"), OBJECT_TYPES) and obj["meta"].get("result_count") == 0:
        return "empty"
    if isinstance(obj.get("id"), str) and ("text" in obj or "edit_history_tweet_ids" in obj):
        check_tweet(obj, "tweet")
        return "flat_tweet"
    if isinstance(obj.get("id"), str) and obj.get("action") in {"delete", "scrub_geo", "undelete"}:
        return "compliance"
    raise ShapeError(
        f"unexpected page shape: no 'data', 'errors' or tweet fields (keys {sorted(obj.keys())[:8]})"
    )


def endpoint_from_url(url: str | None) -> str | None:
    """``https://api.twitter.com/2/tweets/search/recent?x=1`` -> ``/2/tweets/search/recent``."""
    if not url:
        return None
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    return "/" + path
