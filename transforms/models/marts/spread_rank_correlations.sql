{{ config(materialized='view', schema='marts') }}

with w as (select * from {{ ref('analysis_window') }}),

ends as ({{ spread_windows(with_as_of=false) }}),

received as ({{ received_in_windows(
    "count(*) filter (where i.kind = 'retweet') as retweets,
    count(*) filter (where i.kind in ('mention', 'reply')) as mentions"
) }}),

people as (
    select n.window_end, n.person_id, coalesce(pf.followers, 0) as followers,
        coalesce(r.retweets, 0) as retweets, coalesce(r.mentions, 0) as mentions
    from {{ ref('network_pagerank') }} n
    left join received r using (window_end, person_id)
    left join (
        select i.person_id, max(f.followers) as followers
        from {{ ref('identities') }} i join {{ ref('follower_counts') }} f on f.user_id = i.x_user_id
        where i.identity_kind = 'x_user' group by 1
    ) pf using (person_id)
),

-- Ranks are doubled so they stay integers (a tie's average rank is a half): Spearman's rho is then computed
-- from exact HUGEINT sums. corr() on doubles sums in whatever order DuckDB's threads finish, so two builds of the
-- same data could differ in the last bit.
ranked as (
    select window_end,
        (2 * rank() over (partition by window_end order by followers)
            + count(*) over (partition by window_end, followers) - 1)::HUGEINT as r_followers,
        (2 * rank() over (partition by window_end order by retweets)
            + count(*) over (partition by window_end, retweets) - 1)::HUGEINT as r_retweets,
        (2 * rank() over (partition by window_end order by mentions)
            + count(*) over (partition by window_end, mentions) - 1)::HUGEINT as r_mentions
    from people
),

pairs as (
    select window_end, 'followers' as ranking_a, 'retweets' as ranking_b, r_followers as x, r_retweets as y from ranked
    union all
    select window_end, 'followers', 'mentions', r_followers, r_mentions from ranked
    union all
    select window_end, 'retweets', 'mentions', r_retweets, r_mentions from ranked
),

sums as (
    select window_end, ranking_a, ranking_b, count(*)::HUGEINT as n,
        sum(x) as sx, sum(y) as sy, sum(x * x) as sxx, sum(y * y) as syy, sum(x * y) as sxy
    from pairs group by all
)

select window_end, ranking_a, ranking_b, n::BIGINT as people,
    case when n >= 3 and n * sxx - sx * sx > 0 and n * syy - sy * sy > 0
        then (n * sxy - sx * sy)::DOUBLE
            / sqrt((n * sxx - sx * sx)::DOUBLE * (n * syy - sy * sy)::DOUBLE)
    end as spearman_rho
from sums
