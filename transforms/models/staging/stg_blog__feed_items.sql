{{ config(materialized='view', schema='staging') }}

with entries as (
    select *,
        nullif(coalesce(
            nullif(regexp_extract(guid, '[?&]p=[0-9]+#comment-([0-9]+)$', 1), ''),
            case when generator ilike '%wordpress%' then regexp_extract(link, '#comment-([0-9]+)$', 1) end
        ), '') as wp_comment_id,
        nullif(coalesce(
            nullif(regexp_extract(in_reply_to_ref, '#comment-([0-9]+)$', 1), ''),
            regexp_extract(body_html, 'In reply to <a href="[^"]*#comment-([0-9]+)"', 1)
        ), '') as wp_parent_id,
        regexp_extract(related_href, '/feeds/([0-9]+)/[0-9]+/comments/default/([0-9]+)$', ['blog', 'comment'])
            as blogger_parent
    from {{ ref('stg_blog__feed_entries') }}
),

posts as (
    select
        'post' as entry_type, site, 'feed' as source, landing_file, line_no, entry_no as item_no, observed_at,
        'feed' as id_space, coalesce(guid, post_link) as native_id,
        post_link as post_url,
        title as html,
        author_name, author_url, author_email,
        cast(null as varchar) as author_email_hash,
        cast(null as varchar) as author_username,
        published_at, comment_count,
        cast(null as varchar) as parent_space, cast(null as varchar) as parent_native,
        cast(null as boolean) as is_post_author_hint,
        cast(null as varchar) as kind_hint
    from entries
    where feed_kind = 'posts' and post_link is not null
),

comments as (
    select
        'comment' as entry_type, site, 'feed' as source, landing_file, line_no, entry_no as item_no, observed_at,
        case when wp_comment_id is not null then 'wordpress' else 'feed' end as id_space,
        coalesce(wp_comment_id, guid, link) as native_id,
        coalesce(
            feed_post_url,
            regexp_replace(regexp_replace(regexp_replace(coalesce(link, in_reply_to_href, feed_link),
                '#.*$', ''), '[?&]showComment=[0-9]+', ''), 'comment-page-[0-9]+/?$', '')
        ) as post_url,
        -- WordPress prefixes a threaded reply with "In reply to <a>Name</a>." in its feeds only
        regexp_replace(body_html, '^\s*(<p>)?In reply to <a [^>]*>[^<]*</a>\.(</p>)?\s*', '') as html,
        author_name, author_url, author_email,
        cast(null as varchar) as author_email_hash,
        cast(null as varchar) as author_username,
        published_at,
        cast(null as bigint) as comment_count,
        case
            when wp_parent_id is not null then 'wordpress'
            when blogger_parent.comment <> '' or in_reply_to_ref is not null then 'feed'
        end as parent_space,
        case
            when wp_parent_id is not null then wp_parent_id
            when blogger_parent.comment <> ''
                then 'tag:blogger.com,1999:blog-' || blogger_parent.blog || '.post-' || blogger_parent.comment
            else in_reply_to_ref
        end as parent_native,
        cast(null as boolean) as is_post_author_hint,
        cast(null as varchar) as kind_hint
    from entries
    where feed_kind = 'comments' and coalesce(guid, link) is not null
)

select * from posts
union all by name
select * from comments
