"""Each fault of a bad feed ends in a clear error naming its URL, in bounded time and memory, while the
other feeds of the same blog and the other blogs of the same run still land."""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest
from airflow.sdk.exceptions import AirflowSkipException
from blog_helpers import blog, fast_client, write_config
from support import scalar

from tiemeter.airflow_tasks import collect_blog
from tiemeter.collectors.blogs import collect_blogs
from tiemeter.demo.blog_dataset import sample_dataset
from tiemeter.demo.fake_blog import FakeBlog
from tiemeter.settings import Home

CAP = 20 << 20
FAULTS = {
    "404": "HTTP 404",
    "500": "gave up after 2 attempts (last: HTTP 500)",
    "slow": "gave up after 2 attempts (last: ReadTimeout)",
    "redirect_loop": "redirects (a redirect loop?)",
    "html": "not an RSS, Atom or JSON feed (the server sent text/html",
    "huge": f"over the {CAP:,}-byte cap",
    "huge_chunked": f"over the {CAP:,}-byte cap",
    "entity_bomb": "entity-expansion bomb",
    # a byte every 50 ms never trips the 0.3 s read timeout: only the 1 s deadline ends it
    "drip": "no complete answer within the 1s deadline (http.total_timeout)",
}
QUARANTINED = {"html", "entity_bomb"}  # a body arrived: it is kept, with the parser's reason


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_is_a_clear_bounded_error_and_the_rest_still_lands(home, fault):
    data = sample_dataset()
    with FakeBlog(data) as fake, FakeBlog(data) as healthy:
        fake.faults["/feed/"] = fault
        blogs = [
            blog(fake, "broken", comments_feed_url=fake.url("/comments/feed/")),
            blog(healthy, "healthy"),
        ]
        tracemalloc.start()
        started = time.monotonic()
        report = collect_blogs(blogs, home, client=fast_client(total_timeout=1.0))
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    broken, ok = report.runs
    assert broken.failures == [broken.failures[0]] and FAULTS[fault] in broken.failures[0]
    assert fake.url("/feed/") in broken.failures[0]
    assert elapsed < 5, elapsed
    assert peak < 2 * CAP + (16 << 20), peak  # never the 50 MB body, never an expansion
    assert ok.failures == [] and ok.documents == 1 + len(data.posts)  # posts feed + each post's comments
    assert broken.documents == 1  # the blog's site-wide comment feed still landed
    kept = [
        json.loads(line)
        for p in broken.landed
        if "_quarantine" in p.parts
        for line in p.read_text().splitlines()
    ]
    if fault in QUARANTINED:
        assert [(k["source_file"], k["reason"]) for k in kept] == [(fake.url("/feed/"), kept[0]["reason"])]
        assert kept[0]["raw_bytes"] > 0 and kept[0]["reason"] in broken.failures[0]
    else:
        assert kept == []


def test_command_exit_code_3_names_the_failed_urls(home, cli, tmp_path):
    with FakeBlog() as fake, FakeBlog() as healthy:
        fake.faults["/feed/"] = "404"
        fake.faults["/comments/feed/"] = "html"
        blogs = [
            {
                "name": "broken",
                "site_url": fake.url("/"),
                "feed_url": fake.url("/feed/"),
                "comments_feed_url": fake.url("/comments/feed/"),
            },
            {"name": "healthy", "site_url": healthy.url("/"), "feed_url": healthy.url("/feed/")},
        ]
        result = cli(
            home, "collect", "blogs", "--config", str(write_config(tmp_path / "t.toml", blogs)), "--load"
        )
    assert result.code == 3, result
    assert f"failed: {fake.url('/feed/')}: HTTP 404" in result.out
    assert f"failed: {fake.url('/comments/feed/')}: not an RSS, Atom or JSON feed" in result.out
    assert "2 source(s) failed" in result.err and "the others were collected and loaded" in result.err
    assert scalar(home, "SELECT count(*) FROM core.blog_posts WHERE site = 'healthy'") == 2
    status = cli(home, "status")
    assert f"{fake.url('/comments/feed/')}: not an RSS, Atom or JSON feed" in status.out


