"""The warehouse file's storage format: a new warehouse compresses the raw layer's JSON pages, an
older warehouse keeps loading in its own format, and compression changes no byte of a page."""

from __future__ import annotations

import contextlib
import json

import duckdb
from support import REALDATA

from tiemeter.collectors.twarc_import import import_twarc_file
from tiemeter.landing import new_run_id
from tiemeter.warehouse.loader import load_pending

PAGE = REALDATA / "x_api_v2" / "noflat.jsonl"  # one real search page, 416 kB


def _land_and_load(home) -> None:
    result = import_twarc_file(PAGE, home.landing, new_run_id())
    assert not result.rejected
    report = load_pending(home)
    assert [o.status for o in report.outcomes] == ["loaded"], report.summary()


def _storage(home) -> tuple[str, list[str], list[dict]]:
    """(storage format, compressions of raw.x_api_pages.payload, its payloads parsed)."""
    with contextlib.closing(duckdb.connect(str(home.db_path))) as con:
        con.execute("CHECKPOINT")
        version = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()[0]
        compressions = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT compression FROM pragma_storage_info('raw.x_api_pages') "
                "WHERE column_name = 'payload' AND segment_type <> 'VALIDITY'"
            ).fetchall()
        ]
        payloads = [
            json.loads(row[0]) for row in con.execute("SELECT payload FROM raw.x_api_pages").fetchall()
        ]
    return version, compressions, payloads


def _original_page() -> dict:
    [line] = [line for line in PAGE.read_text("utf-8").splitlines() if line.strip()]
    return json.loads(line)


def test_a_new_warehouse_stores_the_pages_compressed_and_unchanged(home):
    _land_and_load(home)
    version, compressions, payloads = _storage(home)
    assert version.startswith("v1.2"), version
    assert compressions == ["ZSTD"]
    [payload] = payloads
    assert "__tiemeter" in payload  # the landing stamp rides along; everything else is the page as it came
    payload.pop("__tiemeter")
    assert payload == _original_page()


def test_a_warehouse_in_the_older_format_keeps_loading_in_it(home):
    duckdb.connect(str(home.db_path)).close()  # as versions before the compressed format created it
    _land_and_load(home)
    version, compressions, payloads = _storage(home)
    assert not version.startswith("v1.2"), version
    assert "ZSTD" not in compressions
    [payload] = payloads
    payload.pop("__tiemeter")
    assert payload == _original_page()
