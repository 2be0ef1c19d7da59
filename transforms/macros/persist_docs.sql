{#- persist_docs on a DuckLake: DuckLake keeps comments on tables, views and table columns, but not on
    a view's columns (COMMENT ON COLUMN of a view is refused there). Those few are skipped on a
    DuckLake; the descriptions stay in schema.yml and dbt's docs. Otherwise dbt-duckdb's own macro. -#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {%- if relation.type == 'view' and adapter.is_ducklake(relation) -%}
    select 1;
  {%- else -%}
    {{ dbt_duckdb_alter_column_comment(relation, column_dict) }}
  {%- endif -%}
{% endmacro %}

{% macro dbt_duckdb_alter_column_comment(relation, column_dict) %}
  {% set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list %}
  {% for column_name in column_dict if (column_name in existing_columns) %}
    {% set comment = column_dict[column_name]['description'] %}
    {% set escaped_comment = duckdb_escape_comment(comment) %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name }} is {{ escaped_comment }};
  {% endfor %}
{% endmacro %}
