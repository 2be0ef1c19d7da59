/*
model: core.blog_posts
grain: one row per blog post (its canonical URL)
description: >
  Blog posts from feeds, WordPress REST, WXR exports and Disqus (API and export). A post seen in
  several places is one row: each field comes from the best source that has it (wordpress, wxr,
  feed, disqus, disqus_xml, in that order; the latest observation first within a source). A post
  known only because comments point at it has a row too, with what the comments say (its URL).
unique_key: [post_id]
columns:
  post_id: {description: "The post's canonical URL (scheme and host lower-cased, fragment dropped).", tests: [not_null, unique]}
  site: {description: "The [[blogs]] name (or the feed's host for a one-off import).", tests: [not_null]}
  url: {description: "The post's URL as published.", tests: [not_null]}
  title: {description: "Post title."}
  author_name: {description: "The post author's display name."}
  published_at: {description: "When the post was published (UTC)."}
  comment_count: {description: "Comments the source reports (slash:comments, WordPress, Disqus); null when unknown."}
  source: {description: "feed, wordpress, wxr, disqus or disqus_xml.", tests: [not_null, {accepted_values: [feed, wordpress, wxr, disqus, disqus_xml]}]}
*/
with observed as (
    select post_id, site, source, source_rank, observed_at, landing_file, line_no,
        post_url as url, nullif(text, '') as title, author_name, published_at, comment_count
    from staging.stg_blog__items
    where entry_type = 'post'
),

referenced as (
    select post_id, site, source, source_rank + 100 as source_rank, observed_at, landing_file, line_no,
        post_url as url, cast(null as varchar) as title, cast(null as varchar) as author_name,
        cast(null as timestamptz) as published_at, cast(null as bigint) as comment_count
    from staging.stg_blog__items
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
