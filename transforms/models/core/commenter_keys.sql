/*
model: core.commenter_keys
grain: one row per blog comment (pingbacks and trackbacks too)
description: >
  The identity key of each comment's author, built in this one place (core.identities and
  core.interactions read it). The first usable key on the comment's site wins: the e-mail hash,
  then the comment system's username, then the name and URL together. Placeholders are never keys:
  the Gravatar hash of an empty e-mail (md5 or sha256 of ""; dropped in staging), a blank or
  placeholder name or username ("Anonymous" and its translations, "Guest", ...; macro
  tiemeter_placeholder_name), and a URL that is the blog's own site (its configured site_url, or
  the root of a host its posts are on). A comment with no usable key is keyed by the comment itself,
  so its author is a person of their own, never merged with anyone.
unique_key: [comment_id]
columns:
  comment_id: {description: "The comment (core.blog_comments.comment_id).", tests: [not_null, unique, {relationships: core.blog_comments.comment_id}]}
  identity_key: {description: "blog:<site>:email:<hash>, blog:<site>:user:<username>, blog:<site>:name:<name>|<url> or blog:<site>:comment:<comment id>.", tests: [not_null]}
  key_rule: {description: "Which key named the author: email, username, name_url or comment (none usable).", tests: [not_null, {accepted_values: [email, username, name_url, comment]}]}
  usable_name: {description: "The author's name, lower-cased and trimmed, unless blank or a placeholder."}
  usable_username: {description: "The comment-system username, lower-cased, unless blank or a placeholder."}
  usable_url: {description: "The author's URL, normalised (tiemeter_norm_url), unless it is the blog's own site."}
*/
with own_site as (
    select name as site, tiemeter_norm_url(site_url) as url from meta.config_blogs where site_url is not null
    union
    select site, tiemeter_norm_url(regexp_extract(post_id, '^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)', 1))
    from core.blog_posts
),

usable as (
    select c.comment_id, c.site,
        case when not tiemeter_placeholder_email_hash(c.author_email_hash) then lower(trim(c.author_email_hash)) end
            as usable_email_hash,
        case when not tiemeter_placeholder_name(c.author_username) then lower(trim(c.author_username)) end
            as usable_username,
        case when not tiemeter_placeholder_name(c.author_name) then lower(trim(c.author_name)) end as usable_name,
        case when o.url is null then tiemeter_norm_url(c.author_url) end as usable_url
    from core.blog_comments c
    left join own_site o on o.site = c.site and o.url = tiemeter_norm_url(c.author_url)
)

select
    comment_id,
    'blog:' || site || case
        when usable_email_hash is not null then ':email:' || usable_email_hash
        when usable_username is not null then ':user:' || usable_username
        when usable_name is not null or usable_url is not null
            then ':name:' || coalesce(usable_name, '') || '|' || coalesce(usable_url, '')
        else ':comment:' || comment_id
    end as identity_key,
    case
        when usable_email_hash is not null then 'email'
        when usable_username is not null then 'username'
        when usable_name is not null or usable_url is not null then 'name_url'
        else 'comment'
    end as key_rule,
    usable_name,
    usable_username,
    usable_url
from usable
