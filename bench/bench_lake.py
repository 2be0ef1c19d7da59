"""The warehouse on a DuckLake (PostgreSQL catalog, Parquet files) against the DuckDB file.

1. Loaders: the same landing files (synthetic search pages, the bench's ``write_pages``) loaded by one
   loader into a DuckDB file (the baseline), then by 1, 2 and 4 loaders at once into a fresh DuckLake,
   each loader with its share of the files in a home of its own (collectors on several hosts). Each
   loader is a child process; the clock runs from a common start signal to the last loader's end.
2. Readers: a mart query (marts.tweet_followers, aggregated) on the DuckLake, repeated by a reader
   with one read-only connection: its latency with nothing else running, then while two loaders load
   another batch of files. (On the DuckDB file a reader cannot open the file while a loader writes it;
   BI reads the exported snapshot there.)

Needs PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres); it creates databases named
``tiemeter_lake_bench_<pid>_<n>`` and drops them at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.synth import FIRST_ID, IDS_PER_TWEET, write_pages
from tiemeter.landing import landing_files
from tiemeter.settings import CATALOG_ENV, DATA_PATH_ENV, Home
from tiemeter.warehouse.connection import lake_config, warehouse

REPO = Path(__file__).resolve().parents[1]
PG = ("127.0.0.1", 5432)

# A loader process (also used by tests/warehouse/test_ducklake.py): waits for the start file, loads its
# home's pending landing files, prints what it did as JSON.
LOADER = """
import json, sys, time
from pathlib import Path
from tiemeter.settings import Home
from tiemeter.warehouse.loader import load_pending
home = Home.resolve(sys.argv[1])
start = Path(sys.argv[2])
while not start.exists():
    time.sleep(0.005)
report = load_pending(home)
print(json.dumps({"end": time.time(), "loaded": len(report.loaded), "failed": [o.error for o in report.failed]}))
"""

READER = """
import json, sys, time
from pathlib import Path
from tiemeter.settings import Home
from tiemeter.warehouse.connection import warehouse
start, stop, n = Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
QUERY = "SELECT count(*), sum(author_followers), avg(author_followers) FROM marts.tweet_followers"
seconds = []
with warehouse(Home.resolve(sys.argv[1]), read_only=True) as con:
    con.execute(QUERY).fetchall()  # warm: the catalog and the file list cached
    while not start.exists():
        time.sleep(0.005)
    while len(seconds) < n or (stop.name != "-" and not stop.exists()):
        began = time.perf_counter()
        con.execute(QUERY).fetchall()
        seconds.append(time.perf_counter() - began)
        if stop.name == "-" and len(seconds) >= n:
            break
print(json.dumps(seconds))
"""


def postgres_reachable() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(PG, timeout=3):
        return True
    return False


def _catalog(dbname: str) -> str:
    return f"postgres:dbname={dbname} host={PG[0]} port={PG[1]} user=postgres"


def _drop_database(home: Home, dbname: str) -> None:
    con = duckdb.connect(config=lake_config(home))
    try:
        con.execute(f"ATTACH 'host={PG[0]} port={PG[1]} user=postgres dbname=postgres' AS pg (TYPE postgres)")
        con.execute(
            "CALL postgres_execute('pg', ?, use_transaction := false)",
            [f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)"],
        )
    finally:
        con.close()


def _env(home: Home) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop(CATALOG_ENV, None)
    env.pop(DATA_PATH_ENV, None)
    if home.is_lake:
        env[CATALOG_ENV], env[DATA_PATH_ENV] = home.catalog, str(home.data_path)
    return env


def start_loaders(homes: list[Home], signal: Path, env_of) -> list[subprocess.Popen]:
    """One loader child per home (a home may appear twice), each waiting for ``signal`` to exist."""
    return [
        subprocess.Popen(
            [sys.executable, "-c", LOADER, str(home.root), str(signal)],
            env=env_of(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )  # fmt: skip
        for home in homes
    ]


def _loaders(homes: list[Home], signal: Path) -> float:
    """Start one loader per home, signal them at once; seconds from the signal to the last end."""
    procs = start_loaders(homes, signal, _env)
    time.sleep(2.0)  # every child has imported and is waiting
    started = time.time()
    signal.touch()
    ends = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a loader failed: {err[-2000:]}")
        result = json.loads(out.strip().splitlines()[-1])
        if result["failed"]:
            raise SystemExit(f"a loader reported failed files: {result}")
        ends.append(result["end"])
    return max(ends) - started


def _spread(files: list[Path], source: Path, homes: list[Home]) -> None:
    """Copy the landing files round-robin into the homes' landing zones (same relative paths)."""
    for n, path in enumerate(files):
        target = homes[n % len(homes)].landing / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _land(folder: Path, files: int, tweets_per_file: int, first_file: int = 0) -> Path:
    """``files`` landing files of ``tweets_per_file`` tweets each, landed by ``tiemeter import --no-load``."""
    home = folder / "source"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(first_file, first_file + files):
        pages = folder / f"pages-{n}.jsonl"
        write_pages(
            pages,
            tweets_per_file,
            first_id=FIRST_ID + n * IDS_PER_TWEET * tweets_per_file * 2,
            vary_text=True,
            seed=n,
        )
        subprocess.run(
            [sys.executable, "-m", "tiemeter.cli", "--home", str(home), "import", "twarc", "--no-load", str(pages)],
            env=_env(Home.resolve(home)), check=True, capture_output=True, cwd=REPO,
        )  # fmt: skip
        pages.unlink()
    return home / "landing"


