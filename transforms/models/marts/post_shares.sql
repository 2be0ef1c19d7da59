{{ config(materialized='table', schema='marts') }}

with w as (select as_of from {{ ref('analysis_window') }}),

removed as (select tweet_id from {{ ref('removed_tweets') }}),

tweets as (
    -- tweets by the reference time and not removed (marts.tweet_followers), with what they pass on
    select f.*, t.is_retweet, t.retweeted_tweet_id, t.urls
    from {{ ref('tweet_followers') }} f
    join {{ ref('tweets') }} t using (tweet_id)
),

links as (
    select distinct tiemeter_norm_url(u.url) as url_norm, t.tweet_id, t.is_retweet, t.retweeted_tweet_id
    from tweets t, unnest(t.urls) as u(url)
    where t.retweeted_tweet_id is null or t.retweeted_tweet_id not in (select tweet_id from removed)
),

-- the tweets that carry each post: an X post itself; for a blog post, the tweets linking it
carriers as (
    select tweet_id as post_id, tweet_id, 'post' as share_kind, cast(null as varchar) as shared_tweet_id
    from tweets
    where not is_retweet
    union all
    select p.post_id, l.tweet_id, case when l.is_retweet then 'retweet' else 'link' end, l.retweeted_tweet_id
    from {{ ref('blog_posts') }} p
    join links l on l.url_norm = tiemeter_norm_url(p.url)
),

passed_on as (
    select r.referenced_tweet_id as shared_tweet_id, r.tweet_id as share_id,
        case r.ref_type when 'retweeted' then 'retweet' else 'quote' end as share_kind
    from {{ ref('tweet_refs') }} r
    where r.ref_type in ('retweeted', 'quoted')
),

listed as (
    -- retweeters X listed without their retweet tweet: one share each, at today's followers
    select x.tweet_id as shared_tweet_id, 'retweeted_by:' || x.tweet_id || ':' || x.user_id as share_id,
        x.user_id, x.reacted_at, coalesce(f.followers, 0) as followers
    from {{ ref('tweet_reactions') }} x
    left join {{ ref('follower_counts') }} f on f.user_id = x.user_id, w
    where x.reaction = 'retweet' and x.retweet_id is null and coalesce(x.reacted_at, w.as_of) <= w.as_of
),

shares as (
    select c.post_id, c.tweet_id as share_id, t.author_id as user_id, c.share_kind,
        c.shared_tweet_id, t.created_at as shared_at, t.author_followers as followers, 1 as priority
    from carriers c
    join tweets t on t.tweet_id = c.tweet_id
    union all
    select c.post_id, p.share_id, t.author_id, p.share_kind, c.tweet_id, t.created_at, t.author_followers, 2
    from carriers c
    join passed_on p on p.shared_tweet_id = c.tweet_id
    join tweets t on t.tweet_id = p.share_id
    union all
    select c.post_id, l.share_id, l.user_id, 'retweeted_by', c.tweet_id, l.reacted_at, l.followers, 3
    from carriers c
    join listed l on l.shared_tweet_id = c.tweet_id
)

select post_id, share_id, user_id, share_kind, shared_tweet_id, shared_at, followers
from shares
where user_id is not null
qualify row_number() over (partition by post_id, share_id order by priority, shared_tweet_id) = 1
