{#-
  Segment membership: one row per (endpoint, segment) over every segment model (tag `segment`, config
  meta.segment_name). `englake segments sync` reads this table; its columns are the interface.

  Why the segments are named here (the one hand-kept list of the DAG, checked): dbt learns a model's dependencies
  when it parses its SQL, and at parse time `graph` is empty (`execute` is false), so a ref cannot come from "every
  node tagged segment". The alternatives do not hold: reading the tagged relations at run time without ref() loses
  the dependency (dbt could build this model before the segments, and `tag:segment+` would not select it); a var
  written by a wrapper (`dbt ls --select tag:segment` → `--vars`) breaks every plain `dbt build` and is the same list
  kept elsewhere; segment models inserting their own rows by post-hook need DELETE/INSERT on the table, which
  Athena's Hive tables do not support, and leave a removed segment's rows behind. So the list stays, and at run time
  the graph (complete then) is checked against it: a model tagged `segment` that is missing here, or one listed but
  not tagged, stops the build with its name (tests/test_dbt_conventions.py).
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
