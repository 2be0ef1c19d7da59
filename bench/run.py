"""``make bench``: every benchmark, each against a baseline measured in the same run.

Sizes come from environment variables; the header printed first lists them with their defaults.
``BENCH_ONLY=import,hourly`` runs a subset (names: import, memory, hourly, x, pagerank, rebuild, lake).
"""

from __future__ import annotations

import os
import sys

from bench import bench_hourly, bench_import, bench_lake, bench_pagerank, bench_rebuild, bench_x_collector

# name: (default, what it sizes)
SIZES = {
    "BENCH_TWEETS": ("50000", "import throughput: tweets in the twarc2 file"),
    "BENCH_TWEETS_MEMORY": ("200000", "import memory: tweets (0 skips it)"),
    "BENCH_HOURLY_SIZES": ("200000,500000,1000000", "hourly cost: warehouse sizes in tweets, grown in turn"),
    "BENCH_HOURLY_NEW": ("1000", "hourly cost: new tweets per hourly run"),
    "BENCH_X_PAGES": ("50", "X collector: pages"),
    "BENCH_EDGES": ("5000000", "PageRank: edges"),
    "BENCH_REBUILD_TWEETS": ("1000000", "full rebuild: tweets"),
    "BENCH_REBUILD_COMMENTS": ("200000", "full rebuild: blog comments"),
    "BENCH_LAKE_FILES": ("16", "DuckLake: landing files loaded (split between the loaders)"),
    "BENCH_LAKE_TWEETS": ("2000", "DuckLake: tweets per landing file"),
}
BENCHES = ("import", "memory", "hourly", "x", "pagerank", "rebuild", "lake")


def setting(name: str) -> str:
    return os.environ.get(name, SIZES[name][0])


def main() -> int:
    only = set(filter(None, os.environ.get("BENCH_ONLY", ",".join(BENCHES)).split(",")))
    print("make bench: sizes (environment variable = value [default]: what it sizes)")
    for name, (default, what) in SIZES.items():
        print(f"  {name} = {setting(name)} [{default}]: {what}")
    print(f"  BENCH_ONLY = {','.join(b for b in BENCHES if b in only)} [{','.join(BENCHES)}]")
    print(
        "  the defaults are issue 12's sizes and take long (the hourly curve grows an API-shaped warehouse to "
        "1M tweets, 4 GB of JSON, rebuilding it at each size); a quick run: BENCH_HOURLY_SIZES=20000,50000,100000 "
        "BENCH_REBUILD_TWEETS=200000 BENCH_REBUILD_COMMENTS=40000 BENCH_TWEETS_MEMORY=0"
    )
    if "import" in only:
        print("\n== import throughput (issue 12; target: >= 0.5x DuckDB persisting the same file) ==")
        bench_import.run(int(setting("BENCH_TWEETS")))
    big = int(setting("BENCH_TWEETS_MEMORY"))
    if "memory" in only and big:
        print(f"\n== import memory at {big:,} tweets (target: peak RSS <= 1536 MB) ==")
        bench_import.run(big)
    if "hourly" in only:
        print("\n== hourly cost and disk (issue 12; targets: <= 5% of a full rebuild, flat; disk <= 1.0x) ==")
        bench_hourly.run(
            [int(s) for s in setting("BENCH_HOURLY_SIZES").split(",")], int(setting("BENCH_HOURLY_NEW"))
        )
    if "x" in only:
        print("\n== X collector per 100-tweet page (issue: X collector; target: <= 20 ms) ==")
        bench_x_collector.run(int(setting("BENCH_X_PAGES")))
    if "pagerank" in only:
        print("\n== network impact: PageRank (issue: transforms) ==")
        bench_pagerank.run(int(setting("BENCH_EDGES")))
    if "rebuild" in only:
        print("\n== full rebuild of every model through dbt (issue 12; target: <= 70 s) ==")
        bench_rebuild.run(int(setting("BENCH_REBUILD_TWEETS")), int(setting("BENCH_REBUILD_COMMENTS")))
    if "lake" in only:
        print(
            "\n== DuckLake (PostgreSQL catalog): loaders at once vs one loader on the DuckDB file; reads during loads =="
        )
        bench_lake.run(int(setting("BENCH_LAKE_FILES")), int(setting("BENCH_LAKE_TWEETS")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
