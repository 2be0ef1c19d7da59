/*
model: core.persons
grain: one row per person (one or more identities across channels)
unique_key: [person_id]
columns:
  person_id: {description: "Stable id: 'map:<label>', 'x:<user id>', 'account:<name>' or a blog identity key.", tests: [not_null, unique]}
  display_name: {description: "The account name, else @username, else the latest commenter name."}
  x_user_id: {description: "The person's X user (the lowest id if a mapping joins several)."}
  x_username: {description: "That X user's username."}
  followers: {description: "That X user's followers in the latest profile."}
  account_name: {description: "The [[accounts]] name when the person is a configured account."}
  identities: {description: "How many identities the person has.", tests: [not_null]}
  channels: {description: "Channels the person appears in (x, blog).", tests: [not_null]}
*/
with from_identities as (
    select person_id,
        min(x_user_id) filter (where channel = 'x') as x_user_id,
        min(display_name) filter (where channel = 'x') as x_display,
        arg_max(display_name, identity_kind = 'commenter') as blog_display,
        count(*) as identities,
        list_sort(list_distinct(list(channel))) as channels
    from core.identities
    group by person_id
),

accounts as (
    select person_id, min(account_name) as account_name, min(x_user_id) as x_user_id
    from core.accounts
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
left join core.x_users u on u.user_id = coalesce(i.x_user_id, a.x_user_id)
