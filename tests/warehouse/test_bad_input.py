"""Bad input: a clear message naming file and line, good lines still load, bad ones kept in quarantine."""

from __future__ import annotations

import json

import pytest
from support import REALDATA, query, scalar

X_DIR = REALDATA / "x_api_v2"


def _good_lines(n: int) -> list[str]:
    """Real pages: the first n lines of the stream sample."""
    return (X_DIR / "streaming_output.jsonl").read_text("utf-8").splitlines()[:n]


def _tweet_ids(lines: list[str]) -> set[str]:
    ids = set()
    for line in lines:
        page = json.loads(line)
        data = page.get("data")
        for t in (data if isinstance(data, list) else [data]) + page.get("includes", {}).get("tweets", []):
            if t:
                ids.add(t["id"])
    return ids


def _assert_partial(home, cli, path, line_no: int, reason: str, good: list[str]):
    result = cli(home, "import", "twarc", str(path))
    assert result.code == 3, result
    assert f"{path}:{line_no}: {reason}" in result.out
    assert "rejected" in result.err
    assert {r[0] for r in query(home, "SELECT tweet_id FROM core.tweets")} == _tweet_ids(good)
    kept = query(home, "SELECT source_file, source_line, reason, raw FROM meta.quarantine")
    assert len(kept) == 1
    assert kept[0][:2] == (str(path), line_no) and reason in kept[0][2]
    status = cli(home, "status")
    assert f"{path}:{line_no}: {reason}" in status.out
    return kept[0][3]


def test_line_that_is_not_json(home, cli, tmp_path):
    good = _good_lines(3)
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([good[0], "this is not json {", *good[1:]]) + "\n")
    raw = _assert_partial(home, cli, path, 2, "not JSON", good)
    assert raw == "this is not json {"


def test_page_of_unexpected_shape(home, cli, tmp_path):
    good = _good_lines(2)
    path = tmp_path / "shape.jsonl"
    path.write_text(
        "\n".join([good[0], json.dumps({"data": [{"id": "1", "flavour": "vanilla"}]}), good[1]]) + "\n"
    )
    _assert_partial(home, cli, path, 2, "unexpected page shape", good)
    path2 = tmp_path / "array.jsonl"
    path2.write_text(good[0] + "\n[1, 2, 3]\n")
    result = cli(home, "import", "twarc", str(path2))
    assert result.code == 3 and f"{path2}:2: a JSON list where an X API v2 page" in result.out


def test_empty_file_is_refused_by_name(home, cli):
    result = cli(home, "import", "twarc", str(X_DIR / "empty.json"))
    assert result.code == 1
    assert f"{X_DIR / 'empty.json'}: empty file" in result.err
    assert scalar(home, "SELECT count(*) FROM core.tweets") == 0
    assert scalar(home, "SELECT count(*) FROM meta.quarantine") == 1


def test_truncated_last_line_real_sample(home, cli):
    path = X_DIR / "streaming_output_with_error.jsonl"
    lines = path.read_text("utf-8").splitlines()
    good = [line for line in lines if line.endswith("}")]
    assert len(good) == len(lines) - 1
    raw = _assert_partial(home, cli, path, len(lines), "truncated last line", good)
    assert raw == lines[-1]


