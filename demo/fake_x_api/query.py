"""The search query language, as far as tiemeter uses it; anything else gets a 400 like on X.

Supported: plain words, ``"quoted phrases"``, ``url:"..."``, ``conversation_id:``, ``from:``,
``to:``, ``@user``, ``#tag``, ``lang:``, ``is:retweet|reply|quote``, ``-`` before any term, and
``OR`` between groups of terms (no parentheses). Terms side by side must all match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tiemeter.demo.fake_x_api.dataset import XDataset

_TOKEN = re.compile(r'\s*(-?)(?:([A-Za-z_]+):("[^"]*"|\S+)|("[^"]*")|(\S+))')
Predicate = Callable[[dict[str, Any]], bool]


class QueryError(ValueError):
    """A query the real API would refuse with 400 (the message mirrors X's wording)."""


def _norm_url(url: str) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", url.strip().lower()).rstrip("/")


def _words(text: str) -> str:
    return " " + re.sub(r"[^\w@#]+", " ", text.lower()) + " "


def compile_query(query: str, dataset: XDataset) -> Predicate:
    if not query.strip():
        raise QueryError("query must not be empty")
    if "(" in query or ")" in query:
        raise QueryError("the fake X API does not support grouping with parentheses")
    groups = [g for g in re.split(r"\s+OR\s+", query.strip())]
    compiled = [
        [_term(neg, op, value, phrase, word, dataset) for neg, op, value, phrase, word in _TOKEN.findall(g)]
        for g in groups
    ]
    if any(not terms for terms in compiled):
        raise QueryError(f"there is an empty group around OR in {query!r}")
    return lambda tweet: any(all(term(tweet) for term in terms) for terms in compiled)


def _term(neg: str, op: str, value: str, phrase: str, word: str, dataset: XDataset) -> Predicate:
    if op:
        test = _operator(op.lower(), value.strip('"'), dataset)
    elif phrase:
        needle = _words(phrase.strip('"')).strip()
        test = lambda t: f" {needle} " in _words(t.get("text", ""))  # noqa: E731
    else:
        lowered = word.lower()
        test = lambda t: f" {lowered} " in _words(t.get("text", ""))  # noqa: E731
    return (lambda t: not test(t)) if neg else test


def _operator(op: str, value: str, dataset: XDataset) -> Predicate:
    if op == "url":
        wanted = _norm_url(value)
        return lambda t: any(wanted in url for url in _urls(t, dataset))
    if op == "conversation_id":
        return lambda t: dataset.conversation_id(t) == value
    if op == "from":
        return lambda t: _is_user(t["author_id"], value, dataset)
    if op == "to":
        return lambda t: _is_user(
            dataset.render_tweet(t, {"in_reply_to_user_id"}).get("in_reply_to_user_id"), value, dataset
        )
    if op == "lang":
        return lambda t: t.get("lang", "en") == value
    if op == "is":
        kinds = {"retweet": "retweeted", "reply": "replied_to", "quote": "quoted"}
        if value not in kinds:
            raise QueryError(f"Reference to invalid operator 'is:{value}'")
        kind = kinds[value]
        return lambda t: any(r["type"] == kind for r in t.get("referenced_tweets") or ())
    raise QueryError(
        f"Reference to invalid operator '{op}'. Operator is not available in current product or product packaging."
    )


def _is_user(user_id: str | None, value: str, dataset: XDataset) -> bool:
    if not user_id:
        return False
    user = dataset.users.get(user_id)
    return user_id == value or (user is not None and user["username"].lower() == value.lstrip("@").lower())


def _urls(tweet: dict[str, Any], dataset: XDataset) -> list[str]:
    """A retweet's text carries the original's links, so url: matches retweets of a matching tweet too."""
    sources = [tweet]
    for ref in tweet.get("referenced_tweets") or ():
        if ref["type"] == "retweeted" and (original := dataset.tweets.get(str(ref["id"]))):
            sources.append(original)
    urls = []
    for source in sources:
        for entity in (source.get("entities") or {}).get("urls") or ():
            urls += [_norm_url(entity[k]) for k in ("expanded_url", "unwound_url", "url") if entity.get(k)]
    return urls
