{{ config(materialized='table', schema='marts') }}

with w as (select as_of from {{ ref('analysis_window') }}),

tweeted as (
    select s.campaign, s.tweet_id as share_id, s.author_id as user_id, s.share_kind, s.shared_tweet_id,
        s.created_at as shared_at, coalesce(f.author_followers, 0) as followers
    from {{ ref('campaign_sharing_tweets') }} s
    left join {{ ref('tweet_followers') }} f using (tweet_id)
),

listed as (
    select s.campaign, 'retweeted_by:' || x.tweet_id || ':' || x.user_id as share_id, x.user_id,
        'retweeted_by' as share_kind, x.tweet_id as shared_tweet_id, x.reacted_at as shared_at,
        coalesce(f.followers, 0) as followers
    from {{ ref('campaign_sharing_tweets') }} s
    join {{ ref('tweet_reactions') }} x on x.tweet_id = s.tweet_id and x.reaction = 'retweet' and x.retweet_id is null
    left join {{ ref('follower_counts') }} f on f.user_id = x.user_id, w
    where s.share_kind = 'link' and coalesce(x.reacted_at, w.as_of) <= w.as_of
)

select * from tweeted
union all
select * from listed