def _reader(home: Home, signal: Path, stop: str, queries: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", READER, str(home.root), str(signal), stop, str(queries)],
        env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip


def _latencies(proc: subprocess.Popen) -> list[float]:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"the reader failed: {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms, p95 {p95 * 1000:7.1f} ms ({len(values)} queries)"


def run(files: int = 16, tweets_per_file: int = 1000, writers: tuple[int, ...] = (1, 2, 4)) -> dict:
    if not postgres_reachable():
        print(
            f"  skipped: PostgreSQL is not reachable at {PG[0]}:{PG[1]} (needed for the DuckLake catalog; "
            "trust auth for user postgres)"
        )
        return {}
    dbs: list[tuple[Home, str]] = []
    with tempfile.TemporaryDirectory(prefix="tiemeter-bench-lake-") as tmp:
        root = Path(tmp)
        try:
            return _run(root, files, tweets_per_file, writers, dbs)
        finally:
            for home, dbname in dbs:
                _drop_database(home, dbname)


def _run(root: Path, files: int, tweets_per_file: int, writers: tuple[int, ...], dbs: list) -> dict:
    source = _land(root / "batch1", files, tweets_per_file)
    paths = landing_files(source)
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    tweets = files * tweets_per_file
    print(
        f"  {len(paths)} landing files, {tweets:,} tweets in search pages, {megabytes:.0f} MB; machine: "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (loaders at once share the cores)"
    )

    file_home = Home.resolve(root / "file")
    _spread(paths, source, [file_home])
    baseline_s = _loaders([file_home], root / "go-file")
    baseline = tweets / baseline_s
    print(f"  (b) 1 loader, DuckDB file:      {baseline_s:6.2f}s {baseline:9,.0f} tweets/s")

    results = {"baseline_tweets_s": baseline}
    lake_for_reads = None
    for k in writers:
        dbname = f"tiemeter_lake_bench_{os.getpid()}_{k}"
        data = root / f"lake{k}-data"
        homes = [
            Home(
                root=root / f"lake{k}-{i}",
                db_path=root / "unused.duckdb",
                catalog=_catalog(dbname),
                data_path=data,
            )
            for i in range(k)
        ]
        dbs.append((homes[0], dbname))
        _drop_database(homes[0], dbname)
        with warehouse(homes[0]):  # the catalog and its tables, before the clock starts
            pass
        _spread(paths, source, homes)
        seconds = _loaders(homes, root / f"go-{k}")
        rate = tweets / seconds
        results[f"lake_{k}_tweets_s"] = rate
        print(
            f"  (a) {k} loader(s) at once, DuckLake: {seconds:6.2f}s {rate:9,.0f} tweets/s, "
            f"ratio (a)/(b) = {rate / baseline:.2f}"
        )
        if k == 1:
            lake_for_reads = homes[0]

    if lake_for_reads is None:
        return results
    # readers: build the marts once, then time a mart query alone and while two loaders load
    built = subprocess.run(
        [sys.executable, "-m", "tiemeter.cli", "--home", str(lake_for_reads.root), "transform"],
        env=_env(lake_for_reads), capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    if built.returncode != 0:
        raise SystemExit(f"transform on the DuckLake failed: {built.stderr[-2000:]}")
    idle_signal = root / "go-idle"
    idle_reader = _reader(lake_for_reads, idle_signal, "-", 40)
    time.sleep(2.0)
    idle_signal.touch()
    idle = _latencies(idle_reader)

    source2 = _land(root / "batch2", files, tweets_per_file, first_file=files)
    loaders_homes = [
        Home(root=root / f"lake-more-{i}", db_path=root / "unused.duckdb", catalog=lake_for_reads.catalog,
             data_path=lake_for_reads.data_path)
        for i in range(2)
    ]  # fmt: skip
    _spread(landing_files(source2), source2, loaders_homes)
    busy_signal, stop = root / "go-busy", root / "stop-busy"
    busy_reader = _reader(lake_for_reads, busy_signal, str(stop), 10)
    load_s = _loaders(loaders_homes, busy_signal)
    stop.touch()
    busy = _latencies(busy_reader)
    print(f"  mart query (marts.tweet_followers, {tweets:,} tweets), one read-only DuckLake connection:")
    print(f"    alone:                          {_ms(idle)}")
    print(f"    while 2 loaders load {files} files: {_ms(busy)} (the loads took {load_s:.1f}s)")
    print(
        f"    ratio of medians (during loads / alone) = {statistics.median(busy) / statistics.median(idle):.2f}; "
        "no read waited for a writer (DuckLake reads a snapshot)"
    )
    results.update(idle_ms=statistics.median(idle) * 1000, busy_ms=statistics.median(busy) * 1000)
    return results


if __name__ == "__main__":
    run(*(int(a) for a in sys.argv[1:3]))
