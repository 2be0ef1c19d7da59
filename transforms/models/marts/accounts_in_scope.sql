/*
model: marts.accounts_in_scope
grain: one row per measured account (a person)
description: >
  The configured [[accounts]]; when none is configured, every person who authored a post, so that
  an import-only warehouse still gets scores.
unique_key: [person_id]
columns:
  person_id: {description: "The account's person.", tests: [not_null]}
  account_name: {description: "The [[accounts]] name, or the person's display name."}
  is_configured: {description: "True for [[accounts]] entries.", tests: [not_null]}
*/
with configured as (
    select person_id, min(account_name) as account_name, true as is_configured
    from core.accounts
    group by person_id
),

authors as (
    select distinct i.person_id
    from core.tweets t
    join core.identities i on i.identity_key = 'x:' || t.author_id
    where not t.is_retweet and t.tweet_id not in (select tweet_id from core.removed_tweets)
    union
    select distinct i.person_id
    from core.blog_posts p
    join core.identities i on i.identity_key = tiemeter_post_author_key(p.site, p.author_name, p.post_id)
)

select * from configured
union all
select a.person_id, p.display_name, false
from authors a
join core.persons p using (person_id)
where not exists (select 1 from configured)
