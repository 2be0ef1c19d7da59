"""Which collected tweets to watch: for the metrics re-poll and for their reactions.

An append-only log under ``state/x/``: one line each time a tracked or campaign tweet is seen,
with its creation time, the time of the observation, its public metrics and its conversation.
Folding the log gives, per tweet, the latest counts (which say whether retweeters, quotes, likers
or replies are worth a request) and the last observation (which says whether a metrics re-poll is
due). It is appended *before* the page lands, so after a kill a tweet on a landed page is always
watched. The appends reach the disk (fsync) once per pagination rather than once per page: a power
cut can lose the watch of the last pages landed, never a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from tiemeter.collectors.state_files import append_json_lines, locked, read_json_lines, write_atomic
from tiemeter.temp_files import fsync_path

# Re-poll metrics about 1 h, 6 h, 24 h and 7 d after posting: metrics become a time series.
REPOLL_AFTER_S = (3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600)
KEEP_S = 8 * 24 * 3600  # a tweet neither posted nor seen for this long is dropped from the log
METRIC_KEYS = ("retweet_count", "reply_count", "like_count", "quote_count")


@dataclass
class WatchedTweet:
    tweet_id: str
    created: float
    observed: float
    metrics: tuple[int, int, int, int]  # retweets, replies, likes, quotes
    conversation_id: str | None
    units: set[str] = field(default_factory=set)
    gone: bool = False

    @property
    def retweets(self) -> int:
        return self.metrics[0]

    @property
    def replies(self) -> int:
        return self.metrics[1]

    @property
    def likes(self) -> int:
        return self.metrics[2]

    @property
    def quotes(self) -> int:
        return self.metrics[3]

    def repoll_due(self, now: float) -> bool:
        return any(self.observed < self.created + after <= now for after in REPOLL_AFTER_S)


def _epoch(created_at: str | None) -> float | None:
    if not created_at:
        return None
    try:
        return datetime.fromisoformat(created_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def is_retweet(tweet: Mapping[str, Any]) -> bool:
    return any(ref.get("type") == "retweeted" for ref in tweet.get("referenced_tweets") or ())


def observation(tweet: Mapping[str, Any], unit: str | None, now: float) -> dict[str, Any] | None:
    created = _epoch(tweet.get("created_at"))
    if created is None or "id" not in tweet:
        return None
    metrics = tweet.get("public_metrics") or {}
    line = {
        "t": tweet["id"],
        "c": created,
        "o": now,
        "m": [int(metrics.get(k) or 0) for k in METRIC_KEYS],
        "v": tweet.get("conversation_id"),
    }
    if unit:
        line["u"] = unit
    return line


class TweetLog:
    def __init__(self, path: Path):
        self.path = path
        self._unsynced = False

    def note(self, tweets: Iterable[Mapping[str, Any]], unit: str | None, now: float) -> int:
        """Log an observation of each tweet (``unit`` None: a re-poll, which keeps the tweet's units)."""
        lines = [line for t in tweets if (line := observation(t, unit, now))]
        append_json_lines(self.path, lines, sync=False)
        self._unsynced = self._unsynced or bool(lines)
        return len(lines)

    def sync(self) -> None:
        if self._unsynced:
            fsync_path(self.path)
            self._unsynced = False

    def gone(self, tweet_ids: Iterable[str]) -> None:
        append_json_lines(self.path, [{"t": tid, "g": 1} for tid in tweet_ids])

    def fold(self) -> dict[str, WatchedTweet]:
        tweets: dict[str, WatchedTweet] = {}
        for line in read_json_lines(self.path):
            tid = line.get("t")
            if not isinstance(tid, str):
                continue
            known = tweets.get(tid)
            if line.get("g"):
                if known:
                    known.gone = True
                continue
            if known is None:
                known = tweets[tid] = WatchedTweet(tid, line["c"], line["o"], tuple(line["m"]), line.get("v"))
            elif line["o"] >= known.observed:
                known.observed, known.metrics = line["o"], tuple(line["m"])
            if line.get("u"):
                known.units.add(line["u"])
        return tweets

    def compact(self, now: float) -> None:
        """Rewrite the log with one line per tweet still worth watching."""
        with locked(self.path):
            kept = []
            for t in self.fold().values():
                if t.gone or max(t.created, t.observed) < now - KEEP_S:
                    continue
                for unit in sorted(t.units) or [None]:
                    line = {"t": t.tweet_id, "c": t.created, "o": t.observed, "m": list(t.metrics)}
                    line["v"] = t.conversation_id
                    if unit:
                        line["u"] = unit
                    kept.append(line)
            write_atomic(self.path, b"".join(orjson.dumps(line) + b"\n" for line in kept))
