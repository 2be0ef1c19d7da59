/*
model: core.tweet_versions
grain: one row per tweet version id (an edited tweet has one version per edit)
description: Maps every tweet version id ever seen, in data or in an edit history, to its tweet (edit chain).
unique_key: [version_id]
columns:
  version_id: {description: "A tweet id as X shows it; every edit gets a new one.", tests: [not_null]}
  tweet_id: {description: "The tweet (edit chain) this version belongs to: the first id of its edit history.", tests: [not_null]}
  version_no: {description: "1 for the original, 2 for the first edit, and so on; null when only the id was seen."}
*/
with observations as (
    select version_id, tweet_id, edit_history_tweet_ids from staging.stg_x__api_tweets
    union all
    select version_id, tweet_id, edit_history_tweet_ids from staging.stg_x__archive_tweets
),

from_history as (
    select unnest(edit_history_tweet_ids) as version_id, edit_history_tweet_ids[1] as tweet_id,
        generate_subscripts(edit_history_tweet_ids, 1) as version_no
    from observations
    where len(edit_history_tweet_ids) > 0
),

seen as (
    select version_id, tweet_id, null::integer as version_no from observations
    union all
    select version_id, tweet_id, version_no from from_history
)

select version_id, min(tweet_id) as tweet_id, max(version_no) as version_no
from seen
where version_id is not null
group by version_id
