"""SQL models: every model states its grain and documents its columns, and every data check passes."""

from __future__ import annotations

import duckdb
import pytest
from conftest import REALDATA

from transforms.checks import run_checks
from transforms.models import discover


def test_every_model_states_grain_and_core_columns_are_documented():
    models = discover()
    assert {
        "core.tweets",
        "core.x_users",
        "core.tweet_refs",
        "core.tweet_mentions",
        "core.tweet_metrics",
    } <= {m.name for m in models}
    for model in models:
        assert model.grain.startswith("one row per"), model.name
        if model.layer != "staging":
            assert model.unique_key, model.name
            assert model.columns, model.name


@pytest.fixture(scope="module")
def loaded_home(tmp_path_factory):
    from conftest import run_cli

    from tiemeter.settings import Home

    home = Home.resolve(tmp_path_factory.mktemp("models") / "home").ensure()
    files = sorted(str(p) for p in (REALDATA / "x_api_v2").iterdir() if p.suffix in (".jsonl", ".json"))
    run_cli(home, "import", "twarc", *files)
    run_cli(home, "import", "x-archive", str(REALDATA / "x_archive"))
    result = run_cli(home, "transform", "--check")
    assert result.code == 0, result
    return home


def test_data_checks_pass_on_all_real_samples(loaded_home):
    con = duckdb.connect(str(loaded_home.db_path), read_only=True)
    try:
        results = run_checks(con, [m for m in discover() if m.layer != "staging"])
        comments = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name IN ('core', 'marts') AND comment IS NULL"
        ).fetchall()
    finally:
        con.close()
    assert len(results) > 30
    assert [str(r) for r in results if not r.ok] == []
    assert comments == []


def test_checks_catch_a_broken_grain(loaded_home, tmp_path):
    import shutil

    copy = tmp_path / "copy.duckdb"
    shutil.copy(loaded_home.db_path, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("INSERT INTO core.tweets SELECT * FROM core.tweets LIMIT 1")
        con.execute(
            "UPDATE core.tweet_refs SET ref_type = 'liked' WHERE rowid = (SELECT min(rowid) FROM core.tweet_refs)"
        )
        failed = {
            r.check
            for r in run_checks(con, discover())
            if not r.ok and r.model in ("core.tweets", "core.tweet_refs")
        }
    finally:
        con.close()
    assert "grain unique (tweet_id)" in failed
    assert "ref_type accepted_values" in failed


def test_transform_names_its_slowest_models(loaded_home, tmp_path):
    import shutil

    from conftest import run_cli

    from tiemeter.settings import Home

    home = Home.resolve(tmp_path / "home").ensure()
    shutil.copy(loaded_home.db_path, home.db_path)
    result = run_cli(home, "transform")
    assert result.code == 0, result
    line = next(x for x in result.out.splitlines() if x.startswith("built "))
    total = float(line.split(" in ")[1].split("s ")[0])
    slowest = [part.rsplit(" ", 1) for part in line.split("(slowest: ")[1].rstrip(")").split(", ")]
    seconds = [float(s.rstrip("s")) for _, s in slowest]
    assert len(slowest) == 3 and {name for name, _ in slowest} <= {m.name for m in discover()}, line
    assert seconds == sorted(seconds, reverse=True) and sum(seconds) <= total + 0.1, line
