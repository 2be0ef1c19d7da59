{{ config(materialized='table', schema='core') }}

with conversions as (
    select md5(landing_file || ':' || line_no) as conversion_id, *
    from {{ ref('stg_conversions') }}
),

by_email as (
    select c.conversion_id, min(i.person_id) as person_id
    from conversions c
    join {{ ref('identities') }} i on i.identity_key like 'blog:%:email:' || c.email_hash
    where c.email_hash is not null
    group by 1 having count(distinct i.person_id) = 1
),

by_handle as (
    select c.conversion_id, min(i.person_id) as person_id
    from conversions c
    join {{ ref('x_users') }} u on lower(u.username) = c.x_handle
    join {{ ref('identities') }} i on i.identity_key = 'x:' || u.user_id
    where c.x_handle is not null
    group by 1 having count(distinct i.person_id) = 1
),

by_url as (
    select c.conversion_id, min(i.person_id) as person_id
    from conversions c
    join {{ ref('identities') }} i on (
        i.identity_kind = 'x_user' and lower(split_part(i.display_name, '@', 2)) = tiemeter_x_handle_from_url(c.url)
    ) or (
        i.identity_kind = 'commenter' and i.identity_key like '%|' || tiemeter_norm_url(c.url)
    )
    where c.url is not null
    group by 1 having count(distinct i.person_id) = 1
),

by_name as (
    select c.conversion_id, min(i.person_id) as person_id
    from conversions c
    join {{ ref('identities') }} i on i.identity_kind = 'commenter' and lower(trim(i.display_name)) = lower(trim(c.name))
    where not tiemeter_placeholder_name(c.name)
    group by 1 having count(distinct i.person_id) = 1
),

campaigns as (
    select name, tiemeter_norm_url(url) as url_norm from {{ source('meta', 'config_campaigns') }}
)

select
    c.conversion_id,
    coalesce(e.person_id, h.person_id, u.person_id, n.person_id) as person_id,
    case
        when e.person_id is not null then 'email'
        when h.person_id is not null then 'x_handle'
        when u.person_id is not null then 'url'
        when n.person_id is not null then 'name'
        else 'unmatched'
    end as match_rule,
    c.email_hash,
    c.x_handle,
    c.name,
    c.url,
    c.amount,
    c.currency,
    c.occurred_at,
    c.campaign as campaign_input,
    (select min(k.name) from campaigns k where k.name = c.campaign or k.url_norm = tiemeter_norm_url(c.campaign)) as campaign,
    c.extra,
    c.source_file,
    c.source_line
from conversions c
left join by_email e using (conversion_id)
left join by_handle h using (conversion_id)
left join by_url u using (conversion_id)
left join by_name n using (conversion_id)
