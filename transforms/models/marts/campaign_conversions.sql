{{ config(materialized='table', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

owners as ({{ campaign_owners() }}),

conversions as (
    select c.*, o.owner_person_id
    from {{ ref('conversions') }} c
    join owners o on o.campaign = c.campaign, w
    where c.occurred_at <= w.as_of
),

sharing as (
    select s.campaign, s.tweet_id, a.size_class, a.is_owner
    from {{ ref('campaign_sharing_tweets') }} s
    join {{ ref('campaign_amplifiers') }} a on a.campaign = s.campaign and a.user_id = s.author_id
),

engagement as (
    select s.campaign, i.actor_person_id as person_id,
        bool_or(s.size_class = 'heavyweight' and not s.is_owner) as heavy,
        bool_or(s.size_class = 'regular' or s.is_owner) as regular
    from {{ ref('interactions') }} i
    join sharing s on s.tweet_id = i.post_id, w
    where i.occurred_at <= w.as_of and i.actor_person_id is not null
    group by all
),

owner_ties as (
    select c.conversion_id
    from conversions c
    join {{ ref('interactions') }} i
      on (i.actor_person_id = c.person_id and i.target_person_id = c.owner_person_id)
      or (i.actor_person_id = c.owner_person_id and i.target_person_id = c.person_id), w
    where i.occurred_at <= w.as_of
    group by 1
),

-- only an original tweet of the URL is a share of one's own: a retweet or quote of a sharing tweet
-- is engagement with that tweet's author (counted in engagement above)
sharers as (
    select distinct s.campaign, i.person_id
    from {{ ref('campaign_sharing_tweets') }} s
    join {{ ref('identities') }} i on i.identity_key = 'x:' || s.author_id
    where s.share_kind = 'link'
)

select
    c.campaign,
    c.conversion_id,
    c.person_id,
    c.amount,
    c.currency,
    c.occurred_at,
    coalesce(t.tie_class, 'none') as tie_class,
    coalesce(t.tie_strength, 0) as tie_strength,
    ot.conversion_id is not null as has_owner_tie,
    coalesce(e.heavy, false) as engaged_heavyweight,
    coalesce(e.regular, false) as engaged_regular,
    sh.person_id is not null as shared_it,
    coalesce(e.heavy, false) and not coalesce(e.regular, false) and ot.conversion_id is null and sh.person_id is null
        as via_heavyweights_only
from conversions c
left join {{ ref('tie_strength') }} t on t.account_person_id = c.owner_person_id and t.person_id = c.person_id
left join owner_ties ot on ot.conversion_id = c.conversion_id
left join engagement e on e.campaign = c.campaign and e.person_id = c.person_id
left join sharers sh on sh.campaign = c.campaign and sh.person_id = c.person_id
