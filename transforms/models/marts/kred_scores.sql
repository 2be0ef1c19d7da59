{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

-- the spread-score windows, so that marts.spread_scores joins on (person_id, window_end)
ends as ({{ spread_windows() }}),

x_person as (
    select x_user_id, person_id from {{ ref('identities') }} where identity_kind = 'x_user'
),

person_followers as (
    select x.person_id, max(f.followers) as followers
    from x_person x
    join {{ ref('follower_counts') }} f on f.user_id = x.x_user_id
    group by x.person_id
),

actions as (
    -- Kred's Twitter actions: retweet (a quote is a retweet with a comment), reply, mention, follow
    select i.actor_person_id, i.target_person_id, case i.kind when 'quote' then 'retweet' else i.kind end as action,
        i.occurred_at
    from {{ ref('interactions') }} i
    where i.kind in ('retweet', 'quote', 'reply', 'mention') and i.actor_person_id is not null
    union all
    select fa.person_id, fb.person_id, 'follow', f.last_observed_at
    from {{ ref('x_follows') }} f
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
    join {{ ref('accounts_in_scope') }} a on a.person_id = p.actor_person_id
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
from {{ ref('accounts_in_scope') }} a
cross join ends e
left join influence i on i.person_id = a.person_id and i.window_end = e.window_end
left join given g on g.person_id = a.person_id and g.window_end = e.window_end
