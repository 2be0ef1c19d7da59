{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

accounts as (select * from {{ ref('accounts_in_scope') }}),

followers as (
    select a.person_id, max(f.followers) as followers
    from accounts a
    join {{ ref('identities') }} i on i.person_id = a.person_id and i.identity_kind = 'x_user'
    join {{ ref('follower_counts') }} f on f.user_id = i.x_user_id
    group by 1
),

amplifiers as (
    select p.author_person_id as person_id, sum(coalesce(f.followers, 0)) as amplifier_followers
    from (
        select distinct p.author_person_id, t.author_id as user_id
        from {{ ref('post_reach_engagement') }} p
        join {{ ref('tweet_refs') }} r on r.referenced_tweet_id = p.post_id and r.ref_type in ('retweeted', 'quoted')
        join {{ ref('tweets') }} t on t.tweet_id = r.tweet_id, w
        where p.channel = 'x' and t.created_at > w.window_start and t.created_at <= w.as_of
          and t.tweet_id not in (select tweet_id from {{ ref('removed_tweets') }})
        union
        select distinct p.author_person_id, x.user_id
        from {{ ref('post_reach_engagement') }} p
        join {{ ref('tweet_reactions') }} x on x.tweet_id = p.post_id and x.reaction = 'retweet', w
        where p.channel = 'x' and coalesce(x.reacted_at, p.posted_at) > w.window_start and coalesce(x.reacted_at, p.posted_at) <= w.as_of
    ) p
    left join {{ ref('follower_counts') }} f on f.user_id = p.user_id
    left join {{ ref('identities') }} ai on ai.identity_key = 'x:' || p.user_id
    where ai.person_id is distinct from p.author_person_id
    group by 1
),

ties as (
    select account_person_id as person_id,
        count(*) filter (where tie_class = 'strong') as strong_ties,
        count(*) filter (where tie_class = 'weak') as weak_ties,
        count(*) filter (where is_friend) as friends
    from {{ ref('tie_strength') }}
    group by 1
),

engagement as (
    select i.target_person_id as person_id,
        count(*) filter (where t.tie_class = 'strong') / count(*) as strong_tie_engagement_share
    from {{ ref('interactions') }} i
    join accounts a on a.person_id = i.target_person_id
    left join {{ ref('tie_strength') }} t on t.account_person_id = i.target_person_id and t.person_id = i.actor_person_id, w
    where i.occurred_at <= w.as_of and i.actor_person_id is not null
    group by 1
),

conversions as (
    select a.person_id,
        count(*) filter (where v.tie_class = 'strong') as conversions_strong,
        count(*) filter (where v.tie_class = 'weak') as conversions_weak,
        count(*) filter (where v.tie_class = 'none') as conversions_none
    from {{ ref('campaign_conversions') }} v
    join {{ source('meta', 'config_campaigns') }} c on c.name = v.campaign
    join {{ ref('accounts') }} a on a.account_name = c.owner
    group by 1
),

spread as (
    select s.person_id, s.spread_score
    from {{ ref('spread_scores') }} s, w
    where s.window_end = w.as_of
)

select
    a.person_id,
    a.account_name,
    f.followers,
    coalesce(f.followers, 0) + coalesce(am.amplifier_followers, 0) as potential_reach,
    s.spread_score,
    coalesce(t.strong_ties, 0) as strong_ties,
    coalesce(t.weak_ties, 0) as weak_ties,
    coalesce(t.friends, 0) as friends,
    coalesce(t.strong_ties, 0) / 150.0 as dunbar_share,
    coalesce(t.friends, 0) / nullif(f.followers, 0) as friends_per_follower,
    e.strong_tie_engagement_share,
    coalesce(c.conversions_strong, 0) as conversions_strong,
    coalesce(c.conversions_weak, 0) as conversions_weak,
    coalesce(c.conversions_none, 0) as conversions_none
from accounts a
left join followers f using (person_id)
left join amplifiers am using (person_id)
left join ties t using (person_id)
left join engagement e using (person_id)
left join conversions c using (person_id)
left join spread s using (person_id)
