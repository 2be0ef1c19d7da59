{#- The items of the X pages staging has not seen yet: each page's `data` items, then its `includes`,
    one row each, with the page's provenance, `origin` ('data' or 'includes') and the item's position. -#}
{% macro tiemeter_page_items(data, includes, alias) -%}
    select landing_file, line_no, source, retrieved_at, loaded_at, 'data' as origin,
        unnest({{ data }}) as {{ alias }}, generate_subscripts({{ data }}, 1) as item_no
    from {{ ref('stg_x__pages') }}
    where {{ tiemeter_unseen() }} and len({{ data }}) > 0
    union all
    select landing_file, line_no, source, retrieved_at, loaded_at, 'includes',
        unnest({{ includes }}), generate_subscripts({{ includes }}, 1)
    from {{ ref('stg_x__pages') }}
    where {{ tiemeter_unseen() }} and len({{ includes }}) > 0
{%- endmacro %}

{#- The records of a blog export file (WXR, Disqus XML) as the importer landed them: one per row, with the
    site and the import (the file's hash) from the stamp. -#}
{% macro tiemeter_export_records(raw_table) -%}
    select landing_file, line_no, retrieved_at, kind,
        payload ->> '$.__tiemeter.site' as site,
        payload ->> '$.__tiemeter.import_sha256' as import_id,
        payload -> '$.record' as record
    from {{ source('raw', raw_table) }}
{%- endmacro %}

{#- The provenance columns a staging row carries from its landing line: the file, the line, the source,
    and when it was retrieved (observed_at). -#}
{% macro landing_provenance() -%}
    landing_file, line_no, source, retrieved_at as observed_at
{%- endmacro %}
