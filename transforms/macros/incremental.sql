{#- Incremental staging: a run parses only the raw rows it has not seen.

    Raw tables are append-only: a landing file loads exactly once, in one transaction, and every row
    of it carries that transaction's start time as `loaded_at` (warehouse/loader.py, DuckDB's now():
    the wall clock, never the replay clock TIEMETER_REPLAY_NOW). Loads and builds never overlap (one
    writer per warehouse), so the rows a build has not seen are exactly those loaded after the newest
    `loaded_at` it kept. Each incremental staging model carries `loaded_at` and filters its input with
        where {{ tiemeter_unseen('loaded_at') }}
    which, in an incremental run, compares against the model's own high-water mark, read once before
    the run (a literal: batched inserts must not move it while they run). A full refresh, a first run
    or a model that is not incremental reads everything.
-#}

{% macro tiemeter_incremental_run() -%}
    {%- if not execute or should_full_refresh() or model.config.materialized not in ('incremental', 'batched_table') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {{ return(relation is not none and relation.type == 'table') }}
{%- endmacro %}

{% macro tiemeter_watermark(column='loaded_at') -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if column not in columns -%}
        {{ exceptions.raise_compiler_error(this ~ " has no " ~ column ~ " column: it was built before staging "
            ~ "became incremental. Rebuild it once with `tiemeter transform --full-refresh`.") }}
    {%- endif -%}
    {%- set found = run_query('select max(' ~ column ~ ')::varchar from ' ~ this) -%}
    {{ return(found.columns[0].values()[0]) }}
{%- endmacro %}

{% macro tiemeter_unseen(column='loaded_at') -%}
    {%- if tiemeter_incremental_run() -%}
        {%- set mark = tiemeter_watermark(column) -%}
        {%- if mark is none -%}
            true
        {%- else -%}
            {{ column }} > '{{ mark }}'::timestamptz
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
