{{ config(materialized='table', schema='core') }}

with from_identities as (
    select person_id,
        min(x_user_id) filter (where channel = 'x') as x_user_id,
        min(display_name) filter (where channel = 'x') as x_display,
        arg_max(display_name, identity_kind = 'commenter') as blog_display,
        count(*) as identities,
        list_sort(list_distinct(list(channel))) as channels
    from {{ ref('identities') }}
    group by person_id
),

accounts as (
    select person_id, min(account_name) as account_name, min(x_user_id) as x_user_id
    from {{ ref('accounts') }}
    group by person_id
),

all_persons as (
    select person_id from from_identities
    union
    select person_id from accounts
)

select
    p.person_id,
    coalesce(a.account_name, i.x_display, i.blog_display, p.person_id) as display_name,
    coalesce(i.x_user_id, a.x_user_id) as x_user_id,
    u.username as x_username,
    u.followers,
    a.account_name,
    coalesce(i.identities, 0) as identities,
    coalesce(i.channels, []) as channels
from all_persons p
left join from_identities i using (person_id)
left join accounts a using (person_id)
left join {{ ref('x_users') }} u on u.user_id = coalesce(i.x_user_id, a.x_user_id)
