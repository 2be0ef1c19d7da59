"""An s3:// landing zone (fsspec/s3fs) against a real S3 server on loopback (moto's server mode).

One module-scoped run: ``collect x`` from the fake X API and ``import wxr`` land on s3://; a live
writer's temporary key and a dead writer's one sit beside the complete objects; ``load`` reads the
bucket. The same complete objects, copied to a local folder and loaded from there, give the same raw
tables (EXCEPT ALL both ways) and the same ledger; staging, core and marts are dbt models of raw, so
they follow (the CLI and DAG builds are the same on both). No secret reaches a log, an object,
the state files or the warehouse.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import s3fs
from moto.server import ThreadedMotoServer
from support import REPO, realdata, run_cli
from x_fixtures import TOKEN, build_world, write_config

from tiemeter.demo.fake_x_api import FakeXApi
from tiemeter.landing import LANDING_GLOB
from tiemeter.operations import load
from tiemeter.settings import Home
from tiemeter.temp_files import writer_tag

BUCKET = "tiemeter-s3-landing-test"
PREFIX = "team/landing"
SECRET = "s3-secret-" + secrets.token_hex(16)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture(scope="module")
def s3_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("s3")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ACCESS_KEY_ID": "tiemeter-test-key-id",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": f"http://{host}:{port}",
        "TIEMETER_LANDING": f"s3://{BUCKET}/{PREFIX}",
        "X_BEARER_TOKEN": TOKEN,
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    log, handler = io.StringIO(), None
    root = logging.getLogger()
    old_level = root.level
    try:
        fs = s3fs.S3FileSystem(endpoint_url=env["AWS_ENDPOINT_URL_S3"])
        fs.mkdir(BUCKET)
        # every log record of the run at DEBUG, botocore's and s3fs's included
        handler = logging.StreamHandler(log)
        handler.setLevel(logging.DEBUG)
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        home = Home.resolve(base / "home").ensure()
        assert str(home.landing) == f"s3://{BUCKET}/{PREFIX}"
        outputs = []
        with FakeXApi(build_world().dataset(), token=TOKEN) as api:
            config = write_config(base / "t.toml", api.base_url)
            outputs.append(run_cli(home, "-v", "collect", "x", "--config", str(config)))
        outputs.append(
            run_cli(
                home,
                "-v",
                "import",
                "wxr",
                "--no-load",
                str(realdata("comments_api", "wordpress_wxr_export_isso_fixture.xml")),
            )
        )
        for result in outputs:
            assert result.code == 0, result

        complete = sorted(fs.glob(f"{BUCKET}/{PREFIX}/{LANDING_GLOB}"))
        assert complete, "nothing landed on s3://"
        # a live writer's temporary key (this process) and a dead writer's, holding a complete page
        folder, name = complete[0].rsplit("/", 1)
        page = fs.cat(complete[0])
        live = f"{folder}/.{name[:-6]}-more.jsonl.{writer_tag()}-0a1b2c3d.tmp"
        dead = f"{folder}/.{name[:-6]}-lost.jsonl.{writer_tag().rsplit('-', 1)[0]}-{_dead_pid()}-4e5f6a7b.tmp"
        fs.pipe(live, page)
        fs.pipe(dead, page)

        report = load(home)  # loads only (raw.*): staging is a function of raw, built the same either way
        assert not report.failed, report.summary()

        # the same complete objects on a local disk, loaded from there
        local = Home.resolve(base / "local", landing=base / "local" / "landing").ensure()
        for key in complete:
            target = local.landing / key[len(f"{BUCKET}/{PREFIX}/") :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(fs.cat(key))
        local_report = load(local)
        assert not local_report.failed, local_report.summary()

        yield {
            "fs": fs,
            "home": home,
            "local": local,
            "complete": complete,
            "live": live,
            "dead": dead,
            "outputs": outputs,
            "log": log,
        }
    finally:
        if handler is not None:
            root.removeHandler(handler)
        root.setLevel(old_level)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


def _snapshot(db: Path, folder: Path) -> dict[str, Path]:
    """Every raw and meta table of ``db`` (the ledger apart), less ``loaded_at``, as Parquet files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'meta') AND table_name <> 'load_ledger' ORDER BY 1, 2"
        ).fetchall()
        for schema, table in tables:
            names = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                    "ORDER BY ordinal_position",
                    [schema, table],
                ).fetchall()
                if row[0] != "loaded_at"  # when each copy was loaded: the one column that must differ
            ]
            cols = ", ".join(f'"{name}"' for name in names)
            files[f"{schema}.{table}"] = out = folder / f"{schema}.{table}.parquet"
            con.execute(f"COPY (SELECT {cols} FROM {schema}.{table}) TO '{out}' (FORMAT parquet)")
    return files


