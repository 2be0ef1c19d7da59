{#- The configured campaigns with their owner's person (marts.campaign_amplifiers, campaign_conversions). -#}
{% macro campaign_owners() -%}
    select c.name as campaign, a.person_id as owner_person_id
    from {{ source('meta', 'config_campaigns') }} c
    left join {{ ref('accounts') }} a on a.account_name = c.owner
{%- endmacro %}

{#- The spread-score windows: each window_end of marts.engagement_edges (and, with as_of, the analysis
    window's as_of) and its window_start. The start is computed once per window: TIMESTAMPTZ arithmetic
    per joined row is slow (ICU). Expects the CTE `w` (marts.analysis_window). -#}
{% macro spread_windows(with_as_of=true) -%}
    select window_end, window_end - to_days(w.window_days) as window_start
    from (
        select distinct window_end from {{ ref('engagement_edges') }}
        {%- if with_as_of %} union select as_of from w{% endif %}
    ), w
{%- endmacro %}

{#- What each person received from other people in each window of `ends` (spread_windows): one row per
    (window_end, person_id) with the given aggregate columns over core.interactions `i`. -#}
{% macro received_in_windows(columns) -%}
    select e.window_end, i.target_person_id as person_id, {{ columns }}
    from ends e
    join {{ ref('interactions') }} i on i.occurred_at <= e.window_end and i.occurred_at > e.window_start
    where i.actor_person_id is not null
    group by all
{%- endmacro %}
