/*
model: core.blog_comments
grain: one row per blog comment
description: Comments, pingbacks and trackbacks on blog posts. (Placeholder until the blog collectors land.)
unique_key: [comment_id]
columns:
  comment_id: {description: "Stable id: '<site>:<source>:<id in the source>' (or the feed entry's guid).", tests: [not_null, unique]}
  site: {description: "The [[blogs]] name.", tests: [not_null]}
  post_id: {description: "The post commented on (core.blog_posts.post_id).", tests: [not_null]}
  parent_comment_id: {description: "The comment this one answers (threading), null for top-level."}
  author_name: {description: "Commenter's display name."}
  author_url: {description: "Commenter's website, as given (may point at an X profile)."}
  author_email_hash: {description: "md5 of the trimmed, lower-cased e-mail (Gravatar's hash), when the source gives one."}
  author_username: {description: "Commenter's account name at the comment system (Disqus username, e.g. twitter-12345)."}
  published_at: {description: "When the comment was posted (UTC)."}
  text: {description: "Comment text (HTML stripped)."}
  kind: {description: "comment, pingback or trackback.", tests: [not_null, {accepted_values: [comment, pingback, trackback]}]}
  is_post_author: {description: "True when the post's author wrote the comment.", tests: [not_null]}
  source: {description: "feed, wordpress, wxr, disqus or disqus_xml.", tests: [not_null]}
*/
select
    cast(null as varchar) as comment_id,
    cast(null as varchar) as site,
    cast(null as varchar) as post_id,
    cast(null as varchar) as parent_comment_id,
    cast(null as varchar) as author_name,
    cast(null as varchar) as author_url,
    cast(null as varchar) as author_email_hash,
    cast(null as varchar) as author_username,
    cast(null as timestamptz) as published_at,
    cast(null as varchar) as text,
    cast(null as varchar) as kind,
    cast(null as boolean) as is_post_author,
    cast(null as varchar) as source
where false