def test_one_bad_file_does_not_stop_the_others(home, cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\n" * 10)
    result = cli(home, "import", "twarc", str(bad), str(X_DIR / "two_tweets.jsonl"))
    assert result.code == 3, result
    assert "not JSONL" in result.out
    assert scalar(home, "SELECT count(*) FROM core.tweets") > 0


def test_missing_file_fails_with_one_line(home, cli, tmp_path):
    result = cli(home, "import", "twarc", str(tmp_path / "nope.jsonl"))
    assert result.code == 1
    assert "nope.jsonl: no such file" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_crlf_and_blank_lines_are_fine(home, cli, tmp_path):
    good = _good_lines(2)
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(("\r\n".join(good) + "\r\n\r\n").encode())
    assert cli(home, "import", "twarc", str(path)).code == 0
    assert {r[0] for r in query(home, "SELECT tweet_id FROM core.tweets")} == _tweet_ids(good)


def _tweet(spoil):
    """A change of the page's first tweet (json keeps integers of any size)."""

    def spoiled(page_line: str) -> str:
        page = json.loads(page_line)
        spoil(page["data"][0] if isinstance(page["data"], list) else page["data"])
        return json.dumps(page)

    return spoiled


def _deep(levels: int):
    """A key nested ``levels`` deep in front of the page (written as text: json would recurse)."""
    return lambda page_line: '{"nested": ' + '{"a": ' * levels + "1" + "}" * levels + ", " + page_line[1:]


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (
            _tweet(lambda t: t.update(author_id=None)),
            "data: tweet {id} has author_id None, not a numeric string",
        ),
        (_tweet(lambda t: t.pop("author_id")), "data: tweet {id} has author_id None, not a numeric string"),
        (
            _tweet(lambda t: t.update(created_at="yesterday")),
            "data: tweet {id} has created_at 'yesterday', not an ISO 8601 time",
        ),
        (
            _tweet(lambda t: t["public_metrics"].update(like_count=2**70)),
            "an integer does not fit in 64 bits",
        ),
        (  # simdjson's NUMBER_ERROR, which orjson reads as a float: found by tests/unit/test_fuzz_parsers.py
            _tweet(lambda t: t["public_metrics"].update(like_count=2**64)),
            "a number out of range",
        ),
        (_deep(2000), "nested deeper than 1024 levels"),
    ],
    ids=[
        "author_id null",
        "author_id missing",
        "created_at yesterday",
        "integer over 2^64",
        "integer of exactly 2^64",
        "deep nesting",
    ],
)
def test_a_value_the_warehouse_cannot_hold_quarantines_its_line(home, cli, tmp_path, spoil, reason):
    lines = _good_lines(4)
    good = [lines[0], *lines[2:]]
    path = tmp_path / "spoiled.jsonl"
    path.write_text("\n".join([lines[0], spoil(lines[1]), *lines[2:]]) + "\n")
    data = json.loads(lines[1])["data"]
    tweet_id = (data[0] if isinstance(data, list) else data)["id"]
    _assert_partial(home, cli, path, 2, reason.format(id=tweet_id), good)


def test_no_nul_byte_reaches_the_warehouse_or_an_export(home, cli, tmp_path):
    """A \\u0000 in a tweet becomes U+FFFD in the warehouse (the landing file keeps the page as it came);
    a line holding a raw NUL byte is not JSON and is quarantined with the NUL shown as U+FFFD."""
    page = json.loads(_good_lines(1)[0])
    first = page["data"][0] if isinstance(page["data"], list) else page["data"]
    first["text"] = "before\u0000after \\u0000 stays text"
    path = tmp_path / "nul.jsonl"
    path.write_text(json.dumps(page) + "\n" + '{"data": "\x00"}\n')
    assert cli(home, "import", "twarc", str(path)).code == 3
    text = scalar(home, "SELECT text FROM core.tweets WHERE tweet_id = ?", [first["id"]])
    assert text == "before\ufffdafter \\u0000 stays text"
    assert scalar(home, "SELECT count(*) FROM meta.quarantine WHERE contains(raw, chr(0))") == 0
    assert scalar(home, "SELECT count(*) FROM meta.quarantine WHERE contains(raw, '\ufffd')") == 1
    assert cli(home, "export", "--format", "csv").code == 0
    assert all(b"\x00" not in p.read_bytes() for p in (home.exports / "csv").glob("*.csv"))
    landed = next((home.landing / "x_api_pages").glob("*/*.jsonl")).read_text()
    assert "before\\u0000after" in landed  # the raw page is kept untouched
