/*
model: core.blog_posts
grain: one row per blog post (its canonical URL)
description: Blog posts from feeds, WordPress REST, WXR and Disqus sources. (Placeholder until the blog collectors land.)
unique_key: [post_id]
columns:
  post_id: {description: "The post's canonical URL (scheme and host lower-cased, fragment dropped).", tests: [not_null, unique]}
  site: {description: "The [[blogs]] name (or the feed's host for a one-off import).", tests: [not_null]}
  url: {description: "The post's URL as published.", tests: [not_null]}
  title: {description: "Post title."}
  author_name: {description: "The post author's display name."}
  published_at: {description: "When the post was published (UTC)."}
  comment_count: {description: "Comments the source reports (slash:comments, WordPress, Disqus); null when unknown."}
  source: {description: "feed, wordpress, wxr, disqus or disqus_xml.", tests: [not_null]}
*/
select
    cast(null as varchar) as post_id,
    cast(null as varchar) as site,
    cast(null as varchar) as url,
    cast(null as varchar) as title,
    cast(null as varchar) as author_name,
    cast(null as timestamptz) as published_at,
    cast(null as bigint) as comment_count,
    cast(null as varchar) as source
where false
