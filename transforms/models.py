"""Model files: SQL with a YAML header that states the grain, documents every column and names the checks.

A model file ``transforms/models/<layer>/<name>.sql`` looks like::

    /*
    model: core.tweets
    materialized: table          # table | view
    grain: one row per tweet (edit chain)
    unique_key: [tweet_id]
    columns:
      tweet_id: {description: "...", tests: [not_null]}
      author_id: {description: "...", tests: [not_null, {relationships: core.x_users.user_id}]}
    */
    SELECT ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tiemeter.errors import FatalError

MODELS_DIR = Path(__file__).parent / "models"
MACROS_FILE = Path(__file__).parent / "macros.sql"
LAYERS = ("staging", "core", "marts")
_HEADER = re.compile(r"^\s*/\*(.*?)\*/", re.S)
_REFERENCE = re.compile(r"\b(staging|core|marts)\.([a-z_][a-z0-9_]*)\b")


class ModelError(FatalError):
    pass


@dataclass(frozen=True)
class Model:
    name: str  # schema.table
    layer: str
    path: Path
    sql: str
    materialized: str
    grain: str
    description: str
    unique_key: tuple[str, ...]
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    depends_on: frozenset[str] = frozenset()
    batch_table: str | None = None  # build in slices of this table's rowids ({{ BATCH_FILTER }})
    batch_rows: int = 0

    @property
    def schema(self) -> str:
        return self.name.split(".")[0]

    @property
    def table(self) -> str:
        return self.name.split(".")[1]


_PY_HEADER = re.compile(r'^\s*"""(.*?)"""', re.S)


def parse_model(path: Path) -> Model:
    """A SQL model (``/* YAML */`` header, then a SELECT) or a Python model (YAML docstring and a
    ``build(con)`` function, for what SQL does badly, e.g. PageRank)."""
    text = path.read_text("utf-8")
    match = (_PY_HEADER if path.suffix == ".py" else _HEADER).match(text)
    if not match:
        raise ModelError(f"{path}: a model starts with a YAML header (/* */ for SQL, a docstring for Python)")
    try:
        header = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise ModelError(f"{path}: header is not valid YAML: {error}") from None
    layer = path.parent.name
    name = header.get("model") or f"{layer}.{path.stem}"
    if name.split(".")[0] != layer:
        raise ModelError(f"{path}: model {name} must live in the {name.split('.')[0]}/ folder")
    for key in ("grain",):
        if not header.get(key):
            raise ModelError(f"{path}: header lacks '{key}'")
    sql = "" if path.suffix == ".py" else _substitute(text[match.end() :].strip().rstrip(";"), path)
    columns = {}
    for column, spec in (header.get("columns") or {}).items():
        spec = {"description": spec} if isinstance(spec, str) else dict(spec or {})
        if not spec.get("description"):
            raise ModelError(f"{path}: column {column} has no description")
        columns[column] = spec
    depends = {f"{s}.{t}" for s, t in _REFERENCE.findall(_strip_comments(sql))} - {name}
    depends |= set(header.get("depends_on") or [])
    batch = header.get("batch") or {}
    if batch and "{{ BATCH_FILTER }}" not in sql:
        raise ModelError(f"{path}: a batched model must filter its source with {{{{ BATCH_FILTER }}}}")
    if batch and not (batch.get("table") and int(batch.get("rows", 0)) > 0):
        raise ModelError(f"{path}: batch needs a table and rows > 0")
    return Model(
        name=name,
        layer=layer,
        path=path,
        sql=sql,
        materialized=header.get("materialized", "view" if layer == "staging" else "table"),
        grain=header["grain"],
        description=header.get("description", ""),
        unique_key=tuple(header.get("unique_key") or ()),
        columns=columns,
        depends_on=frozenset(depends),
        batch_table=batch.get("table"),
        batch_rows=int(batch.get("rows", 0)),
    )


def _substitute(sql: str, path: Path) -> str:
    """Replace ``{{ NAME }}`` with a JSON structure from ``transforms.json_types``, quoted for SQL."""
    from transforms.json_types import STRUCTURES

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name == "BATCH_FILTER":
            return match.group(0)
        if name not in STRUCTURES:
            raise ModelError(f"{path}: unknown structure {{{{ {name} }}}}")
        return "'" + STRUCTURES[name].replace("'", "''") + "'"

    return re.sub(r"\{\{\s*([A-Z_]+)\s*\}\}", replace, sql)


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", re.sub(r"/\*.*?\*/", "", sql, flags=re.S))


def discover(models_dir: Path = MODELS_DIR) -> list[Model]:
    models = [
        parse_model(p)
        for layer in LAYERS
        for p in sorted((models_dir / layer).iterdir())
        if p.suffix in (".sql", ".py") and not p.name.startswith("_")
    ]
    return order(models)


def order(models: list[Model]) -> list[Model]:
    """Topological order by the ``schema.table`` names each model's SQL reads."""
    by_name = {m.name: m for m in models}
    if len(by_name) != len(models):
        raise ModelError("two model files define the same model")
    done: list[Model] = []
    seen: set[str] = set()
    visiting: set[str] = set()

    def visit(model: Model) -> None:
        if model.name in seen:
            return
        if model.name in visiting:
            raise ModelError(f"dependency cycle through {model.name}")
        visiting.add(model.name)
        for dep in sorted(model.depends_on):
            if dep in by_name:
                visit(by_name[dep])
            else:
                raise ModelError(f"{model.path}: reads {dep}, which no model defines")
        visiting.discard(model.name)
        seen.add(model.name)
        done.append(model)

    for model in models:
        visit(model)
    return done
