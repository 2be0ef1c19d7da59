"""Counts computed straight from the JSON files, without any tiemeter code: the tests' yardstick.

Rules (the same ones a reader of the X API v2 docs would apply):
- a tweet is any object with ``id`` and ``text`` in ``data``, ``includes.tweets``, a twarc-flattened
  line, or a flattened line's ``referenced_tweets``; versions of an edited tweet (``edit_history_tweet_ids``)
  count once;
- a user is any user id seen: profiles (``data`` of a users page, ``includes.users``, twarc's inlined
  ``author`` / ``in_reply_to_user`` / mentions), and ids in ``author_id``, ``in_reply_to_user_id`` and mentions;
- a reference is a distinct (tweet, type, referenced tweet) of each tweet's latest version.
"""

from __future__ import annotations

import json
import re
from pathlib import Path


def _lines(path: Path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        docs = [json.loads(text)] if text.strip().startswith("{") and "\n{" not in text.strip() else None
    except json.JSONDecodeError:
        docs = None
    if docs is None:
        docs = []
        for line in text.splitlines():
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return [d for d in docs if isinstance(d, dict)]


def twarc_counts(path: Path) -> dict[str, int]:
    tweet_objects: list[dict] = []
    profiles: list[dict] = []
    for doc in _lines(path):
        data = doc.get("data")
        if data is not None:
            items = data if isinstance(data, list) else [data]
            if items and "text" in items[0]:
                tweet_objects += items
            if items and "username" in items[0]:
                profiles += items
            includes = doc.get("includes", {})
            if items and ("text" in items[0] or "username" in items[0]):
                tweet_objects += includes.get("tweets", [])
                profiles += includes.get("users", [])
        elif "text" in doc and "id" in doc:  # a flattened tweet
            tweet_objects.append(doc)
            for ref in doc.get("referenced_tweets", []):
                if "text" in ref:
                    tweet_objects.append(ref)
                if isinstance(ref.get("author"), dict):
                    profiles.append(ref["author"])
            for key in ("author", "in_reply_to_user"):
                if isinstance(doc.get(key), dict):
                    profiles.append(doc[key])
            profiles += [m for m in doc.get("entities", {}).get("mentions", []) if "name" in m]
    tweet_objects = [t for t in tweet_objects if "text" in t and "id" in t]

    chain_of = {}
    for t in tweet_objects:
        history = t.get("edit_history_tweet_ids") or []
        for version in history:
            chain_of[version] = history[0]
    for t in tweet_objects:
        chain_of.setdefault(t["id"], t["id"])

    latest: dict[str, dict] = {}
    for t in tweet_objects:
        chain = chain_of[t["id"]]
        if chain not in latest or int(t["id"]) > int(latest[chain]["id"]):
            latest[chain] = t
    refs = {
        (chain, r["type"], chain_of.get(r["id"], r["id"]))
        for chain, t in latest.items()
        for r in t.get("referenced_tweets", [])
        if "type" in r and "id" in r
    }
    users = {p["id"] for p in profiles if p.get("id") and "name" in p}
    for t in tweet_objects:
        users.add(t.get("author_id"))
        users.add(t.get("in_reply_to_user_id"))
        users.update(m.get("id") for m in t.get("entities", {}).get("mentions", []))
    users.discard(None)
    return {"tweets": len(latest), "users": len(users), "refs": len(refs)}


def _ytd(path: Path) -> list:
    text = path.read_text("utf-8")
    return json.loads(re.sub(r"^\s*window\.YTD\.\w+\.part\d+\s*=\s*", "", text, count=1))


def archive_counts(folder: Path, owner_id: str) -> dict[str, int]:
    tweets = [item["tweet"] for item in _ytd(folder / "tweets.js")]
    users = {owner_id}
    for t in tweets:
        users.add(t.get("in_reply_to_user_id_str"))
        users.update(m["id_str"] for m in t["entities"].get("user_mentions", []))
    follows = set()
    for item in _ytd(folder / "follower.js"):
        users.add(item["follower"]["accountId"])
        follows.add((item["follower"]["accountId"], owner_id))
    for item in _ytd(folder / "following.js"):
        users.add(item["following"]["accountId"])
        follows.add((owner_id, item["following"]["accountId"]))
    users.discard(None)
    refs = {
        (t["id_str"], t["in_reply_to_status_id_str"]) for t in tweets if t.get("in_reply_to_status_id_str")
    }
    return {
        "tweets": len({t["id_str"] for t in tweets}),
        "users": len(users),
        "refs": len(refs),
        "follows": len(follows),
    }
