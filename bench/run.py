"""``make bench``: every benchmark, each against a baseline measured in the same run."""

from __future__ import annotations

import os
import sys

from bench import bench_import, bench_pagerank, bench_rebuild, bench_x_collector


def main() -> int:
    tweets = int(os.environ.get("BENCH_TWEETS", "50000"))
    print("== import (issue: foundation) ==")
    bench_import.run(tweets)
    big = int(os.environ.get("BENCH_TWEETS_MEMORY", "200000"))
    if big:
        print(f"\n== import memory at {big:,} tweets (target: peak RSS <= 1536 MB) ==")
        bench_import.run(big)
    print("\n== X collector per 100-tweet page (issue: X collector; target: <= 20 ms) ==")
    bench_x_collector.run(int(os.environ.get("BENCH_X_PAGES", "50")))
    print("\n== network impact: PageRank (issue: transforms) ==")
    bench_pagerank.run(int(os.environ.get("BENCH_EDGES", "5000000")))
    print("\n== full rebuild of every model (issue: transforms; target: <= 120 s) ==")
    bench_rebuild.run(
        int(os.environ.get("BENCH_REBUILD_TWEETS", "1000000")),
        int(os.environ.get("BENCH_REBUILD_COMMENTS", "200000")),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
