{{ config(materialized='table', schema='core') }}

with ranked as (
    select *, {{ source_rank_no('comment_id') }} as rank_no
    from {{ ref('stg_blog__items') }}
    where entry_type = 'comment'
),

merged as (
    select
        comment_id,
        {{ best('site') }},
        {{ best('post_id') }},
        arg_min(parent_comment_id, rank_no) filter (where parent_comment_id is not null) as parent_candidate,
        arg_min(parent_space, rank_no) filter (where parent_comment_id is not null) as parent_space,
        {{ best_known('author_name') }},
        {{ best_known('author_url') }},
        {{ best_known('author_email_hash') }},
        {{ best_known('author_username') }},
        {{ best_known('published_at') }},
        {{ best('text') }},
        {{ best('kind') }},
        {{ best_known('is_post_author_hint') }},
        {{ best('source') }}
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
