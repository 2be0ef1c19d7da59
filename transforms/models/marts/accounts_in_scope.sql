{{ config(materialized='table', schema='marts') }}

with configured as (
    select person_id, min(account_name) as account_name, true as is_configured
    from {{ ref('accounts') }}
    group by person_id
),

authors as (
    select distinct i.person_id
    from {{ ref('tweets') }} t
    join {{ ref('identities') }} i on i.identity_key = 'x:' || t.author_id
    where not t.is_retweet and t.tweet_id not in (select tweet_id from {{ ref('removed_tweets') }})
    union
    select distinct i.person_id
    from {{ ref('blog_posts') }} p
    join {{ ref('identities') }} i on i.identity_key = tiemeter_post_author_key(p.site, p.author_name, p.post_id)
)

select * from configured
union all
select a.person_id, p.display_name, false
from authors a
join {{ ref('persons') }} p using (person_id)
where not exists (select 1 from configured)
