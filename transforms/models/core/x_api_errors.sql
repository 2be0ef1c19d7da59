/*
model: core.x_api_errors
grain: one row per distinct partial error (resource type, resource id, title, detail)
description: >
  The `errors` entries X returns beside the data: items that were deleted ("Not Found Error"),
  protected or suspended ("Authorization Error"), or withheld, and stream notices.
unique_key: [error_key]
columns:
  error_key: {description: "md5 of resource_type, resource_id, title and detail.", tests: [not_null]}
  resource_type: {description: "tweet, user, media, ... as X reports it."}
  resource_id: {description: "Id of the item that could not be returned."}
  parameter: {description: "The request parameter the item came from (e.g. referenced_tweets.id)."}
  title: {description: "X's error title, e.g. 'Not Found Error', 'Authorization Error'."}
  detail: {description: "X's human-readable detail."}
  error_type: {description: "X's problem-type URI."}
  first_seen_at: {description: "First time a page reported it."}
  last_seen_at: {description: "Last time a page reported it."}
  occurrences: {description: "How many page entries reported it.", tests: [not_null]}
*/
select
    md5(concat_ws('|', coalesce(resource_type, ''), coalesce(resource_id, ''), coalesce(title, ''), coalesce(detail, ''))) as error_key,
    resource_type,
    resource_id,
    any_value(parameter) as parameter,
    title,
    detail,
    any_value(error_type) as error_type,
    min(observed_at) as first_seen_at,
    max(observed_at) as last_seen_at,
    count(*) as occurrences
from staging.stg_x__api_errors
group by resource_type, resource_id, title, detail
