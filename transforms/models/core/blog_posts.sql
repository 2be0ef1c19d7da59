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
    select *, row_number() over (
        partition by post_id order by source_rank, observed_at desc nulls last, landing_file desc, line_no desc
    ) as rank_no
    from (select * from observed union all by name select * from referenced)
)

select
    post_id,
    arg_min(site, rank_no) as site,
    arg_min(url, rank_no) as url,
    arg_min(title, rank_no) filter (where title is not null) as title,
    arg_min(author_name, rank_no) filter (where author_name is not null) as author_name,
    arg_min(published_at, rank_no) filter (where published_at is not null) as published_at,
    arg_max(comment_count, observed_at) filter (where comment_count is not null) as comment_count,
    arg_min(source, rank_no) as source
from ranked
group by post_id
