"""The demo's tiemeter.toml: the case study's account, campaign and blog, pointed at the fake servers."""

from __future__ import annotations

from pathlib import Path

from tiemeter.demo.case_study import APPEAL_URL, OWNER_HANDLE, SITE

DEMO_TOKEN = "demo-bearer-token-not-a-secret"
DEMO_DISQUS_KEY = "demo-disqus-key"


def demo_config(x_base_url: str, blog_base_url: str, donations_csv: Path) -> str:
    return f"""# Written by demo/config.py for `make demo`: the {{grow}} case study on loopback fake servers.
schedule = "@hourly"
conversions_files = ["{donations_csv.name}"]

[x]
base_url = "{x_base_url}"
search = "recent"
liking_users = true
max_requests_per_run = 5000
budget_usd_per_run = 100.0

[[accounts]]
name = "Mark"
x_username = "{OWNER_HANDLE}"

[[campaigns]]
name = "door-appeal"
url = "{APPEAL_URL}"
owner = "Mark"

[[blogs]]
name = "grow"
site_url = "{blog_base_url}/"
feed_url = "{blog_base_url}/feed/"
comments = "wordpress"
comments_feed_url = "{blog_base_url}/comments/feed/"
owner = "Mark"

[metrics]
window_days = 90
heavyweight_followers = 100000
"""


PUBLIC_BLOG_URL = SITE.rstrip("/")
