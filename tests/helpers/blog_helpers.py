"""Helpers for the blog tests: a config file for the fake blog, and an HTTP client that never waits long."""

from __future__ import annotations

import json
from pathlib import Path

EMPTY_RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>empty</title><link>http://127.0.0.1/</link></channel></rss>'
DISQUS_KEY = "dq-secret-4f1c9a"  # a value easy to grep for in everything a run writes


def write_config(path: Path, blogs: list[dict], disqus_base: str | None = None) -> Path:
    lines = []
    if disqus_base:
        lines += ["[disqus]", f"base_url = {json.dumps(disqus_base)}", "max_rate_limit_wait_s = 5", ""]
    for blog in blogs:
        lines.append("[[blogs]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in blog.items()]
        lines.append("")
    path.write_text("\n".join(lines), "utf-8")
    return path


def fast_client(**policy):
    """Short timeouts, two attempts, no real sleeping: faults end in well under a second or two."""
    from tiemeter.collectors.http import HttpClient, HttpPolicy

    settings = {
        "connect_timeout": 1.0,
        "read_timeout": 0.3,
        "max_attempts": 2,
        "total_timeout": 5.0,
        "max_wait": 5.0,
    }
    settings.update(policy)
    return HttpClient(policy=HttpPolicy(**settings), sleep=lambda seconds: None, jitter=False)


def blog(fake, name: str, comments: str = "feed", feed: str = "/feed/", **extra):
    from tiemeter.config import Blog

    return Blog(name=name, site_url=fake.url("/"), feed_url=fake.url(feed), comments=comments, **extra)


def failed_blog_checks(home) -> list[str]:
    """The dbt tests (grain, not null, accepted values, relationships) of every blog model that fail."""
    from tiemeter.transforms.project import model_names, run_tests

    blog_models = [name.split(".")[1] for name in model_names() if "blog" in name]
    report = run_tests(home, select=blog_models, cautious=True)
    assert report.tests
    return [str(r) for r in report.failed_tests]
