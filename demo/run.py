"""``make demo``: run the pipeline end to end on the embedded default and print what it found.

Until the case-study replay lands, the demo imports the real public samples in
``../shared/realdata`` (X API v2 pages and an X archive) and builds the warehouse from them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
DEMO_HOME = REPO / ".tiemeter" / "demo"


def main() -> int:
    from tiemeter.cli import main as cli

    home = ["--home", str(DEMO_HOME)]
    if not REALDATA.is_dir():
        print(f"demo: {REALDATA} is missing; it holds the public samples the demo imports", file=sys.stderr)
        return 1
    files = sorted(str(p) for p in (REALDATA / "x_api_v2").glob("*.json*") if p.name != "openapi.json")
    code = cli([*home, "import", "twarc", *files])
    if code not in (0, 3):
        return code
    code = cli([*home, "import", "x-archive", str(REALDATA / "x_archive")])
    if code not in (0, 3):
        return code
    print()
    cli([*home, "status", "--recent", "3"])
    _print_top_authors()
    print(f"\nWarehouse: {DEMO_HOME / 'tiemeter.duckdb'}")
    print(f"Query it:  duckdb -readonly {DEMO_HOME / 'tiemeter.duckdb'} 'SELECT * FROM core.tweets LIMIT 5'")
    return 0


def _print_top_authors() -> None:
    import duckdb

    con = duckdb.connect(str(DEMO_HOME / "tiemeter.duckdb"), read_only=True)
    rows = con.execute(
        """
        SELECT coalesce('@' || u.username, t.author_id) AS author, count(*) AS tweets,
               count(*) FILTER (WHERE r.ref_type = 'retweeted') AS retweets_made,
               max(u.followers) AS followers
        FROM core.tweets t
        LEFT JOIN core.x_users u ON u.user_id = t.author_id
        LEFT JOIN core.tweet_refs r ON r.tweet_id = t.tweet_id
        GROUP BY ALL ORDER BY tweets DESC, author LIMIT 5
        """
    ).fetchall()
    con.close()
    print("\nMost active authors in the samples:")
    print(f"  {'author':<28}{'tweets':>8}{'retweets':>10}{'followers':>12}")
    for author, tweets, retweets, followers in rows:
        print(f"  {author:<28}{tweets:>8}{retweets:>10}{followers or 0:>12,}")


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
