"""The X collector's own cost per 100-tweet page (parse, land, bookkeeping), against the fake server's.

The fake X API serves copies of a real search page (``noflat.jsonl``: 100 tweets with their
includes) from its own process, so that its work does not compete with ours for the GIL. A
campaign search collects them all through real tweepy, requests and loopback HTTP.
Our time per page is the wall time of the collection minus the HTTP exchange (requests, loopback,
the server), so it holds parsing (orjson), tweepy, the landing file, the cursor, the tweet log and
the ledger; the fsync waits inside it are shown apart, since they depend on the disk.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synth import TEMPLATE
from tiemeter.collectors.x_api.collector import XCollector
from tiemeter.config import parse_config
from tiemeter.settings import Home

TARGET_MS = 20.0
URL = "https://example.blog/bench/"
TOKEN = "bench-token"


def dataset_from_real_page(pages: int) -> dict:
    """``pages`` copies of the real page: fresh ids, every data tweet linking to ``URL``."""
    page = json.loads(TEMPLATE.read_text("utf-8").splitlines()[0])
    users = {u["id"]: u for u in page["includes"]["users"]}
    tweets = []
    next_id = 1_900_000_000_000_000_000
    for _ in range(pages):
        remap = {}
        for tweet in page["data"] + page["includes"].get("tweets", []):
            next_id += 1
            remap[tweet["id"]] = str(next_id)
        # includes first: a tweet both in data and in includes must keep its data version (with the link)
        for origin, group in (("includes", page["includes"].get("tweets", [])), ("data", page["data"])):
            for tweet in group:
                new = copy.deepcopy(tweet)
                new["id"] = remap[tweet["id"]]
                new.pop("edit_history_tweet_ids", None)
                new.pop("public_metrics", None)  # counts follow from the dataset: no reaction calls here
                new["conversation_id"] = remap.get(tweet.get("conversation_id"), new["id"])
                for ref in new.get("referenced_tweets", []):
                    ref["id"] = remap.get(ref["id"], ref["id"])
                if origin == "data":
                    new.setdefault("entities", {}).setdefault("urls", []).append({"expanded_url": URL})
                tweets.append(new)
    return {"users": list(users.values()), "tweets": tweets}


class _Timed:
    """Adds up the wall and CPU time spent in a function while the benchmark runs."""

    def __init__(self, func):
        self.func, self.seconds, self.cpu, self.calls = func, 0.0, 0.0, 0

    def __call__(self, *args, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return self.func(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu += time.process_time() - cpu
            self.calls += 1


@contextlib.contextmanager
def fake_server_process(dataset: dict, folder: Path):
    path = folder / "dataset.json"
    path.write_text(json.dumps(dataset))
    server = subprocess.Popen(
        [sys.executable, "-m", "tiemeter.demo.fake_x_api", str(path), "--token", TOKEN],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(pages: int = 50) -> dict:
    with (
        tempfile.TemporaryDirectory(prefix="tiemeter-bench-x-") as tmp,
        fake_server_process(dataset_from_real_page(pages), Path(tmp)) as base_url,
    ):
        home = Home.resolve(Path(tmp) / "home").ensure()
        config = parse_config({"x": {"base_url": base_url, "budget_usd_per_run": 1000.0}})
        collector = XCollector(config, home, TOKEN)
        served = []
        ledger_hook = collector.http.on_attempt
        collector.http.on_attempt = lambda a: (
            served.append(float(a.response.headers["x-fake-service-ms"])),
            ledger_hook(a),
        )
        # The HTTP exchange: sending the request and reading the answer (requests, urllib3, loopback, server).
        send = collector.http.session.request = _Timed(collector.http.session.request)
        read = collector.http._read_capped = _Timed(collector.http._read_capped)
        job = collector.search_job("campaign:bench", f'url:"{URL}"', "bench", watch=True)
        fsync = os.fsync = _Timed(os.fsync)
        try:
            started, cpu = time.perf_counter(), time.process_time()
            fetched = collector.paginator.run(job)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            os.fsync = fsync.func
        landed = collector.totals.tweets
        size = sum(p.stat().st_size for p in home.landing.glob("x_api_pages/*/*.jsonl"))
    assert landed == pages * 100, landed
    per_page = 1000 / fetched
    ours = (wall - send.seconds - read.seconds) * per_page
    ours_cpu = (cpu - send.cpu - read.cpu) * per_page
    fsync_ms = fsync.seconds * per_page
    server = sum(served) / len(served)
    print(
        f"X collector: {fetched} pages, {landed:,} tweets ({size / fetched / 1e3:.0f} KB per landed page), "
        f"a campaign search with every expansion, over loopback\n"
        f"  our code per page (parse, land, bookkeeping): {ours:6.2f} ms wall (target <= {TARGET_MS:.0f} ms), "
        f"{ours_cpu:.2f} ms CPU\n"
        f"    of which fsync waits ({fsync.calls / fetched:.0f} per page): {fsync_ms:6.2f} ms\n"
        f"  fake server per page (select and render):     {server:6.2f} ms\n"
        f"  HTTP exchange per page (requests + loopback + server): {(send.seconds + read.seconds) * per_page:6.2f} ms\n"
        f"  ratio ours / server = {ours / server:.2f} (wall), {ours_cpu / server:.2f} (CPU)"
    )
    return {"ours_ms": ours, "ours_cpu_ms": ours_cpu, "server_ms": server, "fsync_ms": fsync_ms}


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
