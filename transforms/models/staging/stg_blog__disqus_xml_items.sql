{{ config(materialized='view', schema='staging') }}

with records as (
    {{ tiemeter_export_records('blog_disqus_xml') }}
),

threads as (
    select records.* exclude (record), json_transform(record, {{ json_structure('DISQUS_XML_THREAD') }}) as t
    from records where kind = 'thread'
),

linked_threads as (
    select *,
        nullif(trim(t."@dsq:id"), '') as thread_id,
        nullif(trim(t.link), '') as post_url,
        nullif(trim(t.author.username), '') as author_username,
        nullif(lower(trim(t.author.email)), '') as author_email
    from threads
    where nullif(trim(t.link), '') is not null and coalesce(trim(t.isDeleted), 'false') <> 'true'
),

posts as (
    select records.* exclude (record), json_transform(record, {{ json_structure('DISQUS_XML_POST') }}) as p
    from records where kind = 'post'
),

live_posts as (
    select * from posts
    where coalesce(trim(p.isDeleted), 'false') <> 'true' and coalesce(trim(p.isSpam), 'false') <> 'true'
      and nullif(trim(p."@dsq:id"), '') is not null
),

post_items as (
    select
        'post' as entry_type, th.site, 'disqus_xml' as source, th.landing_file, th.line_no, cast(0 as bigint) as item_no,
        th.retrieved_at as observed_at,
        'disqus' as id_space, th.thread_id as native_id,
        th.post_url,
        nullif(trim(th.t.title), '') as html,
        nullif(trim(th.t.author.name), '') as author_name,
        cast(null as varchar) as author_url,
        cast(null as varchar) as author_email,
        cast(null as varchar) as author_email_hash,
        cast(null as varchar) as author_username,
        try_cast(trim(th.t.createdAt) as timestamptz) as published_at,
        (select count(*) from live_posts lp
         where lp.import_id = th.import_id and trim(lp.p.thread."@dsq:id") = th.thread_id) as comment_count,
        cast(null as varchar) as parent_space, cast(null as varchar) as parent_native,
        cast(null as boolean) as is_post_author_hint,
        cast(null as varchar) as kind_hint
    from linked_threads th
),

comment_items as (
    select
        'comment' as entry_type, lp.site, 'disqus_xml' as source, lp.landing_file, lp.line_no, cast(0 as bigint) as item_no,
        lp.retrieved_at as observed_at,
        'disqus' as id_space, trim(lp.p."@dsq:id") as native_id,
        th.post_url,
        lp.p.message as html,
        nullif(trim(lp.p.author.name), '') as author_name,
        cast(null as varchar) as author_url,
        lp.p.author.email as author_email,
        cast(null as varchar) as author_email_hash,
        nullif(trim(lp.p.author.username), '') as author_username,
        try_cast(trim(lp.p.createdAt) as timestamptz) as published_at,
        cast(null as bigint) as comment_count,
        case when nullif(trim(lp.p.parent."@dsq:id"), '') is not null then 'disqus' end as parent_space,
        nullif(trim(lp.p.parent."@dsq:id"), '') as parent_native,
        case
            when th.author_username is not null and nullif(trim(lp.p.author.username), '') is not null
                then lower(th.author_username) = lower(trim(lp.p.author.username))
            when th.author_email is not null and nullif(trim(lp.p.author.email), '') is not null
                then th.author_email = lower(trim(lp.p.author.email))
        end as is_post_author_hint,
        'comment' as kind_hint
    from live_posts lp
    join linked_threads th on th.import_id = lp.import_id and th.thread_id = trim(lp.p.thread."@dsq:id")
)

select * from post_items
union all by name
select * from comment_items