def test_only_complete_objects_load_and_each_line_once(s3_run):
    fs, home = s3_run["fs"], s3_run["home"]
    prefix = f"{BUCKET}/{PREFIX}/"
    lines = {key[len(prefix) :]: fs.cat(key).count(b"\n") for key in s3_run["complete"]}
    with contextlib.closing(duckdb.connect(str(home.db_path), read_only=True)) as con:
        ledger = dict(
            con.execute("SELECT landing_file, rows FROM meta.load_ledger WHERE status = 'loaded'").fetchall()
        )
        temp_rows = con.execute(
            "SELECT count(*) FROM raw.x_api_pages WHERE landing_file LIKE '%.tmp' OR landing_file LIKE '%/.%'"
        ).fetchone()[0]
        pages = con.execute("SELECT count(*) FROM raw.x_api_pages").fetchone()[0]
    assert ledger == lines  # every complete object, with as many rows as it has lines; nothing else
    assert temp_rows == 0
    assert pages == sum(n for rel, n in lines.items() if rel.startswith("x_api_pages/")) > 0
    assert fs.exists(s3_run["live"])  # a running writer's temporary key is left to it
    assert not fs.exists(s3_run["dead"])  # a dead writer's is swept


def test_s3_landing_loads_the_same_as_a_local_disk(s3_run, tmp_path):
    from_s3 = _snapshot(s3_run["home"].db_path, tmp_path / "s3")
    from_disk = _snapshot(s3_run["local"].db_path, tmp_path / "disk")
    assert from_s3.keys() == from_disk.keys()
    assert {"raw.x_api_pages", "raw.x_api_requests", "raw.blog_wxr"} <= from_s3.keys()
    compared = 0
    with contextlib.closing(duckdb.connect()) as con:
        for name, s3_file in from_s3.items():
            for a, b in ((s3_file, from_disk[name]), (from_disk[name], s3_file)):
                extra = con.execute(
                    f"SELECT count(*) FROM (SELECT * FROM '{a}' EXCEPT ALL SELECT * FROM '{b}')"
                ).fetchone()[0]
                assert extra == 0, f"{name}: {extra} row(s) in {a.parent.name} only"
            compared += con.execute(f"SELECT count(*) FROM '{s3_file}'").fetchone()[0]
    assert compared > 0
    ledgers = []
    for home in (s3_run["home"], s3_run["local"]):
        with contextlib.closing(duckdb.connect(str(home.db_path), read_only=True)) as con:
            ledgers.append(
                con.execute(
                    "SELECT landing_file, resource, sha256, bytes, rows, status FROM meta.load_ledger ORDER BY 1"
                ).fetchall()
            )
    assert ledgers[0] == ledgers[1]
    local = s3_run["local"].landing
    # the ledger's hashes are the objects' bytes, hashed here independently of the loader
    assert {row[0]: row[2] for row in ledgers[0]} == {
        p.relative_to(local).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in local.glob(LANDING_GLOB)
    }


def test_the_secret_key_is_nowhere(s3_run):
    log = s3_run["log"].getvalue()
    assert "127.0.0.1" in log  # the S3 traffic was logged (at DEBUG), so the check below means something
    assert SECRET not in log
    for result in s3_run["outputs"]:
        assert SECRET not in result.out + result.err
    fs = s3_run["fs"]
    for key in fs.find(BUCKET):
        assert SECRET.encode() not in fs.cat(key), key
    for folder in (s3_run["home"].root, s3_run["local"].root):
        for path in Path(folder).rglob("*"):
            if path.is_file() and path.suffix != ".duckdb" and ".wal" not in path.name:
                assert SECRET.encode() not in path.read_bytes(), path
    with contextlib.closing(duckdb.connect(str(s3_run["home"].db_path), read_only=True)) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type IN ('VARCHAR', 'JSON') AND table_schema NOT IN ('information_schema', 'pg_catalog')"
        ).fetchall()
        assert columns
        for schema, table, column in columns:
            hits = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE contains(CAST("{column}" AS VARCHAR), ?)',
                [SECRET],
            ).fetchone()[0]
            assert hits == 0, f"{schema}.{table}.{column}"


def test_credentials_in_the_url_are_refused_without_echoing_them(tmp_path):
    env = {**os.environ, "TIEMETER_LANDING": f"s3://key:{SECRET}@bucket/landing"}
    result = subprocess.run(
        [sys.executable, "-m", "tiemeter.cli", "--home", str(tmp_path), "load"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "AWS_SECRET_ACCESS_KEY" in result.stderr
    assert SECRET not in result.stdout + result.stderr
