{{ config(
    materialized='incremental', incremental_strategy='tiemeter_touched', unique_key='content_id', schema='core',
    post_hook=["{{ tiemeter_advance_mark([ref('stg_x__api_tweets'), ref('stg_x__archive_tweets'),
                                          ref('stg_x__pages')]) }}",
               "{{ tiemeter_inputs_keep(interactions_inputs_now()) }}"]
) }}

{#- Incremental on content_id (a tweet, a reaction or a comment): the keys are in
    macros/interactions_touched.sql. -#}
-- depends_on: {{ ref('tweet_versions') }}, {{ ref('stg_x__api_tweets') }}, {{ ref('stg_x__archive_tweets') }}, {{ ref('stg_x__tweet_user_lists') }}, {{ ref('stg_x__pages') }}
{% do interactions_touched() %}

with removed as (
    select tweet_id from {{ ref('removed_tweets') }}
),

all_tweets as (
    select t.* from {{ ref('tweets') }} t where t.tweet_id not in (select tweet_id from removed)
),

-- the tweets whose own content is recomputed (a like's content is the reaction: it reads all_tweets)
tweets as (
    select * from all_tweets where {{ tiemeter_in_touched('tweet_id') }}
),

x_person as (
    -- a removed user (core.removals) is in no X interaction, as actor or as target
    select x_user_id, person_id from {{ ref('identities') }}
    where identity_kind = 'x_user'
      and x_user_id not in (select resource_id from {{ ref('removals') }} where resource_type = 'user')
),

x_edges as (
    -- replies, retweets, quotes
    select
        case r.ref_type when 'replied_to' then 'reply' when 'retweeted' then 'retweet' else 'quote' end as kind,
        t.author_id as actor_user_id,
        coalesce(r.referenced_author_id,
            case when r.ref_type = 'replied_to' then t.in_reply_to_user_id end,
            case when r.ref_type = 'retweeted' then rt.mentioned_user_id end) as target_user_id,
        t.created_at as occurred_at,
        t.tweet_id as content_id,
        r.referenced_tweet_id as post_id
    from tweets t
    join {{ ref('tweet_refs') }} r on r.tweet_id = t.tweet_id
    left join {{ ref('tweet_mentions') }} rt on rt.tweet_id = t.tweet_id and rt.is_retweet_prefix
    where r.referenced_tweet_id not in (select tweet_id from removed)
    union all
    -- mentions the author wrote
    select 'mention', t.author_id, coalesce(m.mentioned_user_id, u.user_id), t.created_at, t.tweet_id, null
    from tweets t
    join {{ ref('tweet_mentions') }} m on m.tweet_id = t.tweet_id
    left join (
        select lower(username) as username, min(user_id) as user_id
        from {{ ref('x_users') }} where username is not null group by 1 having count(*) = 1
    ) u on u.username = m.mentioned_username
    where not t.is_retweet
      and not m.is_retweet_prefix
      and (t.replied_to_tweet_id is null or coalesce(m.mentioned_user_id, u.user_id) is distinct from t.in_reply_to_user_id)
    union all
    -- likes, and retweets X listed without the retweet itself
    select case x.reaction when 'like' then 'like' else 'retweet' end, x.user_id, t.author_id, x.reacted_at,
        x.reaction || ':' || x.tweet_id || ':' || x.user_id, x.tweet_id
    from {{ ref('tweet_reactions') }} x
    join all_tweets t on t.tweet_id = x.tweet_id
    where (x.reaction = 'like' or x.retweet_id is null)
      and {{ tiemeter_in_touched("x.reaction || ':' || x.tweet_id || ':' || x.user_id") }}
),

x_interactions as (
    select e.kind, a.person_id as actor_person_id, tp.person_id as target_person_id, 'x' as channel, e.occurred_at,
        e.content_id, e.post_id, 'x:' || e.actor_user_id as actor_label
    from x_edges e
    join x_person a on a.x_user_id = e.actor_user_id
    join x_person tp on tp.x_user_id = e.target_user_id
),

-- tweets linking to a post on a configured blog: an interaction with the post's author, else the blog's owner
tweet_links as (
    select distinct t.tweet_id, t.author_id, t.created_at, u.url, tiemeter_norm_url(u.url) as url_norm
    from tweets t, unnest(t.urls) as u(url)
    where not t.is_retweet
),

blog_owners as (
    select b.name as site, tiemeter_norm_url(b.site_url) as site_norm, a.person_id as owner_person_id
    from {{ source('meta', 'config_blogs') }} b
    left join {{ ref('accounts') }} a on a.account_name = b.owner
),

configured_posts as (
    select p.post_id, tiemeter_norm_url(p.url) as url_norm,
        coalesce(i.person_id, o.owner_person_id) as target_person_id
    from {{ ref('blog_posts') }} p
    join blog_owners o using (site)
    left join {{ ref('identities') }} i on i.identity_key = 'blog:' || p.site || ':author:' || lower(trim(coalesce(p.author_name, '')))
),

link_shares as (
    -- a collected post of a configured blog
    select l.tweet_id, l.author_id, l.created_at, p.post_id, p.target_person_id
    from tweet_links l
    join configured_posts p using (url_norm)
    union all
    -- a page under a configured blog's site_url that was not collected: towards the owner
    select l.tweet_id, l.author_id, l.created_at, l.url, o.owner_person_id
    from tweet_links l
    join blog_owners o on starts_with(l.url_norm, o.site_norm || '/')
    where l.url_norm not in (select url_norm from configured_posts where url_norm is not null)
),

link_share_interactions as (
    select 'link_share' as kind, a.person_id as actor_person_id, l.target_person_id, 'x' as channel,
        l.created_at as occurred_at, l.tweet_id as content_id, l.post_id, 'x:' || l.author_id as actor_label
    from link_shares l
    join x_person a on a.x_user_id = l.author_id
),

comment_identity as (
    -- the commenter's key is built once, in core.commenter_keys (placeholders are never keys)
    select c.*, k.identity_key from {{ ref('blog_comments') }} c join {{ ref('commenter_keys') }} k using (comment_id)
),

comment_person as (
    -- a comment's author as a person; pingbacks and trackbacks are not people
    select c.comment_id, i.person_id
    from comment_identity c
    join {{ ref('identities') }} i on i.identity_key = c.identity_key
    where c.kind = 'comment'
),

post_author as (
    select p.post_id, i.person_id
    from {{ ref('blog_posts') }} p
    join {{ ref('identities') }} i on i.identity_key = tiemeter_post_author_key(p.site, p.author_name, p.post_id)
),

blog_interactions as (
    select
        case when c.kind <> 'comment' then 'pingback' when c.parent_comment_id is null then 'comment' else 'comment_reply' end as kind,
        case when c.kind = 'comment' then ai.person_id end as actor_person_id,
        coalesce(case when c.parent_comment_id is not null then pi.person_id end, pa.person_id) as target_person_id,
        'blog' as channel,
        c.published_at as occurred_at,
        c.comment_id as content_id,
        c.post_id,
        case when c.kind = 'comment' then c.identity_key else c.author_url end as actor_label
    from comment_identity c
    left join {{ ref('identities') }} ai on ai.identity_key = c.identity_key
    left join comment_person pi on pi.comment_id = c.parent_comment_id
    left join post_author pa on pa.post_id = c.post_id
),

combined as (
    select * from x_interactions
    union all by name
    select * from link_share_interactions
    union all by name
    select * from blog_interactions
)

select
    md5(concat_ws('|', kind, content_id, coalesce(actor_person_id, actor_label, ''), target_person_id)) as interaction_id,
    actor_person_id,
    target_person_id,
    kind,
    channel,
    occurred_at,
    content_id,
    post_id,
    actor_label
from combined
where target_person_id is not null
  and actor_person_id is distinct from target_person_id
  and (actor_person_id is not null or kind = 'pingback')
  and {{ tiemeter_in_touched('content_id') }}
qualify row_number() over (partition by kind, content_id, actor_person_id, target_person_id order by occurred_at, post_id) = 1
