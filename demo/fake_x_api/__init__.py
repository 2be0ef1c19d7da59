"""A loopback fake of the X API v2 for tests and the demo.

    from tiemeter.demo.fake_x_api import FakeXApi
    with FakeXApi({"users": [...], "tweets": [...]}, token="t") as api:
        ...  # point x.base_url at api.base_url

It serves search (recent and all), user timelines and mentions, retweeted_by, quote_tweets,
liking_users, users/by, users and tweets lookup, with X's parameters, opaque pagination tokens,
``since_id``/``until_id``, expansions into ``includes``, partial ``errors``, per-endpoint rate-limit
windows and switchable faults (``api.faults.add("unavailable", every=3)``). ``dataset.py`` says
what a dataset holds; ``python -m tiemeter.demo.fake_x_api DATASET.json`` serves one from a file.
"""

from tiemeter.demo.fake_x_api.dataset import XDataset
from tiemeter.demo.fake_x_api.faults import KINDS as FAULT_KINDS
from tiemeter.demo.fake_x_api.server import FakeXApi, ServedRequest

__all__ = ["FAULT_KINDS", "FakeXApi", "ServedRequest", "XDataset"]
