"""Build the models in dependency order and document them with COMMENT ON.

Each model is committed on its own. One transaction around the whole build would keep every new
table in memory until the end (DuckDB cannot spill uncommitted data far enough for a 1M-tweet
rebuild under a 1 GB limit). Nobody reads the live file while it is built (BI tools read the
exported snapshot), and a failed build is simply run again.
"""

from __future__ import annotations

import importlib.util
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from tiemeter.settings import Home
from transforms.models import MACROS_FILE, Model, ModelError, discover
from warehouse.connection import warehouse


@dataclass(frozen=True)
class BuildReport:
    models: list[str]
    seconds: float
    model_seconds: dict[str, float] = field(default_factory=dict)

    def slowest(self, n: int = 5) -> list[tuple[str, float]]:
        return sorted(self.model_seconds.items(), key=lambda item: -item[1])[:n]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def select_models(models: list[Model], layers: Iterable[str], with_dependencies: bool = True) -> list[Model]:
    """The models of ``layers`` and (unless told otherwise) everything they read, in build order."""
    wanted = {m.name for m in models if m.layer in set(layers)}
    if not with_dependencies:
        return [m for m in models if m.name in wanted]
    by_name = {m.name: m for m in models}
    stack = list(wanted)
    while stack:
        for dep in by_name[stack.pop()].depends_on:
            if dep not in wanted:
                wanted.add(dep)
                stack.append(dep)
    return [m for m in models if m.name in wanted]


def _document(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    actual = [r[0] for r in con.execute(f"DESCRIBE {model.name}").fetchall()]
    if model.layer != "staging":
        missing = [c for c in actual if c not in model.columns]
        extra = [c for c in model.columns if c not in actual]
        if missing or extra:
            raise ModelError(
                f"{model.path}: columns and header disagree: undocumented {missing}, documented but absent {extra}"
            )
    kind = "VIEW" if model.materialized == "view" else "TABLE"
    comment = f"Grain: {model.grain}." + (f" {model.description.strip()}" if model.description else "")
    con.execute(f"COMMENT ON {kind} {model.name} IS {_quote(comment)}")
    for column in actual:
        spec = model.columns.get(column)
        if spec:
            con.execute(f"COMMENT ON COLUMN {model.name}.{column} IS {_quote(spec['description'].strip())}")


BATCH_FILTER = "{{ BATCH_FILTER }}"


def build_model(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    if model.path.suffix == ".py":
        _python_model(model).build(con)
    elif model.materialized == "view":
        con.execute(f"CREATE OR REPLACE VIEW {model.name} AS\n{model.sql}")
    elif model.materialized == "table" and model.batch_table:
        _build_batched(con, model)
    elif model.materialized == "table":
        con.execute(f"CREATE OR REPLACE TABLE {model.name} AS\n{model.sql}")
    else:
        raise ModelError(f"{model.path}: unknown materialization {model.materialized!r}")
    _document(con, model)


def _python_model(model: Model):
    spec = importlib.util.spec_from_file_location(f"tiemeter_model_{model.table}", model.path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS_FILE.read_text("utf-8"))


def _build_batched(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Build from slices of the source's rowids. DuckDB works on 2,048 rows at a time; when a row is
    a 400 KB API page that is most of a gigabyte, so wide-row models are fed a few hundred at a time.
    (Slices sized by bytes instead were measured: no faster, and the size scan itself ran a 200k-tweet
    import out of memory.)"""
    lo, hi = con.execute(
        f"SELECT coalesce(min(rowid), 0), coalesce(max(rowid), -1) FROM {model.batch_table}"
    ).fetchone()
    sql = model.sql.replace(
        BATCH_FILTER, "rowid BETWEEN getvariable('tiemeter_batch_lo') AND getvariable('tiemeter_batch_hi')"
    )
    for number, start in enumerate(range(lo, max(hi, lo) + 1, model.batch_rows)):
        con.execute("SET VARIABLE tiemeter_batch_lo = ?", [start])
        con.execute("SET VARIABLE tiemeter_batch_hi = ?", [start + model.batch_rows - 1])
        if number == 0:
            con.execute(f"CREATE OR REPLACE TABLE {model.name} AS\n{sql}")
        else:
            con.execute(f"INSERT INTO {model.name}\n{sql}")


FRESH_CONNECTION_ABOVE_BYTES = 256 << 20


def _open(home: Home, variables: dict[str, object] | None) -> duckdb.DuckDBPyConnection:
    from warehouse.connection import connect
    from warehouse.schema import ensure_schema

    con = connect(home)
    ensure_schema(con)
    for name, value in (variables or {}).items():
        con.execute(f"SET VARIABLE {name} = ?", [value])
    create_macros(con)
    return con


def _build_one(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        build_model(con, model)
        con.execute("COMMIT")
    except duckdb.Error as error:
        con.execute("ROLLBACK")
        reason = " ".join(str(error).split())[:400]
        raise ModelError(f"{model.name} ({model.path.name}): {reason}") from None
    except BaseException:
        con.execute("ROLLBACK")
        raise


def build(
    home: Home,
    layers: Iterable[str] = ("staging", "core"),
    models: list[Model] | None = None,
    variables: dict[str, object] | None = None,
    with_dependencies: bool = True,
) -> BuildReport:
    """Rebuild the chosen layers from raw, model by model, each in its own transaction.

    ``variables`` become DuckDB variables (``getvariable('name')``) that models read.
    """
    layers = tuple(layers)
    chosen = select_models(models if models is not None else discover(), layers, with_dependencies)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    # On a big warehouse each model gets a fresh connection (and DuckDB instance): what DuckDB keeps
    # between statements piles up over a long build and ends in out-of-memory errors. A small one
    # is built on one connection, which saves the reconnects.
    fresh_each = home.db_path.exists() and home.db_path.stat().st_size > FRESH_CONNECTION_ABOVE_BYTES
    con = None
    timings: dict[str, float] = {}
    try:
        for model in chosen:
            model_clock = time.perf_counter()
            if con is None:
                con = _open(home, variables)
            _build_one(con, model)
            if fresh_each:  # the close writes the model's checkpoint: it belongs to its time
                con.close()
                con = None
            timings[model.name] = time.perf_counter() - model_clock
    finally:
        if con is not None:
            con.close()
    with warehouse(home) as con:
        con.execute(
            "INSERT INTO meta.builds VALUES (?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, ",".join(layers), len(chosen), started, datetime.now(UTC)],
        )
    return BuildReport([m.name for m in chosen], time.perf_counter() - clock, timings)
