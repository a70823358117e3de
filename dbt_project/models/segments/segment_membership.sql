{#-
  Segment membership: one row per (endpoint, segment) over every segment model (tag `segment`, config
  meta.segment_name). `englake segments sync` reads this table; its columns are the interface.
  dbt learns a model's dependencies when it parses the SQL, before the graph exists, so the segments are named here
  once for their refs; at run time the graph is checked against this list, and a model tagged `segment` that is
  missing here (or listed but not tagged) stops the build with its name.
-#}
{%- set segments = ['seg_engaged_recent_buyers', 'seg_webinar_registrants_opened_invite'] %}
{%- if execute %}
    {%- set tagged = [] %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and 'segment' in node.tags and node.name != this.name %}
        {%- do tagged.append(node.name) %}
    {%- endfor %}
    {%- if tagged | sort != segments | sort %}
        {{ exceptions.raise_compiler_error("segment_membership: the segment models (tag segment) are " ~ (tagged | sort | join(', ')) ~ "; list exactly these in models/segments/segment_membership.sql") }}
    {%- endif %}
{%- endif %}

{% for segment in segments -%}
{{ englake.segment_rows(segment) }}
{{ 'union all' if not loop.last }}
{% endfor %}
