"""Data checks, in the manner of dbt's generic tests: unique, not_null, accepted_values, relationships,
plus the grain (``unique_key``) that every model states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from transforms.models import Model


@dataclass(frozen=True)
class CheckResult:
    model: str
    check: str
    failures: int
    sql: str

    @property
    def ok(self) -> bool:
        return self.failures == 0

    def __str__(self) -> str:
        state = "ok" if self.ok else f"FAILED ({self.failures} rows)"
        return f"{self.model}: {self.check}: {state}"


def _checks_for(model: Model) -> list[tuple[str, str]]:
    t = model.name
    checks: list[tuple[str, str]] = []
    if model.unique_key:
        key = ", ".join(model.unique_key)
        checks.append(
            (
                f"grain unique ({key})",
                f"SELECT count(*) FROM (SELECT {key} FROM {t} GROUP BY ALL HAVING count(*) > 1)",
            )
        )
    for column, spec in model.columns.items():
        for test in spec.get("tests") or []:
            checks.append(_column_check(t, column, test))
    return checks


def _column_check(table: str, column: str, test: Any) -> tuple[str, str]:
    if test == "not_null":
        return f"{column} not_null", f"SELECT count(*) FROM {table} WHERE {column} IS NULL"
    if test == "unique":
        return (
            f"{column} unique",
            f"SELECT count(*) FROM (SELECT {column} FROM {table} WHERE {column} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)",
        )
    if isinstance(test, dict) and "accepted_values" in test:
        values = ", ".join("'" + str(v).replace("'", "''") + "'" for v in test["accepted_values"])
        return (
            f"{column} accepted_values",
            f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL AND {column}::VARCHAR NOT IN ({values})",
        )
    if isinstance(test, dict) and "relationships" in test:
        target = test["relationships"]
        target_table, target_column = target.rsplit(".", 1)
        return (
            f"{column} relationships -> {target}",
            f"SELECT count(*) FROM {table} s WHERE s.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target_table} r WHERE r.{target_column} = s.{column})",
        )
    if isinstance(test, dict) and "expression" in test:
        return (
            f"{column} {test['expression']}",
            f"SELECT count(*) FROM {table} WHERE NOT ({test['expression']})",
        )
    raise ValueError(f"{table}.{column}: unknown test {test!r}")


def run_checks(con: duckdb.DuckDBPyConnection, models: list[Model]) -> list[CheckResult]:
    results = []
    for model in models:
        for name, sql in _checks_for(model):
            failures = con.execute(sql).fetchone()[0]
            results.append(CheckResult(model.name, name, failures, sql))
    return results
