{{ config(materialized='table', schema='marts') }}

with classes as (
    select c.name as campaign, k.tie_class
    from {{ source('meta', 'config_campaigns') }} c
    cross join (values ('strong'), ('weak'), ('none')) as k(tie_class)
)

select
    k.campaign,
    k.tie_class,
    count(v.conversion_id) as conversions,
    coalesce(sum(v.amount), 0) as amount,
    avg(v.amount) as avg_amount,
    count(v.conversion_id) filter (where v.person_id is null) as unmatched
from classes k
left join {{ ref('campaign_conversions') }} v on v.campaign = k.campaign and v.tie_class = k.tie_class
group by k.campaign, k.tie_class
