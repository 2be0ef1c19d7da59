{{ config(materialized='table', schema='marts') }}

with w as (select as_of from {{ ref('analysis_window') }}),

removed as (select tweet_id from {{ ref('removed_tweets') }}),

tweet_posts as (
    select t.tweet_id as post_id, t.author_id, t.created_at as posted_at,
        'https://x.com/i/status/' || t.tweet_id as url
    from {{ ref('tweets') }} t, w
    where not t.is_retweet and t.created_at <= w.as_of and t.tweet_id not in (select tweet_id from removed)
),

snapshot as (
    select tweet_id, picked.retweets, picked.replies, picked.likes, picked.quotes, picked.impressions
    from (
        select m.tweet_id,
            arg_min(
                struct_pack(retweets := m.retweets, replies := m.replies, likes := m.likes, quotes := m.quotes,
                            impressions := m.impressions),
                tiemeter_snapshot_rank(m.observed_at, w.as_of)) as picked
        from {{ ref('tweet_metrics') }} m, w
        group by m.tweet_id
    )
),

counted as (
    select post_id,
        count(*) filter (where kind = 'reply') as replies,
        count(*) filter (where kind = 'retweet') as retweets,
        count(*) filter (where kind = 'quote') as quotes,
        count(*) filter (where kind = 'like') as likes
    from {{ ref('interactions') }}, w
    where channel = 'x' and occurred_at <= w.as_of
    group by post_id
),

sharers as (
    -- each account's shares of each post: all of them count for exposure, the account once for reach
    select post_id, user_id, sum(followers) as impressions, max(followers) as reach
    from {{ ref('post_shares') }}
    group by post_id, user_id
),

exposure as (
    select post_id, sum(impressions) as potential_impressions, sum(reach) as potential_reach
    from sharers
    group by post_id
),

post_author_identity as (
    select p.*, tiemeter_post_author_key(p.site, p.author_name, p.post_id) as identity_key
    from {{ ref('blog_posts') }} p
),

blog_posts as (
    select p.post_id, i.person_id as author_person_id, p.published_at as posted_at, p.url,
        (select min(x_user_id) from {{ ref('identities') }} xi where xi.person_id = i.person_id and xi.identity_kind = 'x_user') as author_x_user_id
    from post_author_identity p
    left join {{ ref('identities') }} i using (identity_key), w
    where p.published_at <= w.as_of
),

blog_counts as (
    select p.post_id,
        count(*) filter (where i.kind in ('comment', 'comment_reply')
                         and i.actor_person_id is distinct from p.author_person_id) as comments,
        count(*) filter (where i.kind = 'pingback') as pingbacks
    from blog_posts p
    join {{ ref('interactions') }} i on i.post_id = p.post_id and i.channel = 'blog', w
    where i.occurred_at <= w.as_of
    group by p.post_id
),

-- each conversion is credited once, to one post (or split under the linear rule)
conversion_totals as (
    select post_id, sum(credit) as conversions, sum(credited_amount) as conversion_amount
    from {{ ref('conversion_attribution') }}
    where post_id is not null
    group by post_id
),

tweet_rows as (
    select
        p.post_id, 'x' as channel, i.person_id as author_person_id, p.posted_at, p.url,
        f.followers as author_followers,
        coalesce(a.potential_impressions, 0) as potential_impressions,
        coalesce(a.potential_reach, 0) as potential_reach,
        s.impressions,
        coalesce(s.replies, c.replies, 0) as replies,
        coalesce(s.retweets, c.retweets, 0) as retweets,
        coalesce(s.quotes, c.quotes, 0) as quotes,
        coalesce(s.likes, c.likes, 0) as likes,
        0 as comments,
        0 as pingbacks
    from tweet_posts p
    left join {{ ref('identities') }} i on i.identity_key = 'x:' || p.author_id
    left join {{ ref('follower_counts') }} f on f.user_id = p.author_id
    left join exposure a on a.post_id = p.post_id
    left join snapshot s on s.tweet_id = p.post_id
    left join counted c on c.post_id = p.post_id
),

blog_rows as (
    select
        p.post_id, 'blog', p.author_person_id, p.posted_at, p.url,
        f.followers,
        coalesce(a.potential_impressions, 0),
        coalesce(a.potential_reach, 0),
        cast(null as bigint),
        0, 0, 0, 0,
        coalesce(b.comments, 0),
        coalesce(b.pingbacks, 0)
    from blog_posts p
    left join {{ ref('follower_counts') }} f on f.user_id = p.author_x_user_id
    left join exposure a on a.post_id = p.post_id
    left join blog_counts b on b.post_id = p.post_id
),

rows as (select * from tweet_rows union all select * from blog_rows)

select
    r.*,
    r.replies + r.retweets + r.quotes + r.likes + r.comments as engagements,
    (r.replies + r.retweets + r.quotes + r.likes + r.comments) / nullif(r.author_followers, 0) as engagement_rate_followers,
    (r.replies + r.retweets + r.quotes + r.likes + r.comments)
        / nullif(case when r.impressions > 0 then r.impressions else r.potential_impressions end, 0)
        as engagement_rate_impressions,
    case when r.impressions > 0 then 'impressions'
         when r.potential_impressions > 0 then 'potential_impressions' end as engagement_rate_denominator,
    coalesce(ct.conversions, 0) as conversions,
    coalesce(ct.conversion_amount, 0) as conversion_amount
from rows r
left join conversion_totals ct on ct.post_id = r.post_id
