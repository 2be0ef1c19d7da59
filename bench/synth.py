"""Synthetic X API v2 pages shaped like the real ``noflat.jsonl`` search page (100 tweets + includes)."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import orjson

SHARED = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "x_api_v2"
TEMPLATE = SHARED / "noflat.jsonl"


FIRST_ID = 1_900_000_000_000_000_000
IDS_PER_TWEET = 2  # data + includes.tweets of the template take fewer than 2 fresh ids per data tweet


def _scramble(text: str, rng: random.Random) -> str:
    """Random letters of about the same length: text no compressor can share between pages."""
    return base64.b64encode(rng.randbytes(len(text) * 3 // 4 + 1)).decode()[: len(text)]


def write_pages(
    path: Path,
    tweets: int,
    template: Path = TEMPLATE,
    first_id: int = FIRST_ID,
    vary_text: bool = False,
    seed: int = 7,
) -> int:
    """Write pages until ``tweets`` tweets are in ``data``; returns the number of pages.

    Every page copies the template with fresh tweet ids (data and includes), so nothing dedupes away.
    Ids start at ``first_id``: a later batch passes ``first_id + IDS_PER_TWEET * tweets_so_far``.
    ``vary_text`` replaces tweet texts and user names/descriptions with random letters, so a
    compressing store cannot share them between pages (real pages do not repeat; the template does).
    """
    raw = template.read_bytes().splitlines()[0]
    page = orjson.loads(raw)
    per_page = len(page["data"])
    pages = 0
    base = first_id
    rng = random.Random(seed + first_id)
    with open(path, "wb") as out:
        written = 0
        while written < tweets:
            new = orjson.loads(raw)
            n = min(per_page, tweets - written)
            new["data"] = new["data"][:n]
            remap = {}
            for t in new["data"] + new.get("includes", {}).get("tweets", []):
                remap.setdefault(t["id"], str(base + len(remap)))
            base += len(remap)
            for t in new["data"] + new.get("includes", {}).get("tweets", []):
                t["id"] = remap[t["id"]]
                t["edit_history_tweet_ids"] = [t["id"]]
                t["conversation_id"] = remap.get(t.get("conversation_id"), t.get("conversation_id"))
                for ref in t.get("referenced_tweets", []):
                    ref["id"] = remap.get(ref["id"], ref["id"])
                if vary_text:
                    t["text"] = _scramble(t.get("text", ""), rng)
            if vary_text:
                for user in new.get("includes", {}).get("users", []):
                    for key in ("name", "description"):
                        if isinstance(user.get(key), str):
                            user[key] = _scramble(user[key], rng)
            out.write(orjson.dumps(new) + b"\n")
            written += n
            pages += 1
    return pages
