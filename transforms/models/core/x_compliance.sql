/*
model: core.x_compliance
grain: one row per (resource id, action, event time) from X batch-compliance output
description: Deletions and other compliance events; marts drop deleted tweets.
unique_key: [resource_id, action, created_at]
columns:
  resource_id: {description: "Tweet or user id the event is about.", tests: [not_null]}
  action: {description: "delete, scrub_geo, ...", tests: [not_null]}
  reason: {description: "deleted, protected, suspended, deactivated, ..."}
  created_at: {description: "When the event happened."}
  redacted_at: {description: "When X redacted the item, if given."}
  observed_at: {description: "When the compliance file was retrieved or imported."}
*/
select resource_id, action, any_value(reason) as reason, created_at, max(redacted_at) as redacted_at, max(observed_at) as observed_at
from staging.stg_x__compliance
where resource_id is not null
group by resource_id, action, created_at
