/*
model: staging.stg_x__archive_follows
grain: one row per follower.js or following.js item of a landed X archive
description: Follow edges between the archive owner and another account.
unique_key: [landing_file, line_no]
*/
with source as (
    select landing_file, line_no, source, kind, retrieved_at, payload,
        payload ->> '$.__tiemeter.account_id' as owner_id
    from raw.x_archive_follows
),

renamed as (
    select
        landing_file,
        line_no,
        source,
        retrieved_at as observed_at,
        case when kind = 'follower' then payload ->> '$.follower.accountId' else owner_id end as follower_user_id,
        case when kind = 'follower' then owner_id else payload ->> '$.following.accountId' end as followed_user_id
    from source
)

select * from renamed
