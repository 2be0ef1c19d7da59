"""One-off: turn the hand-run model files into the dbt project's models (delete once the move is final).

    .venv/bin/python transforms/convert_to_dbt.py

Re-runnable after merging branches that still edit models in the old format. It converts every file
under ``transforms/models/<layer>/`` that still starts with a YAML header, and keeps the
``schema.yml`` entries of models converted earlier:

- a SQL model (``/* YAML */`` header, then a SELECT) keeps its SQL; ``staging.x`` / ``core.x`` /
  ``marts.x`` become ``{{ ref('x') }}``, ``raw.x`` and ``meta.x`` become ``{{ source('raw', 'x') }}``
  (outside comments and string literals), ``{{ NAME }}`` becomes ``{{ json_structure('NAME') }}``,
  ``{{ BATCH_FILTER }}`` becomes ``{{ batch_filter() }}``, and a config block states the
  materialization and schema;
- a Python model (YAML docstring) keeps its code, which must already define ``model(dbt, session)``;
- the header becomes the model's entry in ``models/<layer>/schema.yml``: the description (with the
  grain), column descriptions, and tests: not_null, unique, accepted_values, relationships,
  ``expression`` (-> ``expression_is_true``), the grain's ``unique_key`` (-> ``unique_combination``)
  and, for core and marts, ``columns_documented``;
- ``models/sources.yml`` lists the raw and meta tables the models read;
- ``transforms/macros.sql`` becomes ``macros/duckdb_functions.sql`` and ``transforms/json_types.py``
  becomes ``macros/json_structures.sql``; both old files are deleted.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import yaml

TRANSFORMS = Path(__file__).resolve().parent
MODELS = TRANSFORMS / "models"
MACROS = TRANSFORMS / "macros"
LAYERS = ("staging", "core", "marts")
SOURCE_SCHEMAS = ("raw", "meta")
DEFAULT_MATERIALIZED = {"staging": "view", "core": "table", "marts": "table"}

_SQL_HEADER = re.compile(r"^\s*/\*(.*?)\*/\s*", re.S)
_PY_HEADER = re.compile(r'^\s*"""(.*?)"""\s*', re.S)
_REFERENCE = re.compile(r"(?<![\w.])(staging|core|marts|raw|meta)\.([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Z_]+)\s*\}\}")


class ConversionError(Exception):
    pass


# -- SQL ------------------------------------------------------------------------------------------


def _segments(sql: str):
    """(is_code, text) pieces: comments, string literals and quoted identifiers are not code."""
    i, start, n = 0, 0, len(sql)
    while i < n:
        two = sql[i : i + 2]
        if two == "--":
            end = sql.find("\n", i)
            end = n if end < 0 else end
        elif two == "/*":
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
        elif sql[i] in "'\"":
            quote, end = sql[i], i + 1
            while end < n:
                if sql[end] == quote:
                    if sql[end + 1 : end + 2] == quote:
                        end += 2
                        continue
                    end += 1
                    break
                end += 1
        else:
            i += 1
            continue
        if start < i:
            yield True, sql[start:i]
        yield False, sql[i:end]
        i = start = end
    if start < n:
        yield True, sql[start:]


def convert_sql(sql: str, references: set[tuple[str, str]]) -> str:
    """Rewrite table names into ref()/source() and placeholders into macros; note what it read."""

    def reference(match: re.Match) -> str:
        schema, table = match.group(1), match.group(2)
        references.add((schema, table))
        if schema in SOURCE_SCHEMAS:
            return f"{{{{ source('{schema}', '{table}') }}}}"
        return f"{{{{ ref('{table}') }}}}"

    def placeholder(match: re.Match) -> str:
        name = match.group(1)
        return "{{ batch_filter() }}" if name == "BATCH_FILTER" else f"{{{{ json_structure('{name}') }}}}"

    parts = []
    for is_code, text in _segments(sql):
        if is_code:
            text = _PLACEHOLDER.sub(placeholder, _REFERENCE.sub(reference, text))
            if re.search(r"\{[%#]", text):
                raise ConversionError(f"Jinja-like text {{% or {{# in SQL code: {text[:80]!r}")
        else:
            text = text.replace("{{", "{{ '{{' }}").replace("{%", "{{ '{%' }}").replace("{#", "{{ '{#' }}")
        parts.append(text)
    return "".join(parts)


def _config_block(layer: str, header: dict) -> str:
    materialized = header.get("materialized") or DEFAULT_MATERIALIZED[layer]
    options = [f"materialized='{materialized}'", f"schema='{layer}'"]
    batch = header.get("batch") or {}
    if batch:
        schema, table = batch["table"].split(".")
        options[0] = "materialized='batched_table'"
        options += [f"batch_source=['{schema}', '{table}']", f"batch_rows={int(batch['rows'])}"]
    return "{{ config(" + ", ".join(options) + ") }}"


# -- headers -> schema.yml -------------------------------------------------------------------------


def _target(dotted: str) -> tuple[str, str]:
    schema, table, column = dotted.split(".")
    if schema in SOURCE_SCHEMAS:
        return f"source('{schema}', '{table}')", column
    return f"ref('{table}')", column


def _column_test(test, column: str, model: str):
    if test in ("not_null", "unique"):
        return test
    if isinstance(test, dict) and len(test) == 1:
        ((kind, value),) = test.items()
        if kind == "accepted_values":
            return {"accepted_values": {"arguments": {"values": list(value)}}}
        if kind == "relationships":
            to, field = _target(value)
            return {"relationships": {"arguments": {"to": to, "field": field}}}
        if kind == "expression":
            return {"expression_is_true": {"arguments": {"expression": value}}}
    raise ConversionError(f"{model}.{column}: unknown test {test!r}")


def schema_entry(layer: str, table: str, header: dict) -> dict:
    grain = str(header["grain"]).strip()
    description = " ".join(str(header.get("description") or "").split())
    entry: dict = {
        "name": table,
        "description": f"Grain: {grain}." + (f" {description}" if description else ""),
    }
    tests = []
    if header.get("unique_key"):
        tests.append({"unique_combination": {"arguments": {"columns": list(header["unique_key"])}}})
    if layer != "staging":
        tests.append("columns_documented")
    if tests:
        entry["data_tests"] = tests
    columns = []
    for column, spec in (header.get("columns") or {}).items():
        spec = {"description": spec} if isinstance(spec, str) else dict(spec or {})
        if not spec.get("description"):
            raise ConversionError(f"{layer}.{table}: column {column} has no description")
        item = {"name": column, "description": " ".join(str(spec["description"]).split())}
        if spec.get("tests"):
            item["data_tests"] = [_column_test(t, column, f"{layer}.{table}") for t in spec["tests"]]
        columns.append(item)
    if columns:
        entry["columns"] = columns
    return entry


def convert_model(path: Path, references: set[tuple[str, str]]) -> tuple[dict, str] | None:
    """(schema.yml entry, new file text), or None for a file converted earlier."""
    text = path.read_text("utf-8")
    layer, table = path.parent.name, path.stem
    match = (_PY_HEADER if path.suffix == ".py" else _SQL_HEADER).match(text)
    header = None
    if match:
        try:
            header = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            header = None
    if not isinstance(header, dict) or "grain" not in header:
        return None
    name = header.get("model") or f"{layer}.{table}"
    if name != f"{layer}.{table}":
        raise ConversionError(f"{path}: model {name} must be {layer}/{name.split('.')[-1]}{path.suffix}")
    body = text[match.end() :]
    if path.suffix == ".py":
        if not re.search(r"^def model\(dbt, session\b", body, re.M):
            raise ConversionError(f"{path}: a Python model must define model(dbt, session) (dbt-duckdb)")
        summary = " ".join(str(header.get("description") or header["grain"]).split()).split(". ")[0]
        new_text = f'"""{name}: {summary.rstrip(".")}. Grain, columns and tests: schema.yml."""\n\n{body}'
    else:
        sql = convert_sql(body.strip().rstrip(";").rstrip(), references)
        lines = [_config_block(layer, header)]
        for dependency in sorted(header.get("depends_on") or []):
            lines.append(f"-- depends_on: {{{{ ref('{dependency.split('.')[-1]}') }}}}")
        new_text = "\n".join(lines) + "\n\n" + sql + "\n"
    return schema_entry(layer, table, header), new_text


def _dump(document: dict) -> str:
    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">" if len(value) > 80 else None)

    Dumper.add_representer(str, text)
    return yaml.dump(document, Dumper=Dumper, sort_keys=False, width=110, allow_unicode=True)


GENERATED = (
    "# Generated from the model headers by transforms/convert_to_dbt.py; edit it by hand from now on.\n"
)


def convert_layer(layer: str, references: set[tuple[str, str]], writes: dict[Path, str]) -> list[str]:
    folder = MODELS / layer
    schema_file = folder / "schema.yml"
    existing = {}
    if schema_file.exists():
        existing = {
            m["name"]: m for m in (yaml.safe_load(schema_file.read_text("utf-8")) or {}).get("models", [])
        }
    files = sorted(p for p in folder.iterdir() if p.suffix in (".sql", ".py") and not p.name.startswith("_"))
    entries, converted = {}, []
    for path in files:
        result = convert_model(path, references)
        if result is None:
            if path.stem not in existing:
                raise ConversionError(f"{path}: no YAML header and no schema.yml entry")
            entries[path.stem] = existing[path.stem]
            if path.suffix == ".sql":
                convert_sql(path.read_text("utf-8"), references)  # note its sources
            continue
        entry, new_text = result
        entries[path.stem] = entry
        writes[path] = new_text
        converted.append(f"{layer}.{path.stem}")
    writes[schema_file] = GENERATED + _dump({"version": 2, "models": list(entries.values())})
    return converted


# -- sources, macros ---------------------------------------------------------------------------------


def write_sources(references: set[tuple[str, str]]) -> None:
    sys.path.insert(0, str(TRANSFORMS.parent))
    from warehouse.schema import RAW_RESOURCES

    sources = []
    for schema in SOURCE_SCHEMAS:
        tables = sorted(t for s, t in references if s == schema)
        if not tables:
            continue
        described = "landed pages, untouched, with provenance" if schema == "raw" else "the run's config"
        source = {
            "name": schema,
            "schema": schema,
            "description": f"Loaded by warehouse/ ({described}); dbt only reads it.",
            "tables": [
                {
                    "name": t,
                    **({"description": RAW_RESOURCES[t]} if schema == "raw" and t in RAW_RESOURCES else {}),
                }
                for t in tables
            ],
        }
        sources.append(source)
    (MODELS / "sources.yml").write_text(GENERATED + _dump({"version": 2, "sources": sources}), "utf-8")


def convert_duckdb_functions() -> bool:
    old = TRANSFORMS / "macros.sql"
    if not old.exists():
        return False
    body = old.read_text("utf-8").strip()
    (MACROS / "duckdb_functions.sql").write_text(
        "{#- DuckDB macros the models share, created by the project's on-run-start. -#}\n"
        "{% macro tiemeter_duckdb_functions() %}\n{% raw %}\n" + body + "\n{% endraw %}\n{% endmacro %}\n",
        "utf-8",
    )
    old.unlink()
    return True


def convert_json_structures() -> bool:
    old = TRANSFORMS / "json_types.py"
    if not old.exists():
        return False
    namespace: dict = {}
    exec(compile(old.read_text("utf-8"), str(old), "exec"), namespace)  # noqa: S102 - our own file
    structures = {name: json.loads(text) for name, text in namespace["STRUCTURES"].items()}
    doc = ast.get_docstring(ast.parse(old.read_text("utf-8"))) or ""
    rendered = json.dumps(structures, indent=2)
    if "{%" in rendered or "{#" in rendered or "'" in rendered:
        raise ConversionError("json_types.py: a structure contains Jinja markers or a quote")
    (MACROS / "json_structures.sql").write_text(
        "{#- JSON structures for DuckDB's json_transform, shared by the staging models: a page is parsed\n"
        "    once, into typed structs, instead of once per extracted field.\n"
        "    " + " ".join(doc.split("\n\n")[0].split()) + "\n"
        "    A model writes {{ json_structure('X_TWEETS_PAGE') }}; the macro gives the quoted literal. -#}\n"
        "{% macro json_structure(name) -%}\n"
        "{%- set structures = " + rendered + " -%}\n"
        "{%- if name not in structures -%}\n"
        "    {%- do exceptions.raise_compiler_error('unknown JSON structure ' ~ name) -%}\n"
        "{%- endif -%}\n"
        "'{{ tojson(structures[name]) }}'\n"
        "{%- endmacro %}\n",
        "utf-8",
    )
    old.unlink()
    return True


def main() -> int:
    references: set[tuple[str, str]] = set()
    converted: list[str] = []
    writes: dict[Path, str] = {}
    try:
        for layer in LAYERS:
            converted += convert_layer(layer, references, writes)
        defined = {
            p.stem for layer in LAYERS for p in (MODELS / layer).iterdir() if p.suffix in (".sql", ".py")
        }
        missing = sorted(f"{s}.{t}" for s, t in references if s not in SOURCE_SCHEMAS and t not in defined)
        if missing:
            raise ConversionError(f"models read tables no model defines: {', '.join(missing)}")
        for path, text in writes.items():  # nothing is written unless every model converted
            path.write_text(text, "utf-8")
        write_sources(references)
        functions = convert_duckdb_functions()
        structures = convert_json_structures()
    except ConversionError as error:
        print(f"convert_to_dbt: {error}", file=sys.stderr)
        return 1
    print(f"converted {len(converted)} model(s): {', '.join(converted) or '-'}")
    if functions:
        print("macros.sql -> macros/duckdb_functions.sql")
    if structures:
        print("json_types.py -> macros/json_structures.sql")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
