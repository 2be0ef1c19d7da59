/*
model: core.conversions
grain: one row per imported conversion (a donation, sale or sign-up)
description: >
  Each conversion matched to a person where possible, by the first key that names exactly one
  person: e-mail hash (blog commenters), X handle, URL (an X profile or a commenter's site), name.
  A placeholder (a blank or "Anonymous" name; see core.identities) never matches. Unmatched conversions are kept with person_id null. The e-mail itself is never stored.
unique_key: [conversion_id]
columns:
  conversion_id: {description: "md5 of the landing file and line.", tests: [not_null]}
  person_id: {description: "The matched person, or null.", tests: [{relationships: core.persons.person_id}]}
  match_rule: {description: "email, x_handle, url, name, or unmatched.", tests: [not_null, {accepted_values: [email, x_handle, url, name, unmatched]}]}
  email_hash: {description: "md5 of the trimmed, lower-cased e-mail, when given."}
  x_handle: {description: "The X handle given, lower-cased, without @."}
  name: {description: "The name given."}
  url: {description: "The URL given."}
  amount: {description: "Amount, in currency.", tests: [not_null]}
  currency: {description: "ISO 4217 currency code as given."}
  occurred_at: {description: "When it happened (UTC).", tests: [not_null]}
  campaign_input: {description: "The campaign column as given (a name or a URL)."}
  campaign: {description: "The [[campaigns]] name it resolves to, if any."}
  extra: {description: "The CSV's other columns, as JSON."}
  source_file: {description: "The imported CSV file."}
  source_line: {description: "Line in that file."}
*/
with conversions as (
    select md5(landing_file || ':' || line_no) as conversion_id, *
    from staging.stg_conversions
),

by_email as (
    select c.conversion_id, min(i.person_id) as person_id
    from conversions c
    join core.identities i on i.identity_key like 'blog:%:email:' || c.email_hash
    where c.email_hash is not null
    group by 1 having count(distinct i.person_id) = 1
),

by_handle as (
    select c.conversion_id, min(i.person_id) as person_id
    from conversions c
    join core.x_users u on lower(u.username) = c.x_handle
    join core.identities i on i.identity_key = 'x:' || u.user_id
    where c.x_handle is not null
    group by 1 having count(distinct i.person_id) = 1
),

by_url as (
    select c.conversion_id, min(i.person_id) as person_id
    from conversions c
    join core.identities i on (
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
    join core.identities i on i.identity_kind = 'commenter' and lower(trim(i.display_name)) = lower(trim(c.name))
    where not tiemeter_placeholder_name(c.name)
    group by 1 having count(distinct i.person_id) = 1
),

campaigns as (
    select name, tiemeter_norm_url(url) as url_norm from meta.config_campaigns
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
