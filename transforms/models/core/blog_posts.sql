{{ config(materialized='table', schema='core') }}

with observed as (
    select post_id, site, source, source_rank, observed_at, landing_file, line_no,
        post_url as url, nullif(text, '') as title, author_name, published_at, comment_count
    from {{ ref('stg_blog__items') }}
    where entry_type = 'post'
),

referenced as (
    select post_id, site, source, source_rank + 100 as source_rank, observed_at, landing_file, line_no,
        post_url as url, cast(null as varchar) as title, cast(null as varchar) as author_name,
        cast(null as timestamptz) as published_at, cast(null as bigint) as comment_count
    from {{ ref('stg_blog__items') }}
    where entry_type = 'comment' and post_id not in (select post_id from observed)
),

ranked as (
    select *, {{ source_rank_no('post_id') }} as rank_no
    from (select * from observed union all by name select * from referenced)
)

select
    post_id,
    {{ best('site') }},
    {{ best('url') }},
    {{ best_known('title') }},
    {{ best_known('author_name') }},
    {{ best_known('published_at') }},
    arg_max(comment_count, observed_at) filter (where comment_count is not null) as comment_count,
    {{ best('source') }}
from ranked
group by post_id
