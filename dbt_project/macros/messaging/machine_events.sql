{#-
  True when the event says a machine made it: SES marks opens and clicks `isBotEvent: "Likely"` (privacy proxies,
  link scanners). Pinpoint events carry no such flag, so their opens count as human.
-#}
{% macro is_machine_event(column='is_bot_event') -%}
    coalesce({{ column }}, '') = 'Likely'
{%- endmacro %}
