"""Hourly cost: land, load and build 1,000 new tweets on a growing warehouse, against a full rebuild
(``tiemeter transform --full-refresh``) measured in the same run at the same size.

The warehouse grows through the sizes in turn (API-shaped pages, ``bench/synth.py``), as a scheduled
job's does; at each size the full refresh runs first, then the hourly step (import of a small file +
``transform``, the path the CLI and the DAG take). Both build every layer (staging, core, marts).
"""

from __future__ import annotations

import contextlib
import io
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import bench_disk
from bench.synth import FIRST_ID, IDS_PER_TWEET, write_pages
from tiemeter.collectors.twarc_import import import_twarc_file
from tiemeter.config import parse_config
from tiemeter.landing import new_run_id
from tiemeter.operations import build, load, raise_for_failed_loads
from tiemeter.settings import Home
from tiemeter.transforms.project import run_dbt

LAYERS = "staging + core + marts"


@dataclass
class Point:
    tweets: int
    full_s: float
    hourly_s: float
    hourly_land_s: float
    db_bytes: int
    json_bytes: int

    @property
    def ratio(self) -> float:
        return self.hourly_s / self.full_s


class Warehouse:
    """A bench home that grows by batches of synthetic pages, each imported as a user would."""

    def __init__(self, root: Path):
        self.root = root
        self.home = Home.resolve(root / "home").ensure()
        self.tweets = 0
        self.json_bytes = 0
        self.model_seconds: dict[str, float] = {}  # of the last build
        self.config = parse_config(
            {"accounts": [{"name": f"account{i}", "x_username": f"account{i}"} for i in range(5)]}
        )

    def land(self, tweets: int) -> float:
        """Write ``tweets`` new tweets as a twarc2 file and land it (no load); returns landing seconds."""
        path = self.root / f"batch-{self.tweets}.jsonl"
        write_pages(path, tweets, first_id=FIRST_ID + IDS_PER_TWEET * self.tweets, vary_text=True)
        self.json_bytes += path.stat().st_size
        started = time.perf_counter()
        result = import_twarc_file(path, self.home.landing, new_run_id())
        seconds = time.perf_counter() - started
        path.unlink()
        if result.rejected:
            raise SystemExit(f"bench pages rejected: {result.rejected[0].message()}")
        self.tweets += tweets
        return seconds

    def transform(self, full_refresh: bool) -> float:
        """Load what landed, then build every layer (as `tiemeter load` + `tiemeter transform`)."""
        started = time.perf_counter()
        raise_for_failed_loads(load(self.home))
        self.model_seconds = build(self.home, self.config, full_refresh=full_refresh).build.model_seconds
        return time.perf_counter() - started


def print_slowest_models(hourly: dict[str, float], full: dict[str, float], count: int = 12) -> None:
    """The models that cost the hourly run most, beside their full-refresh time."""
    print(f"    {'model (slowest hourly)':<36} {'hourly':>8} {'full':>8}")
    for name in sorted(hourly, key=hourly.get, reverse=True)[:count]:
        print(f"    {name:<36} {hourly[name]:>7.1f}s {full.get(name, 0.0):>7.1f}s")


def run(sizes: list[int], new_tweets: int = 1_000) -> list[Point]:
    points: list[Point] = []
    print(
        f"hourly cost: import + build ({LAYERS}) of {new_tweets:,} new tweets vs a full refresh "
        f"(tiemeter transform --full-refresh), both in this run, at each size; target <= 5% and flat"
    )
    print(
        f"  {'tweets':>10} {'full refresh':>13} {'hourly':>9} {'(landing)':>10} {'ratio':>7} "
        f"{'warehouse':>10} {'json':>9} {'disk':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="tiemeter-hourly-") as tmp:
        wh = Warehouse(Path(tmp))
        with contextlib.redirect_stdout(io.StringIO()):  # dbt parses once per process: not in a figure
            run_dbt(wh.home, "ls", record=False)
        for size in sizes:
            if size > wh.tweets:
                wh.land(size - wh.tweets)
                raise_for_failed_loads(load(wh.home))  # the warehouse's growth: not in a figure
            full = wh.transform(full_refresh=True)
            full_models = wh.model_seconds
            land = wh.land(new_tweets)
            hourly = land + wh.transform(full_refresh=False)
            db_bytes = wh.home.db_path.stat().st_size
            point = Point(wh.tweets, full, hourly, land, db_bytes, wh.json_bytes)
            points.append(point)
            print(
                f"  {point.tweets:>10,} {point.full_s:>12.1f}s {point.hourly_s:>8.1f}s {point.hourly_land_s:>9.1f}s "
                f"{point.ratio:>7.1%} {db_bytes / 1e6:>8,.0f}MB {point.json_bytes / 1e6:>7,.0f}MB "
                f"{db_bytes / point.json_bytes:>5.2f}x",
                flush=True,
            )
            print_slowest_models(wh.model_seconds, full_models)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        first, last = points[0], points[-1]
        print(
            f"  curve: hourly {first.hourly_s:.1f}s at {first.tweets:,} -> {last.hourly_s:.1f}s at {last.tweets:,} "
            f"({last.hourly_s / first.hourly_s:.2f}x for {last.tweets / first.tweets:.1f}x the data); "
            f"peak RSS of this process {peak:,.0f} MB"
        )
        bench_disk.report(wh.home, wh.json_bytes)
    return points


if __name__ == "__main__":
    run([int(s) for s in (sys.argv[1:] or ["20000", "50000"])])
