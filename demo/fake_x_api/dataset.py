"""The users and tweets the fake X API serves, and how they look on the wire.

A dataset is two lists of plain dicts in the X API v2 shapes, so that a generator can write them
as it would read them from the API:

- ``users``: ``{"id", "username"}`` required; ``name``, ``created_at``, ``description``, ``url``,
  ``location``, ``verified``, ``verified_type``, ``protected``, ``profile_image_url`` and
  ``public_metrics`` (``followers_count``, ``following_count``, ``tweet_count``, ``listed_count``)
  optional, with plain defaults.
- ``tweets``: ``{"id", "author_id", "text", "created_at"}`` required; ``referenced_tweets``
  (``[{"type": "retweeted" | "quoted" | "replied_to", "id"}]``), ``conversation_id`` (default: the
  replied-to tweet's conversation, else the tweet's own id), ``in_reply_to_user_id`` (default: the
  replied-to tweet's author), ``entities`` (``mentions`` as ``{"username"}`` is enough: ``id``,
  ``start`` and ``end`` are filled in; ``urls`` as ``{"expanded_url"}``), ``lang`` (default
  ``en``), ``public_metrics`` and ``edit_history_tweet_ids`` optional. One key is not API data:
  ``liking_user_ids``, the users who liked it (served by liking_users, never in a tweet object).

``public_metrics`` of a tweet default to what the dataset itself implies: the retweets, quotes and
replies that reference it and its liking users; keys given explicitly win. Ids are decimal strings
and order tweets in time, as on X. A tweet referenced but absent counts as deleted: expansions
report it in ``errors``, like the real API.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

NOT_API_KEYS = ("liking_user_ids",)
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
DEFAULT_USER_FIELDS = ("id", "name", "username")
USER_DEFAULTS = {
    "created_at": "2010-01-01T00:00:00.000Z",
    "description": "",
    "location": None,
    "url": "",
    "verified": False,
    "verified_type": "none",
    "protected": False,
    "profile_image_url": "https://pbs.twimg.com/profile_images/default_normal.png",
}


class XDataset:
    """Users and tweets with the indexes the endpoints need; safe to extend while the server runs."""

    def __init__(self, users: Iterable[dict[str, Any]] = (), tweets: Iterable[dict[str, Any]] = ()):
        self.lock = threading.RLock()
        self.users: dict[str, dict[str, Any]] = {}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.version = 0  # changes with every edit: cached search results are keyed by it
        self.add_users(users)
        self.add_tweets(tweets)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> XDataset:
        return cls(data.get("users", ()), data.get("tweets", ()))

    # -- building -----------------------------------------------------------------------------

    def add_users(self, users: Iterable[dict[str, Any]]) -> None:
        with self.lock:
            for user in users:
                user = copy.deepcopy(user)
                user["id"] = str(user["id"])
                user.setdefault("name", user["username"])
                self.users[user["id"]] = user
            self._reindex()

    def add_tweets(self, tweets: Iterable[dict[str, Any]]) -> None:
        with self.lock:
            for tweet in tweets:
                tweet = copy.deepcopy(tweet)
                tweet["id"] = str(tweet["id"])
                self.tweets[tweet["id"]] = tweet
            self._reindex()

    def set_metrics(self, tweet_id: str, **counts: int) -> None:
        """Set explicit public metrics (``like_count=7``, ``impression_count=900``, ...)."""
        with self.lock:
            self.tweets[tweet_id].setdefault("public_metrics", {}).update(counts)
            self.version += 1

    def _reindex(self) -> None:
        self.version += 1
        self.by_username = {u["username"].lower(): u for u in self.users.values()}
        self.newest_first = sorted(self.tweets.values(), key=lambda t: int(t["id"]), reverse=True)
        self.referencing: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.by_author: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.mentioning: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for tweet in self.newest_first:
            self.by_author[tweet["author_id"]].append(tweet)
            for ref in tweet.get("referenced_tweets") or ():
                self.referencing[(ref["type"], str(ref["id"]))].append(tweet)
            for mention in (tweet.get("entities") or {}).get("mentions") or ():
                user = self.by_username.get(str(mention.get("username", "")).lower())
                uid = str(mention.get("id") or (user or {}).get("id") or "")
                if uid:
                    self.mentioning[uid].append(tweet)

    # -- reading ------------------------------------------------------------------------------

    def replied_to(self, tweet: dict[str, Any]) -> dict[str, Any] | None:
        for ref in tweet.get("referenced_tweets") or ():
            if ref["type"] == "replied_to":
                return self.tweets.get(str(ref["id"]))
        return None

    def conversation_id(self, tweet: dict[str, Any]) -> str:
        """The explicit one, else the root of the reply chain (the tweet itself when it replies to nothing)."""
        seen: set[str] = set()
        while not tweet.get("conversation_id"):
            parent = self.replied_to(tweet)
            if parent is None or parent["id"] in seen:
                return tweet["id"]
            seen.add(tweet["id"])
            tweet = parent
        return str(tweet["conversation_id"])

    def tweet_metrics(self, tweet: dict[str, Any]) -> dict[str, int]:
        tid = tweet["id"]
        metrics = {
            "retweet_count": len(self.referencing.get(("retweeted", tid), ())),
            "reply_count": len(self.referencing.get(("replied_to", tid), ())),
            "like_count": len(tweet.get("liking_user_ids") or ()),
            "quote_count": len(self.referencing.get(("quoted", tid), ())),
            "bookmark_count": 0,
            "impression_count": 0,
        }
        metrics.update(tweet.get("public_metrics") or {})
        metrics["repost_count"] = metrics["retweet_count"]  # the name openapi.json requires, beside X's own
        return metrics

    def user_metrics(self, user: dict[str, Any]) -> dict[str, int]:
        metrics = {
            "followers_count": 0,
            "following_count": 0,
            "tweet_count": len(self.by_author.get(user["id"], ())),
            "listed_count": 0,
        }
        metrics.update(user.get("public_metrics") or {})
        metrics["post_count"] = metrics["tweet_count"]  # the name openapi.json requires, beside X's own
        return metrics

    def entities(self, tweet: dict[str, Any]) -> dict[str, Any]:
        entities = copy.deepcopy(tweet.get("entities") or {})
        text = tweet.get("text", "")
        for mention in entities.get("mentions") or ():
            user = self.by_username.get(str(mention.get("username", "")).lower())
            if user and not mention.get("id"):
                mention["id"] = user["id"]
            _place(mention, text, "@" + str(mention.get("username", "")))
        for url in entities.get("urls") or ():
            url.setdefault("url", url.get("expanded_url", ""))
            url.setdefault("display_url", re.sub(r"^https?://(www\.)?", "", url.get("expanded_url", ""))[:40])
            _place(url, text, url["url"])
        return entities

    def render_tweet(self, tweet: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": tweet["id"],
            "text": tweet["text"],
            "edit_history_tweet_ids": [str(i) for i in tweet.get("edit_history_tweet_ids") or [tweet["id"]]],
        }
        parent = self.replied_to(tweet)
        values = {
            "author_id": lambda: tweet["author_id"],
            "created_at": lambda: tweet["created_at"],
            "conversation_id": lambda: self.conversation_id(tweet),
            "lang": lambda: tweet.get("lang", "en"),
            "public_metrics": lambda: self.tweet_metrics(tweet),
            "entities": lambda: self.entities(tweet) or None,
            "referenced_tweets": lambda: (
                [{"type": r["type"], "id": str(r["id"])} for r in tweet.get("referenced_tweets") or ()]
                or None
            ),
            "in_reply_to_user_id": lambda: (
                tweet.get("in_reply_to_user_id") or (parent or {}).get("author_id")
            ),
            "possibly_sensitive": lambda: tweet.get("possibly_sensitive", False),
            "withheld": lambda: tweet.get("withheld"),
        }
        for name in sorted(fields):
            if name in values and (value := values[name]()) is not None:
                out[name] = value
        return out

    def render_user(self, user: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        out = {"id": user["id"], "name": user["name"], "username": user["username"]}
        for name in sorted(fields):
            if name == "public_metrics":
                out[name] = self.user_metrics(user)
            elif name in USER_DEFAULTS or name == "withheld":
                value = user.get(name, USER_DEFAULTS.get(name))
                if value is not None:
                    out[name] = value
        return out


def _place(entity: dict[str, Any], text: str, needle: str) -> None:
    if "start" in entity and "end" in entity:
        return
    start = text.lower().find(needle.lower()) if needle else -1
    entity["start"], entity["end"] = (start, start + len(needle)) if start >= 0 else (0, 0)
