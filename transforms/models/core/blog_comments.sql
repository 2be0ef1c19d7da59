{{ config(materialized='table', schema='core') }}

with ranked as (
    select *, row_number() over (
        partition by comment_id order by source_rank, observed_at desc nulls last, landing_file desc, line_no desc
    ) as rank_no
    from {{ ref('stg_blog__items') }}
    where entry_type = 'comment'
),

merged as (
    select
        comment_id,
        arg_min(site, rank_no) as site,
        arg_min(post_id, rank_no) as post_id,
        arg_min(parent_comment_id, rank_no) filter (where parent_comment_id is not null) as parent_candidate,
        arg_min(parent_space, rank_no) filter (where parent_comment_id is not null) as parent_space,
        arg_min(author_name, rank_no) filter (where author_name is not null) as author_name,
        arg_min(author_url, rank_no) filter (where author_url is not null) as author_url,
        arg_min(author_email_hash, rank_no) filter (where author_email_hash is not null) as author_email_hash,
        arg_min(author_username, rank_no) filter (where author_username is not null) as author_username,
        arg_min(published_at, rank_no) filter (where published_at is not null) as published_at,
        arg_min(text, rank_no) as text,
        arg_min(kind, rank_no) as kind,
        arg_min(is_post_author_hint, rank_no) filter (where is_post_author_hint is not null) as is_post_author_hint,
        arg_min(source, rank_no) as source
    from ranked
    group by comment_id
)

select
    m.comment_id,
    m.site,
    m.post_id,
    -- a feed's in-reply-to reference is only a parent when it names a comment we have
    case
        when m.parent_candidate = m.comment_id then null
        when m.parent_space <> 'feed' or parent.comment_id is not null then m.parent_candidate
    end as parent_comment_id,
    m.author_name,
    m.author_url,
    m.author_email_hash,
    m.author_username,
    m.published_at,
    m.text,
    m.kind,
    case
        when m.kind <> 'comment' then false
        else coalesce(
            m.is_post_author_hint,
            -- a placeholder name ("Anonymous") is no evidence
            case when not tiemeter_placeholder_name(m.author_name) then lower(trim(m.author_name)) = lower(trim(p.author_name)) end,
            false)
    end as is_post_author,
    m.source
from merged m
left join merged parent on parent.comment_id = m.parent_candidate
left join {{ ref('blog_posts') }} p on p.post_id = m.post_id
