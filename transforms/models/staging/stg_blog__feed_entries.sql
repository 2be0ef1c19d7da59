{{ config(materialized='incremental', incremental_strategy='append', schema='staging') }}

with source as (
    select
        landing_file,
        line_no,
        retrieved_at,
        loaded_at,
        kind as feed_kind,
        payload ->> '$.__tiemeter.site' as site,
        payload ->> '$.__tiemeter.feed_url' as feed_url,
        payload ->> '$.__tiemeter.post_url' as feed_post_url,
        json_transform(payload, {{ json_structure('FEED_DOCUMENT') }}) as doc
    from {{ source('raw', 'blog_feeds') }}
    where {{ tiemeter_unseen() }}
),

entries as (
    select source.* exclude (doc), doc.version, doc.bozo, doc.feed.link as feed_link,
        doc.feed.generator as generator, e, entry_no
    from source, unnest(source.doc.entries) with ordinality as t(e, entry_no)
),

renamed as (
    select
        landing_file,
        line_no,
        entry_no,
        site,
        feed_kind,
        feed_url,
        feed_post_url,
        feed_link,
        generator,
        version,
        coalesce(bozo, false) as bozo,
        retrieved_at as observed_at,
        e.id as guid,
        e.link,
        coalesce(e.feedburner_origlink, e.link) as post_link,
        e.title,
        coalesce(e.author_detail.name, e.author) as author_name,
        e.author_detail.href as author_url,
        e.author_detail.email as author_email,
        try_cast(coalesce(e.published_parsed, e.updated_parsed, e.created_parsed) as timestamptz) as published_at,
        coalesce(e.content[1].value, e.summary) as body_html,
        try_cast(coalesce(
            e.slash_comments,
            e.thr_total,
            list_filter(coalesce(e.links, []), l -> l.rel = 'replies' and l."thr:count" is not null)[1]."thr:count"
        ) as bigint) as comment_count,
        e."thr_in-reply-to".ref as in_reply_to_ref,
        e."thr_in-reply-to".href as in_reply_to_href,
        list_filter(coalesce(e.links, []), l -> l.rel = 'related')[1].href as related_href,
        loaded_at
    from entries
)

select * from renamed
