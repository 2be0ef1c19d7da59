"""``[warehouse]``: the DuckLake settings, validated with their key named; the environment wins; a
catalog's password never reaches a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiemeter.config import ConfigError, parse_config
from tiemeter.settings import CATALOG_ENV, DATA_PATH_ENV, Home
from tiemeter.warehouse.connection import dbt_environment, lake_attach_sql, redact

CATALOG = "postgres:dbname=tiemeter host=127.0.0.1 user=postgres"


def test_the_default_is_the_duckdb_file(tmp_path, monkeypatch):
    monkeypatch.delenv(CATALOG_ENV, raising=False)
    monkeypatch.delenv(DATA_PATH_ENV, raising=False)
    home = Home.resolve(tmp_path, warehouse=parse_config({}).warehouse)
    assert not home.is_lake and home.db_path == tmp_path.resolve() / "tiemeter.duckdb"
    assert dbt_environment(home)["TIEMETER_DBT_TARGET"] == "home"


def test_a_catalog_makes_a_lake_with_data_relative_to_the_config(tmp_path, monkeypatch):
    monkeypatch.delenv(CATALOG_ENV, raising=False)
    monkeypatch.delenv(DATA_PATH_ENV, raising=False)
    config = parse_config(
        {"warehouse": {"catalog": CATALOG, "data_path": "lake"}}, tmp_path / "tiemeter.toml"
    )
    home = Home.resolve(tmp_path / "home", warehouse=config.warehouse)
    assert home.is_lake and home.catalog == CATALOG and home.data_path == tmp_path / "lake"
    env = dbt_environment(home)
    assert env["TIEMETER_DBT_TARGET"] == "lake"
    assert env["TIEMETER_DBT_CATALOG"] == "ducklake:" + CATALOG
    assert env["TIEMETER_DBT_DATA_PATH"].startswith(str(tmp_path / "lake"))
    assert Path(env["TIEMETER_DBT_EXTENSIONS"], "v1.5.5").is_dir()  # the packaged extensions, copied
    assert lake_attach_sql(home, read_only=True) == (
        f"ATTACH 'ducklake:{CATALOG}' AS lake (DATA_PATH '{tmp_path / 'lake'}/', READ_ONLY)"
    )


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(CATALOG_ENV, "postgres:dbname=other")
    monkeypatch.setenv(DATA_PATH_ENV, str(tmp_path / "elsewhere"))
    config = parse_config(
        {"warehouse": {"catalog": CATALOG, "data_path": "lake"}}, tmp_path / "tiemeter.toml"
    )
    home = Home.resolve(tmp_path, warehouse=config.warehouse)
    assert (home.catalog, home.data_path) == ("postgres:dbname=other", tmp_path / "elsewhere")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"catalog": "mysql:db=x", "data_path": "d"}, "warehouse.catalog"),
        ({"catalog": "postgres:", "data_path": "d"}, "warehouse.catalog"),
        ({"catalog": CATALOG}, "warehouse.data_path"),
        ({"data_path": "d"}, "warehouse.data_path"),
        ({"catalog": CATALOG, "data_path": "d", "pool": 2}, "warehouse.pool"),
        ({"catalog": 5, "data_path": "d"}, "warehouse.catalog"),
    ],
)
def test_a_bad_warehouse_table_names_its_key(table, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config({"warehouse": table})


def test_a_password_never_reaches_a_message():
    text = "postgres:dbname=t host=h user=u password=s3cret port=5432; password = 'a b' ; PASSWORD=x"
    redacted = redact(text)
    assert "s3cret" not in redacted and "'a b'" not in redacted and "=x" not in redacted
    assert "dbname=t host=h user=u" in redacted and "port=5432" in redacted
