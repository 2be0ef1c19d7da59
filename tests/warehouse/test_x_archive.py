"""``tiemeter import x-archive``: tweets, follower.js and following.js into the same core tables."""

from __future__ import annotations

import re

from independent_counts import archive_counts
from support import REALDATA, query, scalar

ARCHIVE = REALDATA / "x_archive"


def owner_from_sources() -> str:
    """The owner's id as SOURCES.md states it, independent of how the importer finds it."""
    return re.search(r"account @\w+, id (\d+)", (ARCHIVE / "SOURCES.md").read_text()).group(1)


def test_archive_folder_imports_with_independent_counts(home, cli):
    result = cli(home, "import", "x-archive", str(ARCHIVE))
    assert result.code == 0, result
    expected = archive_counts(ARCHIVE, owner_from_sources())
    assert scalar(home, "SELECT count(*) FROM core.tweets WHERE source = 'x_archive'") == expected["tweets"]
    assert scalar(home, "SELECT count(*) FROM core.x_users") == expected["users"]
    assert scalar(home, "SELECT count(*) FROM core.tweet_refs") == expected["refs"]
    assert scalar(home, "SELECT count(*) FROM core.x_follows") == expected["follows"]
    authors = query(home, "SELECT DISTINCT author_id FROM core.tweets")
    assert authors == [(owner_from_sources(),)]


def test_archive_twice_changes_nothing(home, cli):
    cli(home, "import", "x-archive", str(ARCHIVE))
    before = query(
        home, "SELECT count(*) FROM raw.x_archive_tweets UNION ALL SELECT count(*) FROM core.tweets"
    )
    again = cli(home, "import", "x-archive", str(ARCHIVE / "tweets.js"))
    assert again.code == 0 and "already imported" in again.out
    assert (
        query(home, "SELECT count(*) FROM raw.x_archive_tweets UNION ALL SELECT count(*) FROM core.tweets")
        == before
    )


def test_archive_metrics_and_created_at(home, cli):
    import json

    cli(home, "import", "x-archive", str(ARCHIVE))
    text = (ARCHIVE / "tweets.js").read_text()
    items = json.loads(text[text.index("[") :])
    first = items[0]["tweet"]
    row = query(
        home,
        "SELECT strftime(t.created_at, '%a %b %d %H:%M:%S +0000 %Y'), m.likes, m.retweets FROM core.tweets t "
        "JOIN core.tweet_metrics m USING (tweet_id) WHERE tweet_id = ?",
        [first["id_str"]],
    )
    assert row == [(first["created_at"], int(first["favorite_count"]), int(first["retweet_count"]))]


def test_archive_without_owner_needs_account_id(home, cli, tmp_path):
    folder = tmp_path / "archive" / "data"
    folder.mkdir(parents=True)
    (folder / "tweets.js").write_bytes((ARCHIVE / "tweets.js").read_bytes())
    result = cli(home, "import", "x-archive", str(folder.parent))
    assert result.code == 1 and "--account-id" in result.err
    ok = cli(home, "import", "x-archive", str(folder.parent), "--account-id", "42")
    assert ok.code == 0, ok
    assert query(home, "SELECT DISTINCT author_id FROM core.tweets") == [("42",)]


def test_truncated_archive_keeps_the_items_before_the_cut(home, cli, tmp_path):
    folder = tmp_path / "cut" / "data"
    folder.mkdir(parents=True)
    text = (ARCHIVE / "tweets.js").read_text()
    cut = text[: text.index('"tweet" :', text.index('"tweet" :', text.index('"tweet" :') + 1) + 1)]
    (folder / "tweets.js").write_text(cut)
    result = cli(home, "import", "x-archive", str(folder), "--account-id", "42")
    assert result.code == 3, result
    assert "tweets.js: truncated" in result.out
    assert scalar(home, "SELECT count(*) FROM core.tweets") == 2


def test_an_archive_not_in_utf8_is_refused_by_file_and_encoding(home, cli, tmp_path):
    folder = tmp_path / "latin" / "data"
    folder.mkdir(parents=True)
    text = (ARCHIVE / "tweets.js").read_text("utf-8")
    (folder / "tweets.js").write_bytes(
        text.replace('"full_text" : "', '"full_text" : "Zoë ', 1).encode("latin-1", "replace")
    )
    result = cli(home, "import", "x-archive", str(folder), "--account-id", "42")
    assert result.code in (1, 3), result
    assert f"{folder / 'tweets.js'}: not readable as UTF-8" in result.out + result.err
    assert "UnicodeDecodeError" not in result.out + result.err
