{{ config(materialized='table', schema='core') }}

with unique_usernames as (
    select lower(username) as username, min(user_id) as user_id, count(distinct user_id) as users
    from {{ ref('x_users') }}
    where username is not null
    group by 1
),

blog_owner as (
    select b.name as site, a.person_id
    from {{ source('meta', 'config_blogs') }} b
    join {{ ref('accounts') }} a on a.account_name = b.owner
),

x_identities as (
    select 'x:' || user_id as identity_key, 'x' as channel, 'x_user' as identity_kind, null as site,
        '@' || coalesce(username, user_id) as display_name, user_id as x_user_id,
        lower(username) as username, cast(null as varchar) as email_hash, cast(null as varchar) as author_username,
        cast(null as varchar) as name_norm, cast([] as varchar[]) as urls, false as is_post_author
    from {{ ref('x_users') }}
),

-- a commenter's key and its usable parts come from core.commenter_keys: no placeholder (empty
-- e-mail hash, "Anonymous", the blog's own URL) is a key, a link or a mapping match
comments as (
    select c.*, k.identity_key, k.usable_name, k.usable_username, k.usable_url
    from {{ ref('blog_comments') }} c
    join {{ ref('commenter_keys') }} k using (comment_id)
    where c.kind = 'comment'
),

commenters as (
    select identity_key, 'blog' as channel, 'commenter' as identity_kind, any_value(site) as site,
        arg_max(author_name, published_at) as display_name, cast(null as varchar) as x_user_id,
        cast(null as varchar) as username,
        any_value(author_email_hash) filter (where not tiemeter_placeholder_email_hash(author_email_hash)) as email_hash,
        any_value(usable_username) as author_username,
        arg_max(usable_name, published_at) as name_norm,
        coalesce(list_distinct(list(usable_url) filter (where usable_url is not null)), []) as urls,
        bool_or(is_post_author) as is_post_author
    from comments
    group by identity_key
),

post_authors as (
    select tiemeter_post_author_key(site, author_name, post_id) as identity_key,
        'blog' as channel, 'post_author' as identity_kind, any_value(site) as site, any_value(author_name) as display_name,
        cast(null as varchar) as x_user_id, cast(null as varchar) as username, cast(null as varchar) as email_hash,
        cast(null as varchar) as author_username,
        lower(trim(any_value(author_name) filter (where not tiemeter_placeholder_name(author_name)))) as name_norm,
        cast([] as varchar[]) as urls, true as is_post_author
    from {{ ref('blog_posts') }}
    group by 1
),

all_identities as (
    select * from x_identities
    union all by name
    select * from commenters
    union all by name
    select * from post_authors
),

-- rule 3: links from a commenter to one X user
url_links as (
    select i.identity_key,
        count(distinct h.handle) as handles,
        min(u.user_id) as user_id,
        max(u.users) as users_with_handle
    from all_identities i, unnest(i.urls) as t(url)
    cross join lateral (select tiemeter_x_handle_from_url(t.url) as handle) as h
    left join unique_usernames u on u.username = h.handle
    where i.identity_kind = 'commenter' and h.handle is not null
    group by i.identity_key
),

links as (
    select i.identity_key,
        case when ul.handles = 1 and ul.users_with_handle = 1 then ul.user_id end as via_url,
        regexp_extract(i.author_username, '^twitter-([0-9]+)$', 1) as via_disqus,
        case
            when ul.handles > 1 then 'ambiguous: URLs point at several X profiles'
            when ul.handles = 1 and ul.users_with_handle > 1 then 'ambiguous: several X users had that handle'
        end as url_problem
    from all_identities i
    left join url_links ul using (identity_key)
    where i.identity_kind = 'commenter'
),

link_decision as (
    select identity_key,
        case
            when url_problem is not null then null
            when via_url is not null and nullif(via_disqus, '') is not null and via_url <> via_disqus then null
            else coalesce(via_url, nullif(via_disqus, ''))
        end as linked_x_user_id,
        case
            when url_problem is not null then url_problem
            when via_url is not null and nullif(via_disqus, '') is not null and via_url <> via_disqus
                then 'ambiguous: profile URL and Disqus username name different X users'
            when via_url is not null then 'linked'
            when nullif(via_disqus, '') is not null then 'linked'
            else 'none'
        end as link_status,
        case when via_url is not null then 'x_profile_url' when nullif(via_disqus, '') is not null then 'disqus_twitter_id' end as link_rule
    from links
),

-- rule 1: identities.csv
map_matches as (
    select i.identity_key, m.label
    from all_identities i
    join {{ source('meta', 'identity_map') }} m on (m.site is null or m.site = i.site) and (
        (m.kind = 'x_user_id' and i.identity_kind = 'x_user' and m.value = i.x_user_id)
        or (m.kind = 'x_username' and i.identity_kind = 'x_user' and m.value = i.username)
        or (m.kind = 'email_hash' and m.value = i.email_hash)
        or (m.kind = 'disqus_username' and m.value = i.author_username)
        or (m.kind = 'commenter_name' and i.identity_kind in ('commenter', 'post_author') and m.value = i.name_norm)
        or (m.kind = 'commenter_url' and list_contains(i.urls, tiemeter_norm_url(m.value)))
    )
),

mapped as (
    select identity_key, min(label) as label
    from map_matches
    group by identity_key
    having count(distinct label) = 1
),

resolved as (
    select
        i.identity_key, i.channel, i.identity_kind, i.site, i.display_name,
        coalesce(i.x_user_id, d.linked_x_user_id) as x_user_id,
        m.label as own_label,
        mx.label as linked_label,
        o.person_id as owner_person_id,
        i.is_post_author,
        d.linked_x_user_id,
        d.link_rule,
        coalesce(d.link_status, case when i.identity_kind = 'x_user' then 'linked' else 'none' end) as link_status
    from all_identities i
    left join mapped m on m.identity_key = i.identity_key
    left join link_decision d on d.identity_key = i.identity_key
    left join mapped mx on mx.identity_key = 'x:' || d.linked_x_user_id
    left join blog_owner o on o.site = i.site
)

select
    identity_key,
    channel,
    identity_kind,
    site,
    display_name,
    x_user_id,
    case
        when own_label is not null then 'map:' || own_label
        when is_post_author and owner_person_id is not null then owner_person_id
        when linked_label is not null then 'map:' || linked_label
        when linked_x_user_id is not null then 'x:' || linked_x_user_id
        else identity_key
    end as person_id,
    case
        when own_label is not null then 'mapping_file'
        when is_post_author and owner_person_id is not null then 'post_author'
        when linked_label is not null then 'mapping_file'
        when linked_x_user_id is not null then link_rule
        when identity_kind = 'x_user' then 'same_x_user'
        else 'own'
    end as rule,
    link_status
from resolved
