{#- A table built from slices of its source's rowids. DuckDB works on 2,048 rows at a time; when a row
    is a 400 KB API page that is most of a gigabyte, so wide-row models are fed a few hundred rows at a
    time. (Slices sized by bytes were measured: no faster, and the size scan itself ran a 200k-tweet
    import out of memory.)

    The model filters its source with {{ batch_filter() }} and configures
        materialized='batched_table', batch_source=['raw', '<table>'], batch_rows=<n>

    It is incremental too (macros/incremental.sql): when the table exists and this is no full refresh,
    the model's {{ tiemeter_unseen() }} filter keeps only rows loaded since the last run, and only the
    rowid slices that hold such rows are read and appended to the table in place.
-#}

{% macro batch_filter() -%}
    rowid between getvariable('tiemeter_batch_lo') and getvariable('tiemeter_batch_hi')
{%- endmacro %}

{% materialization batched_table, adapter='duckdb' %}
    {%- set batch_source = config.require('batch_source') -%}
    {%- set batch_rows = config.require('batch_rows') | int -%}
    {%- set source_relation = api.Relation.create(
        database=this.database, schema=batch_source[0], identifier=batch_source[1]) -%}

    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set backup_relation = make_backup_relation(target_relation, 'table' if existing_relation is none else existing_relation.type) -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set incremental = tiemeter_incremental_run() -%}
    {%- set unseen = tiemeter_unseen() if incremental else 'true' -%}
    {%- set bounds = run_query('select coalesce(min(rowid), 0), coalesce(max(rowid), -1) from ' ~ source_relation
        ~ ' where ' ~ unseen) -%}
    {%- set lo = bounds.columns[0].values()[0] | int -%}
    {%- set hi = bounds.columns[1].values()[0] | int -%}

    {% if incremental %}
        {% call statement('main') -%}
            select 1
        {%- endcall %}
        {% for start in range(lo, hi + 1, batch_rows) %}
            {% call statement('batch_' ~ start) -%}
                set variable tiemeter_batch_lo = {{ start }};
                set variable tiemeter_batch_hi = {{ start + batch_rows - 1 }};
                insert into {{ target_relation }} by name
                {{ compiled_code }}
            {%- endcall %}
        {% endfor %}
        {{ run_hooks(post_hooks, inside_transaction=True) }}
        {% do persist_docs(target_relation, model) %}
        {{ adapter.commit() }}
        {{ run_hooks(post_hooks, inside_transaction=False) }}
        {{ return({'relations': [target_relation]}) }}
    {% endif %}

    {% call statement('main') -%}
        set variable tiemeter_batch_lo = {{ lo }};
        set variable tiemeter_batch_hi = {{ lo + batch_rows - 1 }};
        create table {{ intermediate_relation }} as
        {{ compiled_code }}
    {%- endcall %}
    {% for start in range(lo + batch_rows, hi + 1, batch_rows) %}
        {% call statement('batch_' ~ start) -%}
            set variable tiemeter_batch_lo = {{ start }};
            set variable tiemeter_batch_hi = {{ start + batch_rows - 1 }};
            insert into {{ intermediate_relation }}
            {{ compiled_code }}
        {%- endcall %}
    {% endfor %}

    {% if existing_relation is not none %}
        {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {% endif %}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ drop_relation_if_exists(backup_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
