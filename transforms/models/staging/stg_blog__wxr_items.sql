{{ config(materialized='view', schema='staging') }}

with records as (
    {{ tiemeter_export_records('blog_wxr') }}
),

authors as (
    select import_id, json_transform(record, {{ json_structure('WXR_AUTHOR') }}) as a
    from records where kind = 'author'
),

items as (
    select records.*, json_transform(record, {{ json_structure('WXR_ITEM') }}) as i
    from records where kind = 'item'
),

posts as (
    select items.*,
        trim(a.a."wp:author_id") as author_id,
        coalesce(nullif(trim(a.a."wp:author_display_name"), ''), trim(items.i."dc:creator")) as author_name
    from items
    left join authors a on a.import_id = items.import_id and trim(a.a."wp:author_login") = trim(items.i."dc:creator")
    where coalesce(nullif(trim(i."wp:post_type"), ''), 'post') in ('post', 'page')
      and coalesce(nullif(trim(i."wp:status"), ''), 'publish') = 'publish'
      and nullif(trim(i.link), '') is not null
),

post_items as (
    select
        'post' as entry_type, site, 'wxr' as source, landing_file, line_no, cast(0 as bigint) as item_no,
        retrieved_at as observed_at,
        'wordpress' as id_space, coalesce(nullif(trim(i."wp:post_id"), ''), trim(i.link)) as native_id,
        trim(i.link) as post_url,
        i.title as html,
        author_name,
        cast(null as varchar) as author_url,
        cast(null as varchar) as author_email,
        cast(null as varchar) as author_email_hash,
        cast(null as varchar) as author_username,
        coalesce(
            try_cast(nullif(trim(i."wp:post_date_gmt"), '0000-00-00 00:00:00') || 'Z' as timestamptz),
            try_strptime(trim(i.pubDate), '%a, %d %b %Y %H:%M:%S %z')
        ) as published_at,
        cast(len(list_filter(coalesce(i."wp:comment", []), c -> trim(c."wp:comment_approved") = '1')) as bigint)
            as comment_count,
        cast(null as varchar) as parent_space, cast(null as varchar) as parent_native,
        cast(null as boolean) as is_post_author_hint,
        cast(null as varchar) as kind_hint
    from posts
),

comments as (
    select posts.* exclude (i), posts.i.link as post_link, c, item_no
    from posts, unnest(coalesce(posts.i."wp:comment", [])) with ordinality as t(c, item_no)
),

comment_items as (
    select
        'comment' as entry_type, site, 'wxr' as source, landing_file, line_no, item_no,
        retrieved_at as observed_at,
        'wordpress' as id_space, trim(c."wp:comment_id") as native_id,
        trim(post_link) as post_url,
        c."wp:comment_content" as html,
        trim(c."wp:comment_author") as author_name,
        nullif(trim(c."wp:comment_author_url"), '') as author_url,
        c."wp:comment_author_email" as author_email,
        cast(null as varchar) as author_email_hash,
        cast(null as varchar) as author_username,
        try_cast(coalesce(
            nullif(trim(c."wp:comment_date_gmt"), '0000-00-00 00:00:00'), trim(c."wp:comment_date")
        ) || 'Z' as timestamptz) as published_at,
        cast(null as bigint) as comment_count,
        case when coalesce(trim(c."wp:comment_parent"), '0') not in ('0', '') then 'wordpress' end as parent_space,
        nullif(nullif(trim(c."wp:comment_parent"), '0'), '') as parent_native,
        case
            when coalesce(trim(c."wp:comment_user_id"), '0') not in ('0', '') and author_id is not null
                then trim(c."wp:comment_user_id") = author_id
        end as is_post_author_hint,
        case when trim(c."wp:comment_type") in ('pingback', 'trackback') then trim(c."wp:comment_type") else 'comment' end
            as kind_hint
    from comments
    where trim(c."wp:comment_approved") = '1' and nullif(trim(c."wp:comment_id"), '') is not null
)

select * from post_items
union all by name
select * from comment_items
