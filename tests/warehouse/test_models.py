"""dbt models: every model states its grain and documents its columns, and every data test passes."""

from __future__ import annotations

import duckdb
import pytest
import yaml
from support import REALDATA

from tiemeter.transforms.project import LAYERS, MODELS_DIR, model_names, run_tests


def _schema_entries() -> dict[str, dict]:
    entries = {}
    for layer in LAYERS:
        document = yaml.safe_load((MODELS_DIR / layer / "schema.yml").read_text("utf-8"))
        entries.update({f"{layer}.{m['name']}": m for m in document["models"]})
    return entries


def _test_names(entry: dict) -> set[str]:
    return {t if isinstance(t, str) else next(iter(t)) for t in entry.get("data_tests", [])}


def test_every_model_states_grain_and_core_columns_are_documented():
    entries = _schema_entries()
    assert {
        "core.tweets",
        "core.x_users",
        "core.tweet_refs",
        "core.tweet_mentions",
        "core.tweet_metrics",
    } <= set(entries)
    assert sorted(entries) == model_names()  # every model file has its schema.yml entry, and back
    for name, entry in entries.items():
        assert entry["description"].startswith("Grain: one row per"), name
        if not name.startswith("staging."):
            assert {"unique_combination", "columns_documented"} <= _test_names(entry), name
            assert entry["columns"], name
            assert all(c["description"].strip() for c in entry["columns"]), name


@pytest.fixture(scope="module")
def loaded_home(tmp_path_factory):
    from support import run_cli

    from tiemeter.settings import Home

    home = Home.resolve(tmp_path_factory.mktemp("models") / "home").ensure()
    files = sorted(str(p) for p in (REALDATA / "x_api_v2").iterdir() if p.suffix in (".jsonl", ".json"))
    run_cli(home, "import", "twarc", *files)
    run_cli(home, "import", "x-archive", str(REALDATA / "x_archive"))
    result = run_cli(home, "transform", "--check")
    assert result.code == 0, result
    return home


def test_data_checks_pass_on_all_real_samples(loaded_home):
    results = run_tests(loaded_home, select=["path:models/core", "path:models/marts"]).tests
    con = duckdb.connect(str(loaded_home.db_path), read_only=True)
    try:
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

    from tiemeter.settings import Home

    home = Home.resolve(tmp_path / "home").ensure()
    shutil.copy(loaded_home.db_path, home.db_path)
    con = duckdb.connect(str(home.db_path))
    try:
        con.execute("INSERT INTO core.tweets SELECT * FROM core.tweets LIMIT 1")
        con.execute(
            "UPDATE core.tweet_refs SET ref_type = 'liked' WHERE rowid = (SELECT min(rowid) FROM core.tweet_refs)"
        )
    finally:
        con.close()
    failed = {r.name: r.failures for r in run_tests(home, select=["tweets", "tweet_refs"]).failed_tests}
    assert failed.get("unique_combination_tweets_tweet_id") == 1, failed
    assert failed.get("unique_tweets_tweet_id") == 1, failed
    assert [f for name, f in failed.items() if name.startswith("accepted_values_tweet_refs_ref_type")] == [1]


def test_transform_names_its_slowest_models(loaded_home, tmp_path):
    import shutil

    from support import run_cli

    from tiemeter.settings import Home

    home = Home.resolve(tmp_path / "home").ensure()
    shutil.copy(loaded_home.db_path, home.db_path)
    result = run_cli(home, "transform")
    assert result.code == 0, result
    line = next(x for x in result.out.splitlines() if x.startswith("built "))
    total = float(line.split(" in ")[1].split("s ")[0])
    slowest = [part.rsplit(" ", 1) for part in line.split("(slowest: ")[1].rstrip(")").split(", ")]
    seconds = [float(s.rstrip("s")) for _, s in slowest]
    assert len(slowest) == 3 and {name for name, _ in slowest} <= set(model_names()), line
    model_lines = [x.split()[1] for x in result.out.splitlines() if x.startswith("  OK ")]
    assert sorted(model_lines) == model_names()  # one line per model
    assert seconds == sorted(seconds, reverse=True) and sum(seconds) <= total + 0.1, line
