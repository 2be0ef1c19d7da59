{#- Generic tests beyond dbt's four (unique, not_null, accepted_values, relationships). Written here:
    the machine reaches only PyPI, so no `dbt deps`. -#}

{#- The grain: no two rows share the model's unique key (NULLs group like values). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_sharing_the_key
from {{ model }}
group by all
having count(*) > 1
{% endtest %}

{#- A rule every row keeps, e.g. `tie_strength BETWEEN 0 AND 1`; NULL (unknown) passes. -#}
{% test expression_is_true(model, column_name=None, expression=None) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}

{#- The model's columns and its schema.yml agree: nothing undocumented, nothing documented that is
    not there. -#}
{% test columns_documented(model) %}
{%- set documented = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.alias == model.identifier and node.schema == model.schema -%}
        {%- do documented.extend(node.columns.keys() | list) -%}
    {%- endfor -%}
{%- endif %}
with actual as (
    select column_name from duckdb_columns()
    where database_name = '{{ model.database }}' and schema_name = '{{ model.schema }}'
      and table_name = '{{ model.identifier }}'
),
documented as (
    select unnest([{% for c in documented %}'{{ c }}'{% if not loop.last %}, {% endif %}{% endfor %}]::VARCHAR[]) as column_name
)
select 'undocumented' as problem, column_name from actual
where column_name not in (select column_name from documented)
union all
select 'documented but absent', column_name from documented
where column_name not in (select column_name from actual)
{% endtest %}
