/*
model: core.blog_comments
grain: one row per blog comment
description: >
  Comments, pingbacks and trackbacks on blog posts, from comment feeds, WordPress REST, WXR exports
  and Disqus (API and export). A comment seen in several places (the same WordPress or Disqus id)
  is one row; each field comes from the best source that has it (wordpress, wxr, disqus,
  disqus_xml, feed; the latest observation first). Deleted, spam and unapproved comments are not
  here. is_post_author uses the source's user ids where it has them (WordPress user id, Disqus
  author id, Disqus username or e-mail), else the commenter's name equal to the post author's name.
unique_key: [comment_id]
columns:
  comment_id: {description: "Stable id: '<site>:<id space>:<id>'. The id space is wordpress (REST, WXR and WordPress comment feeds share WordPress's ids), disqus (API and XML export), or feed (the entry's guid).", tests: [not_null, unique]}
  site: {description: "The [[blogs]] name.", tests: [not_null]}
  post_id: {description: "The post commented on (core.blog_posts.post_id).", tests: [not_null, {relationships: core.blog_posts.post_id}]}
  parent_comment_id: {description: "The comment this one answers (threading), null for top-level. A WordPress or Disqus parent may be missing from this table (deleted, spam, not collected)."}
  author_name: {description: "Commenter's display name."}
  author_url: {description: "Commenter's website, as given (may point at an X profile)."}
  author_email_hash: {description: "md5 of the trimmed, lower-cased e-mail (Gravatar's hash), when the source gives one."}
  author_username: {description: "Commenter's account name at the comment system (Disqus username, e.g. twitter-12345)."}
  published_at: {description: "When the comment was posted (UTC)."}
  text: {description: "Comment text (HTML stripped)."}
  kind: {description: "comment, pingback or trackback.", tests: [not_null, {accepted_values: [comment, pingback, trackback]}]}
  is_post_author: {description: "True when the post's author wrote the comment.", tests: [not_null]}
  source: {description: "feed, wordpress, wxr, disqus or disqus_xml.", tests: [not_null, {accepted_values: [feed, wordpress, wxr, disqus, disqus_xml]}]}
*/
with ranked as (
    select *, row_number() over (
        partition by comment_id order by source_rank, observed_at desc nulls last, landing_file desc, line_no desc
    ) as rank_no
    from staging.stg_blog__items
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
left join core.blog_posts p on p.post_id = m.post_id
