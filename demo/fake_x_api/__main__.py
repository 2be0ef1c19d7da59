"""``python -m tiemeter.demo.fake_x_api DATASET.json [--port N] [--token T] [--fault KIND[:EVERY]]...``"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from tiemeter.demo.fake_x_api import FAULT_KINDS, FakeXApi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tiemeter.demo.fake_x_api", description=__doc__)
    parser.add_argument("dataset", help='a JSON file {"users": [...], "tweets": [...]}')
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default="fake-x-bearer-token", help="the bearer token clients must send")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:EVERY]",
        help=f"one of {', '.join(FAULT_KINDS)}",
    )
    args = parser.parse_args(argv)
    with open(args.dataset, encoding="utf-8") as handle:
        dataset = json.load(handle)
    api = FakeXApi(dataset, token=args.token, delay_s=args.delay, host=args.host, port=args.port)
    for fault in args.fault:
        kind, _, every = fault.partition(":")
        api.faults.add(kind, every=int(every or 1))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with api:
        print(api.base_url, flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
