/*
model: marts.account_reach_engagement
grain: one row per account per day with at least one post
description: >
  Daily reach and engagement of each measured account, with Kaushik's per-post rates
  (conversation, amplification, applause; Kaushik 2011).
unique_key: [person_id, day]
columns:
  person_id: {description: "The account's person.", tests: [not_null, {relationships: marts.accounts_in_scope.person_id}]}
  account_name: {description: "The account's name."}
  day: {description: "The UTC day.", tests: [not_null]}
  followers: {description: "The account's X followers at the reference time."}
  posts: {description: "Posts that day (tweets that are not retweets, and blog posts).", tests: [not_null]}
  potential_impressions: {description: "Exposure of the day's posts: the sum, over the distinct shares of any of them (marts.post_shares), of the sharer's followers at tweet time.", tests: [not_null]}
  potential_reach: {description: "The followers of the distinct accounts among those shares, each account once.", tests: [not_null, {expression: "potential_reach <= potential_impressions"}]}
  engagements: {description: "Sum of the day's posts' engagements.", tests: [not_null]}
  engagement_rate: {description: "engagements / (followers x posts): the average post's engagement per follower."}
  conversation_rate: {description: "(replies + comments) / posts.", tests: [not_null]}
  amplification_rate: {description: "(retweets + quotes) / posts.", tests: [not_null]}
  applause_rate: {description: "likes / posts.", tests: [not_null]}
  conversions: {description: "Conversions credited to the day's posts (marts.conversion_attribution, through marts.post_reach_engagement).", tests: [not_null]}
  conversion_amount: {description: "Their credited amount.", tests: [not_null]}
*/
with accounts as (select * from marts.accounts_in_scope),

account_followers as (
    select a.person_id, max(f.followers) as followers
    from accounts a
    join core.identities i on i.person_id = a.person_id and i.identity_kind = 'x_user'
    join marts.follower_counts f on f.user_id = i.x_user_id
    group by a.person_id
),

day_shares as (
    -- a share of two of the day's posts (a quote is a post and a share of the quoted post) counts once
    select distinct a.person_id, cast(p.posted_at as date) as day, s.share_id, s.user_id, s.followers
    from marts.post_reach_engagement p
    join accounts a on a.person_id = p.author_person_id
    join marts.post_shares s on s.post_id = p.post_id
),

day_exposure as (
    select person_id, day, sum(impressions) as potential_impressions, sum(reach) as potential_reach
    from (
        select person_id, day, user_id, sum(followers) as impressions, max(followers) as reach
        from day_shares
        group by all
    )
    group by all
)

select
    a.person_id,
    a.account_name,
    cast(p.posted_at as date) as day,
    f.followers,
    count(*) as posts,
    coalesce(e.potential_impressions, 0) as potential_impressions,
    coalesce(e.potential_reach, 0) as potential_reach,
    sum(p.engagements) as engagements,
    sum(p.engagements) / nullif(f.followers * count(*), 0) as engagement_rate,
    sum(p.replies + p.comments) / count(*) as conversation_rate,
    sum(p.retweets + p.quotes) / count(*) as amplification_rate,
    sum(p.likes) / count(*) as applause_rate,
    sum(p.conversions) as conversions,
    sum(p.conversion_amount) as conversion_amount
from marts.post_reach_engagement p
join accounts a on a.person_id = p.author_person_id
left join account_followers f on f.person_id = a.person_id
left join day_exposure e on e.person_id = a.person_id and e.day = cast(p.posted_at as date)
group by a.person_id, a.account_name, cast(p.posted_at as date), f.followers, e.potential_impressions, e.potential_reach
