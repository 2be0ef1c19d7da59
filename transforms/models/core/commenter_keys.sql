{{ config(materialized='table', schema='core') }}

with own_site as (
    select name as site, tiemeter_norm_url(site_url) as url from {{ source('meta', 'config_blogs') }} where site_url is not null
    union
    select site, tiemeter_norm_url(regexp_extract(post_id, '^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)', 1))
    from {{ ref('blog_posts') }}
),

usable as (
    select c.comment_id, c.site,
        case when not tiemeter_placeholder_email_hash(c.author_email_hash) then lower(trim(c.author_email_hash)) end
            as usable_email_hash,
        case when not tiemeter_placeholder_name(c.author_username) then lower(trim(c.author_username)) end
            as usable_username,
        case when not tiemeter_placeholder_name(c.author_name) then lower(trim(c.author_name)) end as usable_name,
        case when o.url is null then tiemeter_norm_url(c.author_url) end as usable_url
    from {{ ref('blog_comments') }} c
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
