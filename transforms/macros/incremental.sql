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

{#- Only `dbt run` and `dbt build` build incrementally: `dbt compile` or `docs generate` show the full SQL
    (and leave no scratch table behind). -#}
{% macro tiemeter_incremental_run() -%}
    {%- if not execute or flags.WHICH not in ('run', 'build') or should_full_refresh()
        or model.config.materialized not in ('incremental', 'batched_table') -%}
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

{#- Incremental core: recompute the keys new staging rows touch, with the model's own SQL.

    A model configures
        materialized='incremental', incremental_strategy='tiemeter_touched', unique_key='<key column>',
        post_hook="{{ tiemeter_advance_mark([ref('<staging model>'), ...]) }}"
    and restricts its input with
        where {{ tiemeter_touched('<key expression>', '<select ... as key from new staging rows>') }}
    where the keys query reads new staging rows through {{ tiemeter_since_last_run() }}. In an
    incremental run the touched keys go to a scratch table `<model>__touched`, the model's SQL
    computes every row of those keys (and only those), and the strategy deletes the keys' old rows
    and inserts the new ones in one transaction: a key whose rows all went away is deleted too. A
    full build reads everything. The model's mark (meta.watermarks, created with the
    other meta tables by warehouse/schema.py) is the newest staging
    `loaded_at` it has seen; the post-hook moves it in the model's own transaction, so a failed run
    leaves it where it was and the next run recomputes the same keys again.
-#}

{% macro tiemeter_since_last_run(column='loaded_at') -%}
    {%- set mark = none -%}
    {%- if tiemeter_incremental_run() -%}
        {%- set found = run_query("select max(loaded_at)::varchar from meta.watermarks where model = '"
            ~ this.schema ~ "." ~ this.identifier ~ "'") -%}
        {%- set mark = found.columns[0].values()[0] -%}
    {%- endif -%}
    {%- if mark is none -%}
        true
    {%- else -%}
        {{ column }} > '{{ mark }}'::timestamptz
    {%- endif -%}
{%- endmacro %}

{% macro tiemeter_touched_relation(relation) -%}
    {{ return(relation.incorporate(path={'identifier': relation.identifier ~ '__touched'})) }}
{%- endmacro %}

{% macro tiemeter_touched(expression, keys_sql) -%}
    {%- do tiemeter_collect_touched(keys_sql) -%}
    {{ tiemeter_in_touched(expression) }}
{%- endmacro %}

{#- The two halves of tiemeter_touched, for a model that filters several inputs by the same keys:
    collect the keys once, then restrict each input with {{ tiemeter_in_touched('<key expression>') }}. -#}
{% macro tiemeter_collect_touched(keys_sql) -%}
    {%- if tiemeter_incremental_run() -%}
        {%- do run_query('create or replace table ' ~ tiemeter_touched_relation(this)
            ~ ' as select distinct key from (' ~ keys_sql ~ ') where key is not null') -%}
    {%- endif -%}
{%- endmacro %}

{% macro tiemeter_in_touched(expression) -%}
    {%- if tiemeter_incremental_run() -%}
        ({{ expression }}) in (select key from {{ tiemeter_touched_relation(this) }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro get_incremental_tiemeter_touched_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set scratch = tiemeter_touched_relation(target) -%}
    delete from {{ target }} where ({{ arg_dict['unique_key'] }}) in (select key from {{ scratch }});
    insert into {{ target }} by name select * from {{ arg_dict['temp_relation'] }};
    drop table {{ scratch }}
{%- endmacro %}

{% macro tiemeter_advance_mark(relations) -%}
    delete from meta.watermarks where model = '{{ this.schema }}.{{ this.identifier }}';
    insert into meta.watermarks
    select '{{ this.schema }}.{{ this.identifier }}', greatest(
        {%- for relation in relations %}
        (select max(loaded_at) from {{ relation }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Inputs a model reads whole from a table rebuilt whole (core.removals, core.identities): the model
    keeps what it read in meta.<model>_inputs (a post-hook: {{ tiemeter_inputs_keep(sql) }}) and, in
    an incremental run, {{ tiemeter_inputs_changed(sql) }} gives the rows that differ either way, for
    its touched keys. A first incremental run without the table sees every row as changed. -#}
{% macro tiemeter_inputs_relation() -%}
    meta.{{ this.identifier }}_inputs
{%- endmacro %}

{% macro tiemeter_inputs_changed(inputs_sql) -%}
    {%- do run_query('create table if not exists ' ~ tiemeter_inputs_relation() ~ ' as select * from ('
        ~ inputs_sql ~ ') limit 0') -%}
    (from ({{ inputs_sql }}) except all from {{ tiemeter_inputs_relation() }})
    union all
    (from {{ tiemeter_inputs_relation() }} except all from ({{ inputs_sql }}))
{%- endmacro %}

{% macro tiemeter_inputs_keep(inputs_sql) -%}
    create or replace table {{ tiemeter_inputs_relation() }} as {{ inputs_sql }}
{%- endmacro %}
