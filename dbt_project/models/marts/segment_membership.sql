{#-
  Segment membership: one row per (endpoint, segment) over every segment model. `englake segments sync` reads it.
  Add a segment: write a model in models/segments/ with config meta.segment_name, and list it here.
-#}
{%- set segments = ['seg_engaged_recent_buyers', 'seg_webinar_registrants_opened_invite'] %}

{% for segment in segments -%}
{{ englake.segment_rows(segment) }}
{{ 'union all' if not loop.last }}
{% endfor %}
