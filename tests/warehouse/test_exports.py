"""Exports for BI tools, the data dictionary, and a BI tool reading the snapshot while a load writes."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest
from transform_helpers import build_scenario, rows


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The X scenario of test_transforms_x (an appeal, a heavyweight, four donors)."""
    from support import run_cli
    from test_transforms_x import CONFIG, CONVERSIONS, scenario

    from tiemeter.settings import Home

    base = tmp_path_factory.mktemp("exports")
    home = Home.resolve(base / "home").ensure()
    run_cli(home, "import", "twarc", "--no-load", str(scenario().write(base / "pages.jsonl")))
    (base / "donations.csv").write_text(CONVERSIONS)
    run_cli(home, "import", "conversions", "--no-load", str(base / "donations.csv"))
    build_scenario(home, CONFIG)
    return home


def test_export_every_core_and_mart_table(built, cli):
    result = cli(built, "export")
    assert result.code == 0, result
    tables = {
        f"{s}.{t}"
        for s, t in rows(
            built,
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('core', 'marts')",
        )
    }
    csvs = {p.name.removesuffix(".csv") for p in (built.exports / "csv").glob("*.csv")}
    parquets = {p.name for p in (built.exports / "parquet").iterdir()}
    assert csvs == tables == parquets
    # a table with a time column is partitioned by month, and every row makes the trip
    assert sorted(p.name for p in (built.exports / "parquet" / "core.tweets").iterdir()) == ["month=2012-12"]
    back = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{built.exports}/parquet/core.tweets/**/*.parquet')"
    )
    assert back.fetchone()[0] == rows(built, "SELECT count(*) FROM core.tweets")[0][0]
    header = (built.exports / "csv" / "marts.campaign_summary.csv").read_text().splitlines()[0]
    assert header.split(",")[:3] == ["campaign", "url", "owner"]


def test_snapshot_is_read_only_and_documented(built, cli):
    assert cli(built, "export", "--format", "csv").code == 0
    snapshot = built.exports / "tiemeter.duckdb"
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        undocumented = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name IN ('core', 'marts') AND comment IS NULL"
        ).fetchone()[0]
        schemas = {r[0] for r in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert undocumented == 0
    assert schemas == {"core", "marts"}  # no raw payloads for BI tools
    assert not snapshot.stat().st_mode & 0o222


WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("BEGIN")
con.execute("CREATE TABLE meta.busy AS SELECT range AS n FROM range(100000)")
print("writing", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("COMMIT")
"""


def test_superset_style_read_while_a_load_writes(built, cli):
    """SQLAlchemy + duckdb-engine on the snapshot, as Superset opens it, while another process writes the live file."""
    import sqlalchemy

    assert cli(built, "export").code == 0
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(built.db_path), "4"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(built.db_path), read_only=True)  # the live file is the pipeline's
        engine = sqlalchemy.create_engine(
            f"duckdb:///{built.exports / 'tiemeter.duckdb'}", connect_args={"read_only": True}
        )
        started = time.monotonic()
        with engine.connect() as bi:
            summary = bi.execute(
                sqlalchemy.text("SELECT sharing_tweets, potential_impressions FROM marts.campaign_summary")
            ).fetchall()
            # what Superset does when a dataset is added: list the columns, reflect the table
            inspector = sqlalchemy.inspect(bi)
            listed = [c["name"] for c in inspector.get_columns("campaign_summary", schema="marts")]
            reflected = sqlalchemy.Table(
                "campaign_summary", sqlalchemy.MetaData(), schema="marts", autoload_with=bi
            )
            columns = [
                r[0] for r in bi.execute(sqlalchemy.text("DESCRIBE marts.campaign_summary")).fetchall()
            ]
        assert time.monotonic() - started < 4  # it did not wait for the writer
        assert writer.poll() is None  # ...which is still writing
    finally:
        writer.wait(timeout=30)
    assert summary == [(3, 1000 + 200 + 150_000)]
    assert len(columns) > 10
    assert listed == columns and [c.name for c in reflected.columns] == columns


def test_every_column_is_documented_and_the_dictionary_is_current(tmp_path, cli):
    from support import REPO

    from tiemeter.settings import Home

    home = Home.resolve(tmp_path / "empty")
    result = cli(home, "docs", "--from-models", "--out", str(tmp_path / "dictionary.md"))
    assert result.code == 0, result
    generated = (tmp_path / "dictionary.md").read_text()
    assert generated == (REPO / "docs" / "data-dictionary.md").read_text(), (
        "run `tiemeter docs --from-models`"
    )
    assert [line for line in generated.splitlines() if line.startswith("| `") and line.endswith("|  |")] == []
    assert "### marts.tie_strength" in generated and "### core.tweets" in generated


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path, cli):
    """OWASP's CSV-injection advice: text starting with = + - @ gets a leading apostrophe in CSV only."""
    import csv

    from scenario import T0, XScenario

    from tiemeter.settings import Home

    texts = {
        "1": '=HYPERLINK("http://evil.example","click")',
        "2": "+1 for this",
        "3": "-2 from me",
        "4": "@mark thanks",
        "5": "a plain tweet",
    }
    s = XScenario()
    s.user("10", "=cmd", 5)
    for tweet_id, text in texts.items():
        s.tweet(tweet_id, "10", T0, text)
    home = Home.resolve(tmp_path / "home").ensure()
    assert cli(home, "import", "twarc", str(s.write(tmp_path / "p.jsonl"))).code == 0
    assert cli(home, "export").code == 0
    with open(home.exports / "csv" / "core.tweets.csv", newline="") as handle:
        got = {row["tweet_id"]: row["text"] for row in csv.DictReader(handle)}
    expected = {k: ("'" + v if v[0] in "=+-@" else v) for k, v in texts.items()}
    assert got == expected
    with open(home.exports / "csv" / "core.x_users.csv", newline="") as handle:
        assert [row["username"] for row in csv.DictReader(handle)] == ["'=cmd"]
    # Parquet and the snapshot keep the text as it was tweeted
    parquet = duckdb.connect().execute(
        f"SELECT tweet_id, text FROM read_parquet('{home.exports}/parquet/core.tweets/**/*.parquet')"
    )
    assert dict(parquet.fetchall()) == texts
    with duckdb.connect(str(home.exports / "tiemeter.duckdb"), read_only=True) as con:
        assert dict(con.execute("SELECT tweet_id, text FROM core.tweets").fetchall()) == texts
