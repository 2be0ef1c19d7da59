/*
model: marts.kred_scores
grain: one row per measured account per window end (the spread-score windows)
description: >
  Kred-style scores (PeopleBrowsr's published Kred rules, 2011-2012), beside the spread score.
  Influence: 10 points for each retweet (quotes included), reply, mention and follow the account
  received in the window, 20 when the person acting has more than 10,000 followers; normalised to
  1-1000 against the person with the most points in that window's data:
  1 + 999 x ln(1 + points) / max ln(1 + points). Outreach: 10 points for each retweet, reply,
  mention and follow the account gave; Kred's outreach is cumulative and its level never goes
  down, so the level is taken from every point given up to the window end: level n is reached at
  100 x (1.7^n - 1) / 0.7 points (100, 270, 559, 1050, ...). Follows come from core.x_follows,
  dated by when they were last observed. Likes, blog comments and link shares are not Kred actions.
unique_key: [person_id, window_end]
columns:
  person_id: {description: "The account's person.", tests: [not_null, {relationships: marts.accounts_in_scope.person_id}]}
  account_name: {description: "The account's name."}
  window_end: {description: "End of the window (the reference time, or a month end before it).", tests: [not_null]}
  window_start: {description: "Start of the window (exclusive): window_end - metrics.window_days.", tests: [not_null]}
  retweets_received: {description: "Retweets and quotes of the account's tweets in the window.", tests: [not_null]}
  replies_received: {description: "Replies to the account in the window.", tests: [not_null]}
  mentions_received: {description: "Mentions of the account in the window (replies not included).", tests: [not_null]}
  follows_received: {description: "Follows of the account observed in the window (core.x_follows).", tests: [not_null]}
  influence_points: {description: "10 per action received, 20 when the actor has more than 10,000 followers.", tests: [not_null]}
  influence: {description: "Kred influence, 1-1000: 1 + 999 x ln(1 + influence_points) / the window's largest ln(1 + points) over everyone; 1 with no points.", tests: [not_null, {expression: "influence BETWEEN 1 AND 1000"}]}
  retweets_given: {description: "Retweets and quotes by the account in the window.", tests: [not_null]}
  replies_given: {description: "Replies by the account in the window.", tests: [not_null]}
  mentions_given: {description: "Mentions by the account in the window.", tests: [not_null]}
  follows_given: {description: "Follows by the account observed in the window.", tests: [not_null]}
  outreach_points: {description: "10 per action given in the window.", tests: [not_null]}
  outreach_points_total: {description: "10 per action given up to window_end (Kred's outreach is cumulative).", tests: [not_null, {expression: "outreach_points_total >= outreach_points"}]}
  outreach_level: {description: "Kred outreach level from outreach_points_total: level n from 100 x (1.7^n - 1) / 0.7 points; 0 below 100.", tests: [not_null, {expression: "outreach_level >= 0"}]}
*/
with w as (select * from marts.analysis_window),

ends as (
    -- the spread-score windows, so that marts.spread_scores joins on (person_id, window_end)
    select window_end, window_end - to_days(w.window_days) as window_start
    from (select distinct window_end from marts.engagement_edges union select as_of from w), w
),

x_person as (
    select x_user_id, person_id from core.identities where identity_kind = 'x_user'
),

person_followers as (
    select x.person_id, max(f.followers) as followers
    from x_person x
    join marts.follower_counts f on f.user_id = x.x_user_id
    group by x.person_id
),

actions as (
    -- Kred's Twitter actions: retweet (a quote is a retweet with a comment), reply, mention, follow
    select i.actor_person_id, i.target_person_id, case i.kind when 'quote' then 'retweet' else i.kind end as action,
        i.occurred_at
    from core.interactions i
    where i.kind in ('retweet', 'quote', 'reply', 'mention') and i.actor_person_id is not null
    union all
    select fa.person_id, fb.person_id, 'follow', f.last_observed_at
    from core.x_follows f
    join x_person fa on fa.x_user_id = f.follower_user_id
    join x_person fb on fb.x_user_id = f.followed_user_id
    where fa.person_id <> fb.person_id
),

pointed as (
    select a.*,
        case when coalesce(pf.followers, 0) > 10000 then 20 else 10 end as influence_points,
        10 as outreach_points
    from actions a
    left join person_followers pf on pf.person_id = a.actor_person_id
),

received as (
    -- everyone, not only the measured accounts: influence is normalised over the window's whole data
    select e.window_end, p.target_person_id as person_id,
        count(*) filter (where p.action = 'retweet') as retweets_received,
        count(*) filter (where p.action = 'reply') as replies_received,
        count(*) filter (where p.action = 'mention') as mentions_received,
        count(*) filter (where p.action = 'follow') as follows_received,
        sum(p.influence_points)::BIGINT as influence_points
    from ends e
    join pointed p on p.occurred_at <= e.window_end and p.occurred_at > e.window_start
    group by all
),

influence as (
    select r.*,
        1 + round(999 * ln(1 + r.influence_points) / max(ln(1 + r.influence_points)) over (partition by r.window_end))::INTEGER
            as influence
    from received r
),

given as (
    select e.window_end, p.actor_person_id as person_id,
        count(*) filter (where p.action = 'retweet' and p.occurred_at > e.window_start) as retweets_given,
        count(*) filter (where p.action = 'reply' and p.occurred_at > e.window_start) as replies_given,
        count(*) filter (where p.action = 'mention' and p.occurred_at > e.window_start) as mentions_given,
        count(*) filter (where p.action = 'follow' and p.occurred_at > e.window_start) as follows_given,
        coalesce(sum(p.outreach_points) filter (where p.occurred_at > e.window_start), 0)::BIGINT as outreach_points,
        sum(p.outreach_points)::BIGINT as outreach_points_total
    from ends e
    join pointed p on p.occurred_at <= e.window_end
    join marts.accounts_in_scope a on a.person_id = p.actor_person_id
    group by all
)

select
    a.person_id,
    a.account_name,
    e.window_end,
    e.window_start,
    coalesce(i.retweets_received, 0) as retweets_received,
    coalesce(i.replies_received, 0) as replies_received,
    coalesce(i.mentions_received, 0) as mentions_received,
    coalesce(i.follows_received, 0) as follows_received,
    coalesce(i.influence_points, 0) as influence_points,
    coalesce(i.influence, 1) as influence,
    coalesce(g.retweets_given, 0) as retweets_given,
    coalesce(g.replies_given, 0) as replies_given,
    coalesce(g.mentions_given, 0) as mentions_given,
    coalesce(g.follows_given, 0) as follows_given,
    coalesce(g.outreach_points, 0) as outreach_points,
    coalesce(g.outreach_points_total, 0) as outreach_points_total,
    -- level n starts at 100 + 170 + ... = 100 (1.7^n - 1) / 0.7 points, so n = floor(log_1.7(1 + 0.007 points));
    -- the small margin keeps 270 points at level 2 despite floating point
    floor(ln(1 + 0.007 * coalesce(g.outreach_points_total, 0)) / ln(1.7) + 1e-9)::INTEGER as outreach_level
from marts.accounts_in_scope a
cross join ends e
left join influence i on i.person_id = a.person_id and i.window_end = e.window_end
left join given g on g.person_id = a.person_id and g.window_end = e.window_end
