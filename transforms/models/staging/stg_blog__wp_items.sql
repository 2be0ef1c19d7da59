{{ config(materialized='view', schema='staging') }}

with pages as (
    select landing_file, line_no, retrieved_at, kind, payload ->> '$.__tiemeter.site' as site, payload
    from {{ source('raw', 'blog_wp_api') }}
),

posts as (
    select landing_file, line_no, retrieved_at, site, i, item_no
    from (
        select *, unnest(page.items) as i, generate_subscripts(page.items, 1) as item_no
        from (select *, json_transform(payload, {{ json_structure('WP_POSTS_PAGE') }}) as page from pages where kind = 'posts')
    )
),

comments as (
    select landing_file, line_no, retrieved_at, site, c, item_no
    from (
        select *, unnest(page.items) as c, generate_subscripts(page.items, 1) as item_no
        from (select *, json_transform(payload, {{ json_structure('WP_COMMENTS_PAGE') }}) as page from pages where kind = 'comments')
    )
),

latest_posts as (
    select site, i.id as wp_post_id, i.link, i.author as author_id
    from posts
    qualify row_number() over (
        partition by site, i.id order by retrieved_at desc, landing_file desc, line_no desc
    ) = 1
),

post_items as (
    select
        'post' as entry_type, site, 'wordpress' as source, landing_file, line_no, item_no,
        retrieved_at as observed_at,
        'wordpress' as id_space, cast(i.id as varchar) as native_id,
        i.link as post_url,
        i.title.rendered as html,
        i._embedded.author[1].name as author_name,
        cast(null as varchar) as author_url,
        cast(null as varchar) as author_email,
        cast(null as varchar) as author_email_hash,
        cast(null as varchar) as author_username,
        try_cast(i.date_gmt || 'Z' as timestamptz) as published_at,
        cast(null as bigint) as comment_count,
        cast(null as varchar) as parent_space, cast(null as varchar) as parent_native,
        cast(null as boolean) as is_post_author_hint,
        cast(null as varchar) as kind_hint
    from posts
    where coalesce(i.status, 'publish') = 'publish' and i.link is not null
),

comment_items as (
    select
        'comment' as entry_type, comments.site, 'wordpress' as source, landing_file, line_no, item_no,
        retrieved_at as observed_at,
        'wordpress' as id_space, cast(c.id as varchar) as native_id,
        coalesce(p.link, regexp_replace(regexp_replace(c.link, '#.*$', ''), 'comment-page-[0-9]+/?$', ''))
            as post_url,
        c.content.rendered as html,
        c.author_name,
        nullif(c.author_url, '') as author_url,
        cast(null as varchar) as author_email,
        -- md5 (32 hex digits) before WordPress 6.8, sha256 (64) since: the whole hash, not a prefix
        nullif(regexp_extract(cast(c.author_avatar_urls as varchar), '/avatar/([0-9a-f]{64}|[0-9a-f]{32})([^0-9a-f]|$)', 1), '')
            as author_email_hash,
        cast(null as varchar) as author_username,
        try_cast(coalesce(c.date_gmt, c.date) || 'Z' as timestamptz) as published_at,
        cast(null as bigint) as comment_count,
        case when c.parent > 0 then 'wordpress' end as parent_space,
        case when c.parent > 0 then cast(c.parent as varchar) end as parent_native,
        case when c.author > 0 and p.author_id > 0 then c.author = p.author_id end as is_post_author_hint,
        case when c.type in ('pingback', 'trackback') then c.type else 'comment' end as kind_hint
    from comments
    left join latest_posts p on p.site = comments.site and p.wp_post_id = c.post
    where coalesce(c.status, 'approved') = 'approved'
)

select * from post_items
union all by name
select * from comment_items
