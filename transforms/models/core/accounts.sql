{{ config(materialized='table', schema='core') }}

with unique_usernames as (
    select lower(username) as username, min(user_id) as user_id
    from {{ ref('x_users') }}
    where username is not null
    group by 1
    having count(distinct user_id) = 1
),

resolved as (
    select a.name as account_name, coalesce(a.x_user_id, u.user_id) as x_user_id,
        coalesce(a.x_username, lower(xu.username)) as x_username
    from {{ source('meta', 'config_accounts') }} a
    left join unique_usernames u on u.username = a.x_username
    left join {{ ref('x_users') }} xu on xu.user_id = a.x_user_id
),

mapped as (
    select r.account_name, min(m.label) as label, count(distinct m.label) as labels
    from resolved r
    join {{ source('meta', 'identity_map') }} m
      on (m.kind = 'x_user_id' and m.value = r.x_user_id) or (m.kind = 'x_username' and m.value = r.x_username)
    group by 1
)

select
    r.account_name,
    r.x_user_id,
    r.x_username,
    coalesce(
        case when m.labels = 1 then 'map:' || m.label end,
        'x:' || r.x_user_id,
        'account:' || r.account_name
    ) as person_id
from resolved r
left join mapped m using (account_name)