def test_every_blog_failing_is_exit_code_1(home, cli, tmp_path):
    with FakeBlog() as fake:
        fake.faults["/feed/"] = "404"
        config = write_config(
            tmp_path / "t.toml", [{"name": "b", "site_url": fake.url("/"), "feed_url": fake.url("/feed/")}]
        )
        result = cli(home, "collect", "blogs", "--config", str(config))
    assert result.code == 1 and "nothing collected: 1 source(s) failed (listed above)" in result.err
    # the failure is said once, where it is listed, not again in the final error
    assert (result.out + result.err).count(f"{fake.url('/feed/')}: HTTP 404") == 1


def test_feed_import_refuses_an_entity_bomb_file(home, cli, tmp_path):
    from tiemeter.demo.fake_blog import entity_bomb

    path = tmp_path / "bomb.xml"
    path.write_bytes(entity_bomb())
    result = cli(home, "import", "feed", str(path))
    assert result.code == 1 and "entity-expansion bomb" in result.err
    assert (
        scalar(home, "SELECT count(*) FROM meta.quarantine WHERE reason LIKE '%entity-expansion bomb%'") == 1
    )


def test_a_dripping_server_is_stopped_by_the_configured_deadline(home, cli, tmp_path):
    """A byte every 50 ms never trips a read timeout; ``[http] deadline_s`` ends each attempt."""
    with FakeBlog() as fake, FakeBlog() as healthy:
        fake.faults["/feed/"] = "drip"
        blogs = [
            {"name": "dripping", "site_url": fake.url("/"), "feed_url": fake.url("/feed/")},
            {"name": "healthy", "site_url": healthy.url("/"), "feed_url": healthy.url("/feed/")},
        ]
        config = write_config(tmp_path / "t.toml", blogs)
        config.write_text(config.read_text() + "\n[http]\ndeadline_s = 1.5\nread_timeout_s = 1\n")
        started = time.monotonic()
        result = cli(home, "collect", "blogs", "--config", str(config), "--load")
        elapsed = time.monotonic() - started
    assert result.code == 3, result
    assert f"failed: {fake.url('/feed/')}" in result.out
    assert "no complete answer within the 1.5s deadline" in result.out
    # three attempts of 1.5 s each, and the backoff between them, not the 250 s the drip would take
    assert elapsed < 30, elapsed
    assert scalar(home, "SELECT count(*) FROM core.blog_posts WHERE site = 'healthy'") == len(
        healthy.dataset.posts
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[http]\ndeadline_s = 0\n", "http.deadline_s: must be greater than 0"),
        ("[http]\nread_timeout_s = 'x'\n", "http.read_timeout_s: expected float"),
        ("[http]\ntimeout = 5\n", "http.timeout: unknown key"),
    ],
)
def test_http_limits_are_validated(tmp_path, table, message):
    from tiemeter.config import ConfigError, load_config

    path = tmp_path / "t.toml"
    path.write_text(table)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_blog_with_a_failed_feed_is_skipped_alike_on_the_command_line_and_in_airflow(
    home, cli, tmp_path, monkeypatch
):
    """One blog, its posts feed failing and its comments feed landing: exit code 3 on the command line
    and a skipped Airflow task (the task body, as the DAG runs it), never exit 3 beside a success."""
    with FakeBlog() as fake:
        fake.faults["/feed/"] = "404"
        config = write_config(
            tmp_path / "t.toml",
            [
                {
                    "name": "half",
                    "site_url": fake.url("/"),
                    "feed_url": fake.url("/feed/"),
                    "comments_feed_url": fake.url("/comments/feed/"),
                }
            ],
        )
        result = cli(home, "collect", "blogs", "--config", str(config))
        task_home = Home.resolve(tmp_path / "task_home")  # a fresh home: the comments feed lands again
        monkeypatch.setenv("TIEMETER_CONFIG", str(config))
        monkeypatch.setenv("TIEMETER_HOME", str(task_home.root))
        with pytest.raises(AirflowSkipException, match="1 source\\(s\\) failed") as skipped:
            collect_blog("half")
    assert result.code == 3, result
    assert "1 source(s) failed" in result.err
    assert fake.url("/feed/") in str(skipped.value)
    # both landed the comments feed: the skip is a partial failure, not nothing
    for landed in (home, task_home):
        assert list(landed.landing.glob("blog_feeds/*/*.jsonl")), landed.landing
