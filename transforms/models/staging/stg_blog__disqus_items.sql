{{ config(materialized='view', schema='staging') }}

with pages as (
    select landing_file, line_no, retrieved_at, payload ->> '$.__tiemeter.site' as site,
        json_transform(payload, {{ json_structure('DISQUS_POSTS_PAGE') }}) as page
    from {{ source('raw', 'blog_disqus_api') }}
),

posts as (
    select landing_file, line_no, retrieved_at, site, p, item_no
    from (select *, unnest(page.response) as p, generate_subscripts(page.response, 1) as item_no from pages)
),

comment_items as (
    select
        'comment' as entry_type, site, 'disqus' as source, landing_file, line_no, item_no,
        retrieved_at as observed_at,
        'disqus' as id_space, p.id as native_id,
        p.thread.link as post_url,
        p.message as html,
        p.author.name as author_name,
        nullif(p.author.url, '') as author_url,
        cast(null as varchar) as author_email,
        cast(null as varchar) as author_email_hash,
        case when not coalesce(p.author.isAnonymous, false) then nullif(p.author.username, '') end
            as author_username,
        try_cast(p.createdAt || 'Z' as timestamptz) as published_at,
        cast(null as bigint) as comment_count,
        case when nullif(p.parent, '') is not null then 'disqus' end as parent_space,
        nullif(p.parent, '') as parent_native,
        case when p.author.id is not null and p.thread.author is not null then p.author.id = p.thread.author end
            as is_post_author_hint,
        'comment' as kind_hint
    from posts
    where not coalesce(p.isDeleted, false) and not coalesce(p.isSpam, false) and p.id is not null
),

thread_items as (
    select
        'post' as entry_type, site, 'disqus' as source, landing_file, line_no, min(item_no) as item_no,
        retrieved_at as observed_at,
        'disqus' as id_space, p.thread.id as native_id,
        p.thread.link as post_url,
        p.thread.title as html,
        cast(null as varchar) as author_name,
        cast(null as varchar) as author_url,
        cast(null as varchar) as author_email,
        cast(null as varchar) as author_email_hash,
        cast(null as varchar) as author_username,
        try_cast(p.thread.createdAt || 'Z' as timestamptz) as published_at,
        max(p.thread.posts) as comment_count,
        cast(null as varchar) as parent_space, cast(null as varchar) as parent_native,
        cast(null as boolean) as is_post_author_hint,
        cast(null as varchar) as kind_hint
    from posts
    where p.thread.link is not null and not coalesce(p.thread.isDeleted, false)
    group by all
)

select * from comment_items
union all by name
select * from thread_items
