"""Synthetic X API v2 pages shaped like the real ``noflat.jsonl`` search page (100 tweets + includes)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "x_api_v2"
TEMPLATE = SHARED / "noflat.jsonl"


def write_pages(path: Path, tweets: int, template: Path = TEMPLATE) -> int:
    """Write pages until ``tweets`` tweets are in ``data``; returns the number of pages.

    Every page copies the template with fresh tweet ids (data and includes), so nothing dedupes away.
    """
    page = json.loads(template.read_text("utf-8").splitlines()[0])
    per_page = len(page["data"])
    pages = 0
    base = 1_900_000_000_000_000_000
    with open(path, "w", encoding="utf-8") as out:
        written = 0
        while written < tweets:
            new = copy.deepcopy(page)
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
            out.write(json.dumps(new, separators=(",", ":")) + "\n")
            written += n
            pages += 1
    return pages
