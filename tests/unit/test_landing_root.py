"""The landing root's value: a local folder stays a plain Path; s3:// URLs are checked before use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiemeter.errors import FatalError
from tiemeter.landing import is_remote, landing_path, open_landing_root, relative_name
from tiemeter.settings import Home


def test_a_local_folder_is_a_plain_path(tmp_path):
    root = open_landing_root(tmp_path / "land")
    assert type(root) is type(Path()) and root == (tmp_path / "land").resolve()
    assert not is_remote(root)
    home = Home.resolve(tmp_path / "home")
    assert home.landing == (tmp_path / "home" / "landing").resolve() and not is_remote(home.landing)


def test_an_s3_url_keeps_the_layout_under_its_prefix():
    root = open_landing_root("s3://bucket-a/team/landing/")
    assert is_remote(root) and root.path == "bucket-a/team/landing"
    path = landing_path(root, "x_api_pages", "x run/1")
    assert relative_name(root, path) == f"x_api_pages/{path.parent.name}/x-run-1.jsonl"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("gs://bucket/landing", "'gs' is not supported"),
        ("s3:///landing", "needs a bucket"),
        ("s3://AKIA123:hunter2@bucket/landing", "no credentials"),
    ],
)
def test_bad_urls_say_what_is_wrong_without_echoing_them(url, says):
    with pytest.raises(FatalError) as caught:
        open_landing_root(url)
    assert says in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_the_environment_names_the_landing_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("TIEMETER_LANDING", "s3://bucket-b/l")
    assert str(Home.resolve(tmp_path).landing) == "s3://bucket-b/l"
    assert Home.resolve(tmp_path, landing=tmp_path / "x").landing == (tmp_path / "x").resolve()
