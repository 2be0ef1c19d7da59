"""One bad value in a conversions CSV quarantines its line and never blocks a build.

Each bad cell below once passed the import and then failed ``core.conversions`` on every build
(so X and blog data stopped loading too), or loaded as a wrong number.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
from support import query, scalar

from tiemeter.airflow_tasks import load_and_import
from tiemeter.collectors.conversions_values import BadValue, parse_amount, parse_time
from tiemeter.settings import Home

HEADER = "email,name,amount,currency,occurred_at\n"
GOOD = [
    ("a@example.org", "Ann", "25.00", "USD", "2012-12-14T18:30:00Z"),
    ("b@example.org", "Ben", "1,250.00", "USD", "2012-12-14T19:00:00+01:00"),
    ("c@example.org", "Cy", "1.250,00", "EUR", "20121214T183000Z"),  # basic ISO 8601
    ("d@example.org", "Dee", "12,50", "EUR", "2012-12-15T08:00:00"),  # no offset: UTC
    ("e@example.org", "Eve", "٣٥", "USD", "2012-12-16T08:00:00Z"),  # Arabic-Indic digits: 35
]
BAD = [
    ("f@example.org", "Fay", "NaN", "USD", "2012-12-14T18:30:00Z"),
    ("g@example.org", "Gus", "Infinity", "USD", "2012-12-14T18:30:00Z"),
    ("h@example.org", "Hal", "1e999999", "USD", "2012-12-14T18:30:00Z"),
    ("i@example.org", "Ivy", "1" * 30, "USD", "2012-12-14T18:30:00Z"),
    ("j@example.org", "Jon", "1,250", "USD", "2012-12-14T18:30:00Z"),  # 1250 or 1.25?
    ("k@example.org", "Kay", "10", "USD", "yesterday"),
    ("l@example.org", "Lev", "", "USD", "2012-12-14T18:30:00Z"),
    ("m@exa\x00mple.org", "Mia", "10", "USD", "2012-12-14T18:30:00Z"),
]


def _expected_amount(text: str) -> Decimal:
    """The reading a person makes of each GOOD amount, written out by hand."""
    return {
        "25.00": Decimal("25.00"),
        "1,250.00": Decimal("1250.00"),
        "1.250,00": Decimal("1250.00"),
        "12,50": Decimal("12.50"),
        "٣٥": Decimal("35.00"),
    }[text]


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER.strip().split(","))
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        ("-inf", "is not a number"),
        ("1e999999", "is not a number"),
        ("1" * 30, "more than 16 digits"),
        ("1,250", "ambiguous"),
        ("1.250", "ambiguous"),
        ("1,2,3", "is not a number"),
        ("", "empty"),
    ],
)
def test_amounts_refused(text, problem):
    with pytest.raises(BadValue, match=problem):
        parse_amount(text)


def test_a_declared_separator_settles_an_ambiguous_amount():
    assert parse_amount("1,250", ",") == Decimal("1.25")
    assert parse_amount("1,250", ".") == Decimal("1250")
    assert parse_amount("1.250", ",") == Decimal("1250")
    with pytest.raises(BadValue):
        parse_amount("1.250,00", ".")  # a comma-decimal amount in a file declared dot-decimal


def test_times_in_both_iso_forms_become_utc():
    assert parse_time("20121214T183000Z").isoformat() == "2012-12-14T18:30:00+00:00"
    assert parse_time("2012-12-14T19:30:00+01:00").isoformat() == "2012-12-14T18:30:00+00:00"
    with pytest.raises(BadValue, match="not an ISO 8601 time"):
        parse_time("yesterday")


def test_bad_rows_are_quarantined_by_line_and_the_build_still_runs(home, cli, tmp_path):
    rows = GOOD[:2] + BAD + GOOD[2:]
    path = tmp_path / "donations.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    result = cli(home, "import", "conversions", str(path))
    assert result.code == 3, result
    bad_lines = {i + 2 for i, row in enumerate(rows) if row in BAD}  # line 1 is the header
    kept = query(home, "SELECT source_line, reason FROM meta.quarantine WHERE source_file = ?", [str(path)])
    assert {line for line, _ in kept} == bad_lines
    for line, reason in kept:
        assert f"{path}:{line}: {reason}" in result.out
    assert all("\x00" not in r[0] for r in query(home, "SELECT raw FROM meta.quarantine"))
    # the build does not fail on any of them, and every good row is there with the value it means
    assert cli(home, "transform").code == 0
    got = dict(query(home, "SELECT name, amount FROM core.conversions"))
    assert got == {row[1]: _expected_amount(row[2]) for row in GOOD}
    times = dict(query(home, "SELECT name, epoch(occurred_at) FROM core.conversions"))
    assert times["Cy"] == times["Ann"]  # 20121214T183000Z is 2012-12-14T18:30:00Z
    assert times["Ben"] == times["Ann"] - 1800  # 19:00+01:00 is 18:00Z, half an hour before Ann
    assert times["Dee"] == times["Ann"] + 13.5 * 3600  # no offset: 08:00 UTC the next day
    assert scalar(home, "SELECT count(*) FROM core.conversions WHERE email_hash IS NULL") == 0


# The imports below load and build core (the first test runs the whole transform on bad rows): their
# core.conversions is what is read, with no second build of every model.
def test_declared_separator_through_the_cli(home, cli, tmp_path):
    path = tmp_path / "de.csv"
    path.write_text(_csv([("a@example.org", "Ann", "1.250", "EUR", "2012-12-14T18:30:00Z")]))
    assert cli(home, "import", "conversions", str(path), "--decimal-separator", ",").code == 0
    assert scalar(home, "SELECT amount FROM core.conversions") == Decimal("1250.00")


def test_a_file_not_in_utf8_gets_one_error_naming_file_and_encoding(home, cli, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(_csv([("z@example.org", "Zoë", "5", "EUR", "2012-12-14T18:30:00Z")]).encode("latin-1"))
    result = cli(home, "import", "conversions", str(path))
    assert result.code == 1, result
    assert f"{path}: not readable as utf-8: byte 0xeb" in result.err
    assert scalar(home, "SELECT count(*) FROM raw.conversions") == 0
    again = cli(home, "import", "conversions", str(path), "--encoding", "latin-1")
    assert again.code == 0, again
    assert scalar(home, "SELECT name FROM core.conversions") == "Zoë"


def test_reimport_with_a_declared_separator_replaces_the_first_reading(home, cli, tmp_path):
    rows = [GOOD[0], BAD[4]]  # 25.00, and the ambiguous 1,250
    path = tmp_path / "d.csv"
    path.write_text(_csv(rows))
    assert cli(home, "import", "conversions", str(path)).code == 3
    assert cli(home, "import", "conversions", str(path), "--decimal-separator", ".").code == 0
    got = sorted(query(home, "SELECT name, amount FROM core.conversions"))
    assert got == [("Ann", Decimal("25.00")), ("Jon", Decimal("1250.00"))]  # Ann once, not twice


@pytest.mark.parametrize(
    ("rows", "code", "state"),
    [(GOOD[:2] + BAD[:3], 3, AirflowSkipException), (BAD[:3], 1, AirflowFailException)],
    ids=["some-rows-rejected", "every-row-rejected"],
)
def test_rejected_rows_end_alike_on_the_command_line_and_in_the_build_dags_load(
    rows, code, state, cli, tmp_path, monkeypatch
):
    """The same file through `tiemeter import conversions` and through the build DAG's load task body
    (the config's conversions_files): exit code 3 and a skipped task when some rows are rejected, 1 and
    a failed task when none is good; the good rows load either way."""
    path = tmp_path / "donations.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    cli_home = Home.resolve(tmp_path / "cli").ensure()
    result = cli(cli_home, "import", "conversions", str(path))

    task_home = Home.resolve(tmp_path / "task").ensure()
    config = tmp_path / "tiemeter.toml"
    config.write_text(f"conversions_files = [{json.dumps(str(path))}]\n", encoding="utf-8")
    monkeypatch.setenv("TIEMETER_CONFIG", str(config))
    monkeypatch.setenv("TIEMETER_HOME", str(task_home.root))
    with pytest.raises(state):
        load_and_import()

    assert result.code == code, result
    rejected = sum(row in BAD for row in rows)
    for home in (cli_home, task_home):
        assert scalar(home, "SELECT count(*) FROM meta.quarantine") == rejected
        assert scalar(home, "SELECT count(*) FROM raw.conversions") == len(rows) - rejected
