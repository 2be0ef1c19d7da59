"""A landing file edited after it loaded is caught by its sha256, and no failure hides behind exit 0."""

from __future__ import annotations

import os

from support import REALDATA, scalar

X_DIR = REALDATA / "x_api_v2"


def _edit_keeping_size(path) -> None:
    """Change one letter of a tweet's text: same size, different bytes."""
    data = path.read_bytes()
    at = data.index(b'"text": "') + len(b'"text": "')
    swapped = b"Y" if data[at : at + 1] != b"Y" else b"Z"
    path.write_bytes(data[:at] + swapped + data[at + 1 :])
    assert path.stat().st_size == len(data)


def _landed(home):
    [path] = list((home.landing / "x_api_pages").glob("*/*.jsonl"))
    return path


def test_an_edit_that_keeps_the_size_is_caught(home, cli):
    assert cli(home, "import", "twarc", str(X_DIR / "two_tweets.jsonl")).code == 0
    path = _landed(home)
    _edit_keeping_size(path)
    result = cli(home, "load")
    assert result.code == 1, result
    assert "changed after it was loaded" in result.err
    assert path.relative_to(home.landing).as_posix() in result.out


def test_verify_hashes_even_a_file_whose_time_was_put_back(home, cli):
    assert cli(home, "import", "twarc", str(X_DIR / "two_tweets.jsonl")).code == 0
    path = _landed(home)
    before = path.stat()
    _edit_keeping_size(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cli(home, "load").code == 0  # size and time as loaded: not hashed on the hourly path
    verified = cli(home, "load", "--verify")
    assert verified.code == 1 and "changed after it was loaded" in verified.err


def test_an_import_whose_load_fails_does_not_exit_0(home, cli):
    assert cli(home, "import", "twarc", str(X_DIR / "two_tweets.jsonl")).code == 0
    _edit_keeping_size(_landed(home))
    result = cli(home, "import", "twarc", str(X_DIR / "cashtags.jsonl"))
    assert result.code == 1, result
    assert "1 landing file(s) failed to load" in result.err and "changed after it was loaded" in result.err
    # the new file still loaded
    assert scalar(home, "SELECT count(*) FROM meta.load_ledger WHERE status = 'loaded'") == 2
