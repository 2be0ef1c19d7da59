"""Exports for BI tools: Parquet (by month where a table has a time column), CSV with headers, and a
read-only DuckDB snapshot replaced atomically, so BI tools never fight the pipeline for the lock."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tiemeter.errors import FatalError
from tiemeter.settings import Home
from tiemeter.temp_files import sweep, temp_path
from tiemeter.warehouse.connection import warehouse

EXPORT_SCHEMAS = ("core", "marts")
SNAPSHOT_NAME = "tiemeter.duckdb"
# The column that dates a row, by preference; the first one a table has partitions its Parquet by month.
TIME_COLUMNS = (
    "occurred_at",
    "created_at",
    "posted_at",
    "published_at",
    "observed_at",
    "day",
    "window_end",
    "first_at",
)


@dataclass
class ExportReport:
    out: Path
    tables: list[str] = field(default_factory=list)
    files: int = 0
    snapshot: Path | None = None

    def summary(self) -> str:
        snap = f"; snapshot {self.snapshot}" if self.snapshot else ""
        return f"exported {len(self.tables)} table(s) to {self.out} ({self.files} file(s)){snap}"


def exportable_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        f"""
        SELECT schema_name, table_name FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name IN {EXPORT_SCHEMAS}
        UNION ALL
        SELECT schema_name, view_name FROM duckdb_views()
        WHERE database_name = current_database() AND schema_name IN {EXPORT_SCHEMAS} AND NOT internal
        ORDER BY 1, 2
        """
    ).fetchall()


def _time_column(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str | None:
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
            "AND database_name = current_database()",
            [schema, table],
        ).fetchall()
    )
    for name in TIME_COLUMNS:
        if name in types and types[name].startswith(("TIMESTAMP", "DATE")):
            return name
    return None


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _replace_dir(tmp: Path, final: Path) -> None:
    old = temp_path(final)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def export_parquet(con, schema: str, table: str, out: Path) -> int:
    target = out / "parquet" / f"{schema}.{table}"
    tmp = temp_path(target)
    month = _time_column(con, schema, table)
    if month:
        tmp.mkdir(parents=True)
        con.execute(
            f"""COPY (SELECT *, coalesce(strftime({month}, '%Y-%m'), 'unknown') AS month FROM {schema}.{table})
                TO {_literal(tmp)} (FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE)"""
        )
    else:
        tmp.mkdir(parents=True)
        con.execute(f"COPY {schema}.{table} TO {_literal(tmp / 'data.parquet')} (FORMAT parquet)")
    _replace_dir(tmp, target)
    return sum(1 for _ in target.rglob("*.parquet"))


# OWASP's advice against CSV injection: a spreadsheet runs a cell that starts with one of these as a
# formula, so such a text cell gets a leading apostrophe (shown as text, never evaluated). Number
# columns stay numbers; Parquet and the snapshot keep the original text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv_select(con, schema: str, table: str) -> str:
    """The table's columns, each text column neutralised against formula injection."""
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database() ORDER BY column_index",
        [schema, table],
    ).fetchall()
    triggers = "[" + ", ".join(_quote(t) for t in FORMULA_TRIGGERS) + "]"
    parts = []
    for name, data_type in columns:
        ident = '"' + name.replace('"', '""') + '"'
        if data_type == "VARCHAR":
            parts.append(
                f"CASE WHEN list_contains({triggers}, left({ident}, 1)) THEN chr(39) || {ident} "
                f"ELSE {ident} END AS {ident}"
            )
        else:
            parts.append(ident)
    return f"SELECT {', '.join(parts)} FROM {schema}.{table}"


def export_csv(con, schema: str, table: str, out: Path) -> int:
    target = out / "csv" / f"{schema}.{table}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(target)
    con.execute(f"COPY ({_csv_select(con, schema, table)}) TO {_literal(tmp)} (FORMAT csv, HEADER true)")
    os.replace(tmp, target)
    return 1


def write_snapshot(con, tables: list[tuple[str, str]], out: Path) -> Path:
    """A DuckDB file with core and marts (tables only, views materialised) and their comments."""
    final = out / SNAPSHOT_NAME
    tmp = temp_path(final)
    con.execute(f"ATTACH {_literal(tmp)} AS snapshot")
    try:
        for schema in EXPORT_SCHEMAS:
            con.execute(f"CREATE SCHEMA snapshot.{schema}")
        for schema, table in tables:
            con.execute(f"CREATE TABLE snapshot.{schema}.{table} AS SELECT * FROM {schema}.{table}")
        comments = con.execute(
            f"""
            SELECT schema_name, table_name, comment FROM duckdb_tables()
            WHERE database_name = current_database() AND schema_name IN {EXPORT_SCHEMAS} AND comment IS NOT NULL
            UNION ALL
            SELECT schema_name, view_name, comment FROM duckdb_views()
            WHERE database_name = current_database() AND schema_name IN {EXPORT_SCHEMAS} AND comment IS NOT NULL
            """
        ).fetchall()
        for schema, table, comment in comments:
            con.execute(f"COMMENT ON TABLE snapshot.{schema}.{table} IS {_quote(comment)}")
        for schema, table, column, comment in con.execute(
            f"""SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()
                WHERE database_name = current_database() AND schema_name IN {EXPORT_SCHEMAS} AND comment IS NOT NULL"""
        ).fetchall():
            con.execute(f'COMMENT ON COLUMN snapshot.{schema}.{table}."{column}" IS {_quote(comment)}')
    finally:
        con.execute("DETACH snapshot")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o444)
    os.replace(tmp, final)
    return final


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export(home: Home, fmt: str = "all", out: Path | None = None, snapshot: bool = True) -> ExportReport:
    out = Path(out or home.exports).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sweep(out)  # what a killed export left: temp folders, half-written CSVs and snapshot copies
    report = ExportReport(out)
    with warehouse(home) as con:
        tables = exportable_tables(con)
        if not tables:
            raise FatalError("nothing to export yet: run 'tiemeter transform' first")
        for schema, table in tables:
            if fmt in ("parquet", "all"):
                report.files += export_parquet(con, schema, table, out)
            if fmt in ("csv", "all"):
                report.files += export_csv(con, schema, table, out)
            report.tables.append(f"{schema}.{table}")
        if snapshot:
            report.snapshot = write_snapshot(con, tables, out)
    return report
