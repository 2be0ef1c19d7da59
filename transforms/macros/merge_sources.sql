{#- One row per key from the observations of several sources (core.blog_posts, core.blog_comments):
    each observation is ranked, the best source first, then the newest, then the latest landing line. -#}
{% macro source_rank_no(key) -%}
    row_number() over (
        partition by {{ key }} order by source_rank, observed_at desc nulls last, landing_file desc, line_no desc
    )
{%- endmacro %}

{#- A column's value from the best-ranked observation. -#}
{% macro best(column) -%}
    arg_min({{ column }}, rank_no) as {{ column }}
{%- endmacro %}

{#- A column's value from the best-ranked observation that has one. -#}
{% macro best_known(column) -%}
    arg_min({{ column }}, rank_no) filter (where {{ column }} is not null) as {{ column }}
{%- endmacro %}

{#- The given columns of every tweet observation: from the X API pages and from archives. -#}
{% macro tweet_observations(columns) -%}
    select {{ columns }} from {{ ref('stg_x__api_tweets') }}
    union all
    select {{ columns }} from {{ ref('stg_x__archive_tweets') }}
{%- endmacro %}
