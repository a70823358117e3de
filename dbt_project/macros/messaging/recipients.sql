{#-
  Bounced or complained recipients of any producer as one array of
  (email_address, action, status, diagnostic_code), the grain the unified events fan out to.
  `keys` names the producer's own keys for those four fields (none when the producer has no such key).
-#}
{% macro recipients_from_objects(objects_expr, keys) -%}
{%- set fields = [] -%}
{%- for name in englake.recipient_fields() -%}
    {%- do fields.append((name, englake.object_key('r', keys[loop.index0]) if keys[loop.index0] else 'null', 'varchar')) -%}
{%- endfor -%}
{{ englake.array_transform(objects_expr, 'r', englake.record_of(fields)) }}
{%- endmacro %}

{#- The fields of one recipient row, in order (the `recipients` sql_type spells the same row). -#}
{% macro recipient_fields() %}{{ return(['email_address', 'action', 'status', 'diagnostic_code']) }}{% endmacro %}
